"""The client's IP address, for rate limits: one setting says how far to trust X-Forwarded-For.

TRUSTED_PROXY_COUNT (environment variable of the same name) is the number of reverse proxies in
front of the site that append to X-Forwarded-For (nginx's $proxy_add_x_forwarded_for, a load
balancer). With N of them, the N-th address from the right is the one the outermost proxy saw
connect; everything to its left was written by the client and is ignored. With 0 (the default)
the header is ignored altogether and the socket address (REMOTE_ADDR) is the client.

Everything that counts requests per address uses this: django-ratelimit through
RATELIMIT_IP_META_KEY, DRF's throttles through NUM_PROXIES (same arithmetic) and allauth through
ALLAUTH_TRUSTED_PROXY_COUNT, all set from TRUSTED_PROXY_COUNT in config/settings/base.py.

Falling back safely: a header with fewer addresses than proxies means the request came in
behind fewer of them, and its leftmost address was still written by a proxy (as DRF does); an
entry that is not an IP address gives way to REMOTE_ADDR.
"""

from __future__ import annotations

import ipaddress
import logging

from django.conf import settings

logger = logging.getLogger(__name__)
# Requests with no usable address (a proxy on a Unix socket with TRUSTED_PROXY_COUNT unset)
# share one bucket: they are still limited, together, and nobody gets an error page for it.
UNKNOWN = "unknown"


def trusted_proxy_count() -> int:
    return max(0, int(getattr(settings, "TRUSTED_PROXY_COUNT", 0) or 0))


def client_ip(request) -> str:
    """The client's address for `request` (a Django or DRF request)."""
    remote = request.META.get("REMOTE_ADDR") or ""
    proxies = trusted_proxy_count()
    forwarded = request.META.get("HTTP_X_FORWARDED_FOR", "")
    if proxies and forwarded:
        hops = [hop.strip() for hop in forwarded.split(",")]
        address = _address(hops[-min(proxies, len(hops))])
        if address:
            return address
    address = _address(remote)
    if not address:
        logger.warning(
            "A request has no usable client address (REMOTE_ADDR is empty, e.g. behind a proxy "
            "on a Unix socket): set TRUSTED_PROXY_COUNT to the number of proxies in front of "
            "the site (README.md, Deploying). Such requests share one rate-limit bucket."
        )
        return UNKNOWN
    return address


def _address(text: str) -> str:
    """A bare IP address from "1.2.3.4", "1.2.3.4:5678" or "[2001:db8::1]:443"; "" if none."""
    text = text.strip()
    if text.startswith("[") and "]" in text:
        text = text[1 : text.index("]")]
    elif text.count(":") == 1:
        text = text.split(":", 1)[0]
    try:
        return str(ipaddress.ip_address(text))
    except ValueError:
        return ""
