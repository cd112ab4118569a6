"""Shared helpers for the page tests (tests/coalition/test_views_*.py)."""

from __future__ import annotations

from urllib.parse import urlparse

import pytest
from django.core.cache import cache
from django.test import Client

ROLES = ("anonymous", "outsider", "member", "organiser", "staff")


@pytest.fixture(autouse=True)
def fresh_rate_limits():
    # Rate-limit counters live in the (locmem) cache, which outlives a test.
    cache.clear()
    yield
    cache.clear()


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


def is_login_redirect(response) -> bool:
    return response.status_code == 302 and urlparse(response["Location"]).path == "/accounts/login/"


def text(response) -> str:
    return response.content.decode()
