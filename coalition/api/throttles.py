"""Throttles that do not depend on the caller's address alone.

`LoginAccountThrottle` limits the API token login per account: the email address in the body,
normalised (trimmed, lower case), so a guesser spreading attempts over many addresses still
gets only LOGIN_ACCOUNT_RATE tries at one account. It sits next to the per-address limit
(scope "auth_token"), not instead of it. Like allauth's per-key login limit, it counts every
attempt, so someone guessing at an account also delays its owner's API login for at most the
period; the web login is limited separately by allauth.

`ClientAddressThrottle` is a mixin for address-based throttles that reads the address from
coalition.rules.client_address instead of DRF's NUM_PROXIES arithmetic (the two agree; this
keeps one implementation for a throttle that wants it explicitly).
"""

from __future__ import annotations

import hashlib

from rest_framework.settings import api_settings
from rest_framework.throttling import SimpleRateThrottle

from coalition.rules.client_address import client_ip

LOGIN_ACCOUNT_SCOPE = "login_account"
LOGIN_ACCOUNT_RATE = "10/h"


class ClientAddressThrottle:
    def get_ident(self, request) -> str:
        return client_ip(request)


class LoginAccountThrottle(SimpleRateThrottle):
    """At most LOGIN_ACCOUNT_RATE token logins per account; the rate can be changed with
    REST_FRAMEWORK["DEFAULT_THROTTLE_RATES"]["login_account"]."""

    scope = LOGIN_ACCOUNT_SCOPE

    def get_rate(self) -> str | None:
        # Read when a request comes in (DRF copies the rates onto the class at import).
        rates = api_settings.DEFAULT_THROTTLE_RATES or {}
        return rates.get(self.scope, LOGIN_ACCOUNT_RATE)

    def get_cache_key(self, request, view) -> str | None:
        account = login_account(request)
        if not account:
            return None  # nothing to count against; the serializer refuses the request
        # Hashed: cache keys are not a place for email addresses.
        digest = hashlib.sha256(account.encode()).hexdigest()
        return self.cache_format % {"scope": self.scope, "ident": digest}


def login_account(request) -> str:
    """The account a login request names: its email (or username), trimmed and lower-cased."""
    data = request.data
    if not hasattr(data, "get"):
        return ""
    value = data.get("email") or data.get("username") or ""
    return value.strip().lower() if isinstance(value, str) else ""
