"""Which grievances take watchers' reports, and a listing's identity: its URL without tracking
parameters, so several reports of one listing are recognised as one."""

from __future__ import annotations

import re
from urllib.parse import parse_qsl, unquote, urlencode, urlsplit

from coalition.categories import Category

# Watchers report against coalitions fighting counterfeits, or against a member's own brand.
REPORTABLE_CATEGORIES = (Category.COUNTERFEIT_INFRINGER,)


TRACKING_PARAMS = {
    "spm",
    "scm",
    "ref",
    "ref_",
    "source",
    "from",
    "share",
    "share_id",
    "social_share",
    "gclid",
    "fbclid",
    "igshid",
    "pvid",
    "sk",
    "tt",
    "th",
    "psc",
    "qid",
    "sr",
    "keywords",
    "crid",
    "sprefix",
    "_t",
    "srsltid",
}


TRACKING_PREFIXES = ("utm_", "aff_", "algo_", "pd_rd_", "pf_rd_", "mc_", "_branch")


AMAZON_ITEM = re.compile(r"/(?:dp|gp/product|gp/aw/d)/([A-Za-z0-9]{10})(?:/|$)")


def normalise_listing_url(url: str) -> str:
    """The listing's identity: host without "www."/"m.", path without trailing slash or Amazon's
    "/ref=…" tail, and the query without tracking parameters, sorted. The scheme is ignored."""
    parts = urlsplit(url.strip())
    host = (parts.hostname or "").lower()
    for prefix in ("www.", "m.", "mobile."):
        if host.startswith(prefix):
            host = host[len(prefix) :]
            break
    path = re.sub(r"/+", "/", unquote(parts.path))
    path = re.sub(r"/ref=[^/]*$", "", path).rstrip("/")
    if (item := AMAZON_ITEM.search(path + "/")) and "amazon." in host:
        path = f"/dp/{item.group(1).upper()}"
    query = sorted(
        (k, v)
        for k, v in parse_qsl(parts.query, keep_blank_values=False)
        if k.lower() not in TRACKING_PARAMS and not k.lower().startswith(TRACKING_PREFIXES)
    )
    return (host + path + (f"?{urlencode(query)}" if query else ""))[:1000]
