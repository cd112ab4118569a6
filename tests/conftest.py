"""Layered fixtures: platform → grievance → organiser, member, outsider, staff → clients."""

from __future__ import annotations

import os

import pytest
from django.db import connection
from rest_framework.test import APIClient

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


@pytest.fixture(autouse=True)
def _fresh_cache():
    """Rate-limit counters live in the cache and would otherwise leak from one test to the next."""
    from django.core.cache import cache

    cache.clear()
    yield
