"""Django's Redis cache backend, with one Redis client per connection pool kept for the process,
and the version bump of the public answers (coalition/cache.py) in one command.

Django's `RedisCacheClient.get_client` makes a new `redis.Redis` for every cache call, and each
one builds redis-py's table of response callbacks (about 170 entries) before sending anything:
on a public answer served from the cache that was a quarter of the request. A `redis.Redis`
over a connection pool is safe to share between threads, and the pool itself notices a fork, so
keeping one per pool changes nothing but the cost. Settings use it wherever CACHE_URL names
Redis (config/settings/base.py).

`set_many` without a timeout is one MSET. Django wraps it in MULTI/EXEC, which a single
command does not need; MSET, like SET, drops any time to live the keys had. All writes go to
the first server, as Django's own writes do.
"""

from __future__ import annotations

from django.core.cache.backends import redis as django_redis


class RedisCacheClient(django_redis.RedisCacheClient):
    def __init__(self, *args, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self._clients: dict[int, object] = {}

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


class RedisCache(django_redis.RedisCache):
    def __init__(self, server, params) -> None:
        super().__init__(server, params)
        self._class = RedisCacheClient
