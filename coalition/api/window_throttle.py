"""A per-user rate limit in one cache round trip, for hot write endpoints (co-signing).

DRF's throttles keep a list of request times under the key: a read and a write per request,
two round trips to the shared cache. This one counts requests in fixed windows of the rate's
period: on Redis one pipelined INCR + EXPIRE, elsewhere add + incr. A fixed window lets a caller
spend at most twice the rate across a window's edge, which is fine for a limit whose job is to
stop floods, not to meter.
"""

from __future__ import annotations

from django.core.cache import cache

from coalition.api.permissions import ScopedThrottle


def count_request(key: str, timeout: int) -> int:
    """Add one to `key` (created with `timeout` seconds to live) and return the new count."""
    backend = getattr(cache, "_cache", None)
    if hasattr(backend, "get_client") and hasattr(cache, "make_and_validate_key"):
        name = cache.make_and_validate_key(key)
        pipe = backend.get_client(name, write=True).pipeline()
        pipe.incr(name)
        pipe.expire(name, timeout)
        count, _ = pipe.execute()
        return int(count)
    cache.add(key, 0, timeout)
    return cache.incr(key)


class WindowThrottle(ScopedThrottle):
    """The view's `throttle_scope` and its rate, as ScopedThrottle reads them; counted per
    user (per client address when anonymous) in windows of the rate's period."""

    def allow_request(self, request, view) -> bool:
        self.scope = getattr(view, self.scope_attr, None)
        if not self.scope:
            return True
        self.rate = self.get_rate()
        if self.rate is None:
            return True
        self.num_requests, self.duration = self.parse_rate(self.rate)
        key = self.get_cache_key(request, view)
        if key is None:
            return True
        self.now = self.timer()
        window = int(self.now // self.duration)
        if count_request(f"{key}:w{window}", self.duration) <= self.num_requests:
            return True
        self.window_ends = (window + 1) * self.duration
        return False

    def wait(self) -> float | None:
        return max(0.0, self.window_ends - self.now)
