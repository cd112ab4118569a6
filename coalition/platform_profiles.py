"""The real marketplace profiles (docs/domain.md), seeded by migration 0002 and restored by
`manage.py demo_data` when missing. Staff adjust them in the admin; seeding never overwrites."""

from __future__ import annotations

from decimal import Decimal

PLATFORMS = [
    # name, slug, portal, country, tz, response days, chase days, round cap, appeal window, notes
    (
        "Wish",
        "wish",
        "https://merchant.wish.com/",
        "US",
        "America/Los_Angeles",
        5,
        5,
        3,
        90,
        "Disputes must be raised within 90 days of an infraction; refund disputes close after 3 rejections.",
    ),
    (
        "Amazon US",
        "amazon-us",
        "https://sellercentral.amazon.com/",
        "US",
        "America/Los_Angeles",
        7,
        3,
        2,
        17,
        "Wants a Plan of Action (root cause, corrective actions, preventive measures) and supplier invoices. "
        "An account is final after 17 days without an acceptable plan or after two failed appeals. "
        "Excessive contacts can lead to deactivation: every round must add something new.",
    ),
    (
        "Amazon EU",
        "amazon-eu",
        "https://sellercentral-europe.amazon.com/",
        "LU",
        "Europe/Luxembourg",
        7,
        3,
        2,
        180,
        "P2B Regulation 2019/1150 applies: statement of reasons (Art. 4), 30 days' notice before termination, "
        "internal complaint handling (Art. 11), mediation (Art. 12). DSA Art. 20 complaint window: 6 months.",
    ),
    (
        "eBay",
        "ebay",
        "https://www.ebay.com/help/selling",
        "US",
        "America/Los_Angeles",
        5,
        5,
        3,
        60,
        "",
    ),
    (
        "AliExpress",
        "aliexpress",
        "https://sell.aliexpress.com/",
        "CN",
        "Asia/Shanghai",
        7,
        5,
        3,
        30,
        "China E-Commerce Law: rule changes published 7 days ahead (Art. 34); counter-notice window 15 days (Art. 43).",
    ),
    ("Temu", "temu", "https://seller.temu.com/", "CN", "Asia/Shanghai", 7, 5, 3, 30, ""),
    (
        "TikTok Shop",
        "tiktok-shop",
        "https://seller-us.tiktok.com/",
        "US",
        "America/Los_Angeles",
        5,
        3,
        3,
        30,
        "",
    ),
    ("Shopee", "shopee", "https://seller.shopee.sg/", "SG", "Asia/Singapore", 5, 3, 3, 30, ""),
]


# The laws each profile operates under (coalition/rules/jurisdictions.py keys); staff edit them.
# Amazon EU serves EU business users (P2B) and is an online platform under the DSA; the US
# marketplaces answer to the FTC; AliExpress and Temu (seller side) to the PRC E-Commerce Law.
LEGAL_REGIMES = {
    "wish": ["us_ftc"],
    "amazon-us": ["us_ftc"],
    "amazon-eu": ["eu_p2b", "eu_dsa"],
    "ebay": ["us_ftc"],
    "aliexpress": ["cn_ecommerce"],
    "temu": ["cn_ecommerce"],
    "tiktok-shop": ["us_ftc"],
    "shopee": [],
}


def seed_legal_regimes(Platform) -> int:
    """Fill the regimes of seeded profiles that have none yet; return how many were filled."""
    filled = 0
    for platform in Platform.objects.filter(slug__in=list(LEGAL_REGIMES)):
        if not platform.legal_regimes and LEGAL_REGIMES[platform.slug]:
            platform.legal_regimes = LEGAL_REGIMES[platform.slug]
            platform.save(update_fields=["legal_regimes"])
            filled += 1
    return filled


def seed_platforms(Platform) -> int:
    """Create the profiles that are missing (by slug); return how many were created."""
    # Migration 0002 runs this on a model from before legal_regimes existed.
    has_regimes = any(f.name == "legal_regimes" for f in Platform._meta.get_fields())
    created = 0
    for name, slug, portal, country, tz, resp, chase, cap, window, notes in PLATFORMS:
        _obj, new = Platform.objects.get_or_create(
            slug=slug,
            defaults=dict(
                name=name,
                portal_url=portal,
                holiday_country=country,
                time_zone=tz,
                response_business_days=resp,
                chase_business_days=chase,
                round_cap=cap,
                appeal_window_days=window,
                notes=notes,
                **({"legal_regimes": LEGAL_REGIMES.get(slug, [])} if has_regimes else {}),
                max_unfulfillable_refund_rate=Decimal("3.00"),
                max_chargeback_rate=Decimal("0.50"),
                min_fulfilment_rate=Decimal("90.00"),
            ),
        )
        created += new
    return created
