"""A per-user rate limit in one cache round trip, for hot write endpoints (co-signing).

DRF's throttles keep a list of request times under the key: a read and a write per request,
two round trips to the shared cache. This one counts requests in fixed windows of the rate's
period (coalition/cache.py `count`: one command on Redis, elsewhere add + incr). A fixed window
lets a caller spend at most twice the rate across a window's edge, which is fine for a limit
whose job is to stop floods, not to meter. A co-sign's caller not yet looked up (a `Bearer`,
coalition/api/authentication.py) is counted under a digest of its token, which belongs to one
user, and so is any other request authenticated by a token (signing and withdrawing share one
count); a request with an unknown token is counted too, then refused.
"""

from __future__ import annotations

from collections.abc import Iterable

from rest_framework.authtoken.models import Token

from coalition.api.authentication import Bearer, token_ident
from coalition.api.permissions import ScopedThrottle
from coalition.cache import bump_scopes, count


class WindowThrottle(ScopedThrottle):
    """The view's `throttle_scope` and its rate, as ScopedThrottle reads them; counted per
    user (per client address when anonymous) in windows of the rate's period. `bumping`: cache
    scopes to bump in the same round trip (coalition/cache.py `count`), whether or not the
    request is then allowed."""

    def __init__(self, bumping: Iterable[str] = ()) -> None:
        super().__init__()
        self.bumping = list(bumping)

    def allow_request(self, request, view) -> bool:
        key = self._counted_key(request, view)
        if key is None:
            bump_scopes(*self.bumping)
            return True
        self.now = self.timer()
        window = int(self.now // self.duration)
        if count(f"{key}:w{window}", self.duration, bumping=self.bumping) <= self.num_requests:
            return True
        self.window_ends = (window + 1) * self.duration
        return False

    def _counted_key(self, request, view) -> str | None:
        """The caller's key, when the view's scope has a rate; None when nothing is counted."""
        self.scope = getattr(view, self.scope_attr, None)
        if not self.scope:
            return None
        self.rate = self.get_rate()
        if self.rate is None:
            return None
        self.num_requests, self.duration = self.parse_rate(self.rate)
        return self.get_cache_key(request, view)

    def get_cache_key(self, request, view) -> str:
        if isinstance(request.user, Bearer):  # asking for its pk would look its token up
            ident = request.user.throttle_ident
        elif isinstance(request.auth, Token):  # counted as its Bearer would be
            ident = token_ident(request.auth.key)
        else:
            return super().get_cache_key(request, view)
        return self.cache_format % {"scope": self.scope, "ident": ident}

    def wait(self) -> float | None:
        return max(0.0, self.window_ends - self.now)
