"""A co-sign bumps what the signature changes after its statement, unless this process bumped it
less than half the settle time before; either way the cached public page shows the signature
right after it."""

from __future__ import annotations

from datetime import timedelta

import pytest
import time_machine
from django.test import Client
from django.utils import timezone
from rest_framework.authtoken.models import Token
from rest_framework.test import APIClient

from appeals.actions import signing
from appeals.models import Appeal
from coalition import cache as public_cache
from coalition.cache import grievance_scope
from tests.appeals.builders import add_members, make_round
from tests.conftest import shared_redis_cache

pytestmark = pytest.mark.django_db


@pytest.fixture
def redis_cache(monkeypatch):
    with shared_redis_cache("redis://127.0.0.1:6379/13", "cosign-bump-test") as shared:
        monkeypatch.setattr(public_cache, "cache", shared)
        monkeypatch.setattr(public_cache, "_BUMPED", {})  # as in a fresh worker
        yield shared


def cosign(appeal, membership) -> int:
    token, _ = Token.objects.get_or_create(user=membership.seller.user)
    client = APIClient(HTTP_AUTHORIZATION=f"Token {token.key}")
    url = f"/api/v1/appeals/{appeal.pk}/signature/"
    return client.post(url, {"consent_to_name": True}, format="json").status_code


def version(grievance) -> str:
    return public_cache.cache.get(public_cache._version_key(grievance_scope(grievance.pk)))


def signatures_shown(client, grievance) -> int:
    """The co-signatures in the public timeline of the grievance page (anonymous visitors see
    no round before it is sent, but they see the timeline)."""
    page = client.get(f"/grievances/{grievance.pk}/").content.decode()
    return page.count("co-signed an appeal round")


def test_a_burst_of_cosigns_bumps_once_and_then_makes_no_round_trip_to_the_cache(
    postgres, redis_cache, redis_trips, grievance
):
    appeal = make_round(grievance, Appeal.State.SIGNING)
    first, second, third = add_members(grievance, 3)
    before = version(grievance)
    with time_machine.travel(timezone.now(), tick=False) as clock:
        clock.shift(timedelta(seconds=public_cache.SETTLE_SECONDS))  # the set-up's bumps settle
        redis_trips.clear()
        assert cosign(appeal, first) == 201
        assert redis_trips == ["MSET"]  # after the statement: nothing before it
        bumped = version(grievance)
        assert bumped != before
        redis_trips.clear()
        clock.shift(timedelta(seconds=public_cache.SETTLE_SECONDS / 2 - 0.1))
        assert cosign(appeal, second) == 201
        assert cosign(appeal, second) == 200  # a repeat bumps nothing either
        assert redis_trips == []  # still unsettled from the first one's bump
        assert version(grievance) == bumped
        clock.shift(timedelta(seconds=0.2))  # now more than half the settle time after it
        redis_trips.clear()
        assert cosign(appeal, third) == 201
        assert redis_trips == ["MSET"]
        assert version(grievance) != bumped


def test_during_a_burst_the_page_shows_every_signature_and_is_kept_once_it_settles(
    postgres, redis_cache, redis_trips, grievance
):
    appeal = make_round(grievance, Appeal.State.SIGNING)
    members = add_members(grievance, 4)
    anonymous = Client(HTTP_ACCEPT_LANGUAGE="en")
    with time_machine.travel(timezone.now(), tick=False) as clock:
        for n, member in enumerate(members, start=1):
            assert cosign(appeal, member) == 201
            assert signatures_shown(anonymous, grievance) == n  # built afresh, not kept
            clock.shift(timedelta(seconds=1))
        clock.shift(timedelta(seconds=public_cache.SETTLE_SECONDS))
        assert signatures_shown(anonymous, grievance) == len(members)  # built and kept
        redis_trips.clear()
        assert signatures_shown(anonymous, grievance) == len(members)
        assert redis_trips == ["MGET"]  # served from the cache


def test_the_cached_page_shows_each_signature_right_after_it(
    postgres, redis_cache, redis_trips, grievance
):
    appeal = make_round(grievance, Appeal.State.SIGNING)
    members = add_members(grievance, 3)
    anonymous = Client(HTTP_ACCEPT_LANGUAGE="en")
    assert signatures_shown(anonymous, grievance) == 0
    with time_machine.travel(timezone.now(), tick=True) as clock:
        for n, member in enumerate(members, start=1):
            assert cosign(appeal, member) == 201
            assert signatures_shown(anonymous, grievance) == n  # built while unsettled
            clock.shift(timedelta(seconds=public_cache.SETTLE_SECONDS + 1))
            assert signatures_shown(anonymous, grievance) == n  # built and kept
            redis_trips.clear()
            assert signatures_shown(anonymous, grievance) == n
            assert redis_trips == ["MGET"]  # served from the cache


def test_a_cosign_that_ends_more_than_half_the_settle_time_after_the_bump_bumps_again(
    postgres, redis_cache, redis_trips, grievance, monkeypatch
):
    appeal = make_round(grievance, Appeal.State.SIGNING)
    first, second = add_members(grievance, 2)
    assert cosign(appeal, first) == 201
    real = signing.sign_in_one_statement
    with time_machine.travel(timezone.now(), tick=True) as clock:
        monkeypatch.setattr(
            signing,
            "sign_in_one_statement",
            lambda *a, **k: (clock.shift(timedelta(seconds=3)), real(*a, **k))[1],  # 3 s > 5 s / 2
        )
        redis_trips.clear()
        assert cosign(appeal, second) == 201
    assert redis_trips == ["MSET"]
