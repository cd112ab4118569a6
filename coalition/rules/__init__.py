"""Pure rules: no models, no queries, no database; each module decides one thing and is tested
on its own.

Among them, `disclosure` is THE one rule for every figure derived from members' private data
(docs/privacy.md); `money` holds the ISO 4217 currency codes and formats amounts for the viewer's
language; `dates` says which dates are plausible; `integers` what the database's integer
columns can hold; `client_address` finds the client's IP address behind trusted proxies.
`thresholds` compares a store's health-check figures with its platform's limits; `csv_import`
reads an order export for it; `sniffing` says what an uploaded file really is; `listings` gives
a reported listing its identity; `coupons` makes and reads coupon codes; `verbs` says how the
timeline's events read.
"""
