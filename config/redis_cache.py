"""Django's Redis cache backend, with one Redis client per connection pool kept for the process,
and the two writes the hot paths make (coalition/cache.py) in as few commands as Redis allows.

Django's `RedisCacheClient.get_client` makes a new `redis.Redis` for every cache call, and each
one builds redis-py's table of response callbacks (about 170 entries) before sending anything:
on a public answer served from the cache that was a quarter of the request. A `redis.Redis`
over a connection pool is safe to share between threads, and the pool itself notices a fork, so
keeping one per pool changes nothing but the cost. Settings use it wherever CACHE_URL names
Redis (config/settings/base.py).

- `set_many` without a timeout is one MSET. Django wraps it in MULTI/EXEC, which a single
  command does not need; MSET, like SET, drops any time to live the keys had.
- `count` adds one to a counter, renews its time to live and sets other keys, in one command
  (a Lua script, below): the co-sign's throttle and its cache-version bump (coalition/cache.py
  `count`). All writes go to the first server, as Django's own writes do.
"""

from __future__ import annotations

from django.core.cache.backends import redis as django_redis
from redis.exceptions import NoScriptError


class RedisCacheClient(django_redis.RedisCacheClient):
    def __init__(self, *args, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self._clients: dict[int, object] = {}
        self._count_scripts: dict[int, object] = {}

    def get_client(self, key=None, *, write=False):
        pool = self._get_connection_pool(write)
        client = self._clients.get(id(pool))
        if client is None:
            client = self._clients.setdefault(id(pool), self._client(connection_pool=pool))
        return client

    def set_many(self, data, timeout):
        if timeout is not None:
            return super().set_many(data, timeout)
        client = self.get_client(None, write=True)
        client.mset({k: self._serializer.dumps(v) for k, v in data.items()})
        return None

    def count(self, key: str, timeout: int, also_set: dict[str, object]) -> int:
        client = self.get_client(key, write=True)
        sha = self._count_scripts.get(id(client))
        if sha is None:
            sha = self._count_scripts.setdefault(id(client), client.script_load(_COUNT))
        values = [self._serializer.dumps(v) for v in also_set.values()]
        # EVALSHA sent as is: redis-py's Script wrapper took as long again as the command.
        command = ("EVALSHA", sha, 1 + len(also_set), key, *also_set, timeout, *values)
        try:
            return int(client.execute_command(*command))
        except NoScriptError:  # the server lost its scripts (a restart, SCRIPT FLUSH)
            client.script_load(_COUNT)
            return int(client.execute_command(*command))


# INCR, EXPIRE and the SETs as one script: one command to send and one reply to read, where a
# pipeline of the same commands cost a third more of the caller's time in redis-py. The keys it
# writes are all passed in KEYS, as Redis asks of scripts.
_COUNT = """
local n = redis.call('INCR', KEYS[1])
redis.call('EXPIRE', KEYS[1], ARGV[1])
for i = 2, #KEYS do
    redis.call('SET', KEYS[i], ARGV[i])
end
return n
"""


class RedisCache(django_redis.RedisCache):
    def __init__(self, server, params) -> None:
        super().__init__(server, params)
        self._class = RedisCacheClient

    def count(self, key: str, timeout: int, also_set: dict[str, object] | None = None) -> int:
        """Add one to the integer at `key` (renewing its time to live to `timeout` seconds)
        and return it; set `also_set` (no time to live) in the same round trip."""
        # make_key, not make_and_validate_key: these are the code's own keys, and the check
        # (a warning for keys memcached would refuse) walks every character of each.
        return self._cache.count(
            self.make_key(key),
            timeout,
            {self.make_key(k): v for k, v in (also_set or {}).items()},
        )
