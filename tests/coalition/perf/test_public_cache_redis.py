"""On Redis (as deployed), a public answer served from the cache costs one command, and an answer
kept under versions that have since moved is never served."""

from __future__ import annotations

import pytest
import redis

from coalition import cache as public_cache
from coalition.cache import LISTS, cached, grievance_scope
from tests.conftest import shared_redis_cache

REDIS_URL = "redis://127.0.0.1:6379/13"


@pytest.fixture
def redis_cache(monkeypatch, settled):
    with shared_redis_cache(REDIS_URL, "public-cache-test") as shared:
        monkeypatch.setattr(public_cache, "cache", shared)
        yield shared


@pytest.fixture
def commands(monkeypatch) -> list[str]:
    sent: list[str] = []
    real = redis.Redis.execute_command

    def record(self, *args, **kwargs):
        sent.append(args[0])
        return real(self, *args, **kwargs)

    monkeypatch.setattr(redis.Redis, "execute_command", record)
    return sent


def test_an_answer_from_the_cache_is_one_command(redis_cache, commands):
    builds: list[int] = []

    def build() -> dict:
        builds.append(1)
        return {"built": len(builds)}

    first = cached("test.answer", [LISTS, grievance_scope(7)], ["/x"], build)
    commands.clear()
    again = cached("test.answer", [LISTS, grievance_scope(7)], ["/x"], build)
    assert again == first == {"built": 1}
    assert commands == ["MGET"]


def test_an_answer_kept_under_old_versions_is_not_served_after_a_bump(redis_cache):
    assert cached("test.answer", [grievance_scope(7)], ["/x"], lambda: "old") == "old"
    public_cache.bump(7, lists=False)
    assert cached("test.answer", [grievance_scope(7)], ["/x"], lambda: "new") == "new"
    assert cached("test.answer", [grievance_scope(7)], ["/x"], lambda: "newer") == "new"


def test_a_bump_of_another_grievance_leaves_the_answer_cached(redis_cache):
    cached("test.answer", [grievance_scope(7)], ["/x"], lambda: "kept")
    public_cache.bump(8, lists=False)
    assert cached("test.answer", [grievance_scope(7)], ["/x"], lambda: "rebuilt") == "kept"


def test_an_answer_built_while_a_scope_is_unsettled_is_not_kept(redis_cache, monkeypatch):
    monkeypatch.setattr(public_cache, "SETTLE_SECONDS", 60.0)
    public_cache.bump(7, lists=False)
    assert cached("test.answer", [grievance_scope(7)], ["/x"], lambda: "first") == "first"
    assert cached("test.answer", [grievance_scope(7)], ["/x"], lambda: "second") == "second"


def test_the_backend_keeps_one_client_per_connection_pool(redis_cache):
    client = redis_cache._cache
    assert client.get_client(write=True) is client.get_client(write=True)
    assert client.get_client() is client.get_client("any-key")
