"""Activate the viewer's language and time zone.

A signed-in seller's saved preferences win; an anonymous visitor gets the browser's language
(LocaleMiddleware) and the time zone their browser reported in the `tz` cookie (static/js/app.js).
"""

from __future__ import annotations

from django.utils import timezone, translation

from coalition.queries.sellers import seller_of
from coalition.rules.timezones import known_zone


class SellerPreferencesMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        seller = seller_of(request.user)
        zone = known_zone(seller.time_zone if seller else None) or known_zone(
            request.COOKIES.get("tz")
        )
        if zone is not None:
            timezone.activate(zone)
        else:
            timezone.deactivate()
        if seller is not None and seller.language and not request.path.startswith("/api/"):
            translation.activate(seller.language)
            request.LANGUAGE_CODE = translation.get_language()
        return self.get_response(request)
