"""Layered fixtures: platform → grievance → organiser, member, outsider, staff → clients."""

from __future__ import annotations

import os
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import pytest
import redis
from django.core import mail
from django.core.cache import cache, caches
from django.db import connection
from django.test import Client, override_settings
from rest_framework.test import APIClient

from appeals.models import Notification
from appeals.outbox.service import send_pending
from coalition import cache as public_cache
from tests.factories import (
    GrievanceFactory,
    MembershipFactory,
    OrganiserFactory,
    PlatformFactory,
    SellerFactory,
    UserFactory,
)

IN_CI = os.environ.get("CI", "").lower() in {"1", "true", "yes"}


def require_service(name: str, available: bool, why: str = "") -> None:
    """Integration tests fail in CI when their service is missing; locally they skip."""
    if available:
        return
    message = f"{name} is not available{': ' + why if why else ''}"
    if IN_CI:
        pytest.fail(message)
    pytest.skip(message)


@contextmanager
def shared_redis_cache(url: str, prefix: str) -> Iterator:
    """The project's Redis cache backend (config/redis_cache.py, as deployed) on `url`, under its
    own key prefix, cleared afterwards; fails in CI (skips locally) when Redis is not there."""
    try:
        up = bool(redis.Redis.from_url(url, socket_connect_timeout=0.5).ping())
    except redis.RedisError:
        up = False
    require_service("Redis", up, url)
    config = {"default": {"BACKEND": "config.redis_cache.RedisCache", "LOCATION": url,
                          "KEY_PREFIX": prefix}}  # fmt: skip
    with override_settings(CACHES=config):
        shared = caches.create_connection("default")
        try:
            yield shared
        finally:
            shared.clear()


@pytest.fixture
def redis_trips(monkeypatch) -> list[str]:
    """Every round trip to Redis from now on: "pipeline", or the command sent on its own (a
    script is one: EVALSHA)."""
    seen: list[str] = []
    real_execute, real_command = redis.client.Pipeline.execute, redis.Redis.execute_command

    def pipeline_execute(self, *args, **kwargs):
        seen.append("pipeline")
        return real_execute(self, *args, **kwargs)

    def command(self, *args, **kwargs):
        seen.append(args[0])
        return real_command(self, *args, **kwargs)

    monkeypatch.setattr(redis.client.Pipeline, "execute", pipeline_execute)
    monkeypatch.setattr(redis.Redis, "execute_command", command)
    return seen


def use_private_storage(settings, tmp_path: Path) -> Path:
    """Default storage on a fresh private folder; returns its path.

    A test module that stores files points storage at a fresh folder with:

        @pytest.fixture(autouse=True)
        def evidence_storage(settings, tmp_path):
            return use_private_storage(settings, tmp_path)
    """
    root = tmp_path / "private"
    settings.STORAGES = {
        **settings.STORAGES,
        "default": {
            "BACKEND": "django.core.files.storage.FileSystemStorage",
            "OPTIONS": {"location": str(root), "base_url": None},
        },
    }
    return root


@pytest.fixture
def postgres(db):
    require_service(
        "PostgreSQL", connection.vendor == "postgresql", "set DATABASE_URL=postgres://…"
    )


@pytest.fixture
def platform(db):
    return PlatformFactory(name="Wishful", slug="wishful")


@pytest.fixture
def organiser(db):
    return SellerFactory(display_name="Olivia Organiser")


@pytest.fixture
def member(db):
    return SellerFactory(display_name="Mia Member")


@pytest.fixture
def outsider(db):
    return SellerFactory(display_name="Oscar Outsider")


@pytest.fixture
def staff_user(db):
    user = UserFactory(is_staff=True, is_superuser=True)
    SellerFactory(user=user, display_name="Staff")
    return user


@pytest.fixture
def grievance(platform, organiser):
    g = GrievanceFactory(platform=platform)
    OrganiserFactory(grievance=g, seller=organiser)
    return g


@pytest.fixture
def membership(grievance, member):
    return MembershipFactory(grievance=grievance, seller=member)


@pytest.fixture
def api_client():
    return APIClient()


def _logged_in(client_cls, user):
    client = client_cls()
    client.force_login(user)
    return client


@pytest.fixture
def organiser_api(organiser):
    return _logged_in(APIClient, organiser.user)


@pytest.fixture
def member_api(member, membership):
    return _logged_in(APIClient, member.user)


@pytest.fixture
def outsider_api(outsider):
    return _logged_in(APIClient, outsider.user)


@pytest.fixture
def staff_api(staff_user):
    return _logged_in(APIClient, staff_user)


@pytest.fixture
def organiser_client(client, organiser):
    client.force_login(organiser.user)
    return client


@pytest.fixture
def member_client(client, member, membership):
    client.force_login(member.user)
    return client


@pytest.fixture
def client_as(organiser, member, membership, outsider, staff_user):
    """client_as("member") -> a Django test client signed in as that role (anonymous: none)."""
    users = {
        "anonymous": None,
        "outsider": outsider.user,
        "member": member.user,
        "organiser": organiser.user,
        "staff": staff_user,
    }

    def make(role: str) -> Client:
        client = Client()
        if users[role] is not None:
            client.force_login(users[role])
        return client

    return make


@pytest.fixture
def send_outbox():
    """send_outbox() sends every due outbox row now, as the worker does after commit
    (docs/outbox.md); the emails land in django.core.mail.outbox."""
    return send_pending


@pytest.fixture
def outbox_emails():
    """outbox_emails("watcher.coupon") -> the emails of that kind that left the outbox, as
    django.core.mail.outbox holds them: each one an outbox row of that kind, marked sent."""

    def of_kind(kind: str) -> list[mail.EmailMessage]:
        sent = Notification.objects.filter(kind=kind, state=Notification.State.SENT)
        ids = set(sent.values_list("message_id", flat=True))
        return [m for m in mail.outbox if m.extra_headers.get("Message-ID") in ids]

    return of_kind


@pytest.fixture(autouse=True)
def _fresh_cache():
    """Rate-limit counters of the pages live in the cache and would otherwise leak from one test
    to the next; so would this process's memory of its cache bumps (coalition/cache.py
    `bump_committed`), which a cleared cache no longer holds."""
    cache.clear()
    public_cache._BUMPED.clear()
    yield
    cache.clear()
    public_cache._BUMPED.clear()
