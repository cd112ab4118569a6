"""The co-sign throttle counts in one command to the shared cache, and the cache bump of what
the signature changes rides along in that command."""

from __future__ import annotations

import pytest

from coalition import cache as public_cache
from coalition.api.window_throttle import WindowThrottle
from coalition.cache import grievance_scope
from tests.conftest import shared_redis_cache

REDIS_URL = "redis://127.0.0.1:6379/13"


@pytest.fixture
def redis_cache(monkeypatch):
    with shared_redis_cache(REDIS_URL, "throttle-test") as shared:
        monkeypatch.setattr(public_cache, "cache", shared)
        yield shared


def version(scope: str) -> str | None:
    return public_cache.cache.get(public_cache._version_key(scope))


def test_a_request_is_counted_in_one_command_on_redis(redis_cache, redis_trips):
    assert public_cache.count("sign:1:w7", 3600) == 1  # may load the script first
    redis_trips.clear()
    counts = [public_cache.count("sign:1:w7", 3600) for _ in range(2)]
    assert counts == [2, 3]
    assert redis_trips == ["EVALSHA"] * 2
    name = redis_cache.make_and_validate_key("sign:1:w7")
    assert 0 < redis_cache._cache.get_client(name).ttl(name) <= 3600


def test_the_bump_rides_in_the_same_command(redis_cache, redis_trips):
    public_cache.count("sign:3:w0", 60)  # the script is loaded
    before = version(grievance_scope(5))
    redis_trips.clear()
    assert public_cache.count("sign:3:w1", 60, bumping=[grievance_scope(5)]) == 1
    assert redis_trips == ["EVALSHA"]
    after = version(grievance_scope(5))
    assert after is not None and after != before
    name = redis_cache.make_and_validate_key(public_cache._version_key(grievance_scope(5)))
    assert redis_cache._cache.get_client(name).ttl(name) == -1  # versions never expire
    assert version(grievance_scope(6)) is None  # only the scope asked for


def test_a_bump_on_its_own_is_one_command(redis_cache, redis_trips):
    public_cache.bump(9, lists=True)
    assert redis_trips == ["MSET"]
    assert version(grievance_scope(9)) and version(public_cache.LISTS)


def test_the_throttle_bumps_even_when_its_scope_has_no_rate(redis_cache, rf):
    class View:
        throttle_scope = None

    throttle = WindowThrottle(bumping=[grievance_scope(11)])
    assert throttle.allow_request(rf.post("/"), View())
    assert version(grievance_scope(11)) is not None


def test_a_count_without_redis_adds_up_and_bumps_too():
    before = version(grievance_scope(12))
    assert [
        public_cache.count("sign:2:w1", 60, bumping=[grievance_scope(12)]) for _ in range(2)
    ] == [1, 2]
    assert version(grievance_scope(12)) not in (None, before)


def test_a_count_after_redis_lost_its_scripts_loads_the_script_again(redis_cache):
    assert public_cache.count("sign:4:w1", 60) == 1
    redis_cache._cache.get_client(None, write=True).script_flush()
    assert public_cache.count("sign:4:w1", 60, bumping=[grievance_scope(13)]) == 2
    assert version(grievance_scope(13)) is not None
