"""Activate the viewer's language and time zone.

A signed-in seller's saved preferences win; an anonymous visitor gets the browser's language
(LocaleMiddleware) and the time zone their browser reported in the `tz` cookie (static/js/app.js).
"""

from __future__ import annotations

import zoneinfo

from django.utils import timezone, translation

from coalition.queries.sellers import seller_of


def _zone(name: str | None):
    if not name:
        return None
    try:
        return zoneinfo.ZoneInfo(name)
    except (zoneinfo.ZoneInfoNotFoundError, ValueError):
        return None


class SellerPreferencesMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        seller = seller_of(request.user)
        zone = _zone(seller.time_zone if seller else None) or _zone(request.COOKIES.get("tz"))
        if zone is not None:
            timezone.activate(zone)
        else:
            timezone.deactivate()
        if seller is not None and seller.language and not request.path.startswith("/api/"):
            translation.activate(seller.language)
            request.LANGUAGE_CODE = translation.get_language()
        return self.get_response(request)
