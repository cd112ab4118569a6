"""A per-user rate limit counted in the database, for hot write endpoints (co-signing).

DRF's throttles keep a list of request times in the shared cache: a read and a write per
request, two round trips. This one counts requests in fixed windows of the rate's period
(coalition/actions/rates.py): one upsert, and none of its own on the co-sign, whose statement
counts the request itself (`window`, then appeals/actions/signing.py). A co-sign's caller not
yet looked up (a `Bearer`, coalition/api/authentication.py) is counted under a digest of its
token, which belongs to one user, and so is any other request authenticated by a token
(signing and withdrawing share one count); a request with an unknown token is counted too,
then refused.
"""

from __future__ import annotations

from rest_framework.authtoken.models import Token

from coalition.actions import rates
from coalition.api.authentication import Bearer, token_ident
from coalition.api.permissions import ScopedThrottle


class WindowThrottle(ScopedThrottle):
    """The view's `throttle_scope` and its rate, as ScopedThrottle reads them; counted per
    user (per client address when anonymous) in windows of the rate's period."""

    def allow_request(self, request, view) -> bool:
        self.counted = self.window(request, view)
        if self.counted is None:
            return True
        try:
            rates.check(self.counted)
        except rates.Exceeded:
            return False
        return True

    def window(self, request, view) -> rates.Window | None:
        """The window this request counts in, not yet counted; None when the view's scope has
        no rate."""
        self.scope = getattr(view, self.scope_attr, None)
        if not self.scope:
            return None
        self.rate = self.get_rate()
        if self.rate is None:
            return None
        self.num_requests, self.duration = self.parse_rate(self.rate)
        return rates.Window.at(
            self.get_cache_key(request, view),
            limit=self.num_requests,
            period=self.duration,
            now=self.timer(),
        )

    def get_cache_key(self, request, view) -> str:
        if isinstance(request.user, Bearer):  # asking for its pk would look its token up
            ident = request.user.throttle_ident
        elif isinstance(request.auth, Token):  # counted as its Bearer would be
            ident = token_ident(request.auth.key)
        else:
            return super().get_cache_key(request, view)
        return self.cache_format % {"scope": self.scope, "ident": ident}

    def wait(self) -> float | None:
        return self.counted.wait if self.counted else None
