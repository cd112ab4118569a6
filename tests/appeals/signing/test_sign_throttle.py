"""The co-sign throttle counts in one round trip to the shared cache."""

from __future__ import annotations

import pytest
import redis

from coalition.api import window_throttle
from tests.conftest import shared_redis_cache

REDIS_URL = "redis://127.0.0.1:6379/13"


@pytest.fixture
def redis_cache(monkeypatch):
    with shared_redis_cache(REDIS_URL, "throttle-test") as shared:
        monkeypatch.setattr(window_throttle, "cache", shared)
        yield shared


def test_a_request_is_counted_in_one_round_trip_on_redis(redis_cache, monkeypatch):
    trips = []
    real_execute = redis.client.Pipeline.execute
    real_command = redis.Redis.execute_command

    def pipeline_execute(self, *args, **kwargs):
        trips.append("pipeline")
        return real_execute(self, *args, **kwargs)

    def command(self, *args, **kwargs):
        trips.append(args[0])
        return real_command(self, *args, **kwargs)

    monkeypatch.setattr(redis.client.Pipeline, "execute", pipeline_execute)
    monkeypatch.setattr(redis.Redis, "execute_command", command)
    counts = [window_throttle.count_request("sign:1:w7", 3600) for _ in range(3)]
    assert counts == [1, 2, 3]
    assert trips == ["pipeline"] * 3
    name = redis_cache.make_and_validate_key("sign:1:w7")
    assert 0 < redis_cache._cache.get_client(name).ttl(name) <= 3600


def test_a_count_without_redis_adds_up_too():
    assert [window_throttle.count_request("sign:2:w1", 60) for _ in range(2)] == [1, 2]
