"""Fixtures the coalition tests share. The layers under them (platform → grievance → organiser,
member, outsider, staff → clients) are in tests/conftest.py."""

from __future__ import annotations

import pytest
from django.test import Client
from rest_framework.test import APIClient

from coalition.categories import Category
from tests.factories import GrievanceFactory, MembershipFactory, OrganiserFactory


@pytest.fixture
def as_(request):
    """as_("member") -> the API client of that role from tests/conftest.py (anonymous: none)."""

    def client(who: str):
        return request.getfixturevalue("api_client" if who == "anonymous" else f"{who}_api")

    return client


# --- a grievance against counterfeits (reports, coupons, health checks) -----------------------


@pytest.fixture
def counterfeit(platform, organiser):
    """An open grievance against counterfeits, organised by `organiser`."""
    g = GrievanceFactory(
        platform=platform, category=Category.COUNTERFEIT_INFRINGER, title="Copies of our lamps"
    )
    OrganiserFactory(grievance=g, seller=organiser)
    return g


@pytest.fixture
def counterfeit_member(counterfeit, member):
    return MembershipFactory(grievance=counterfeit, seller=member)


@pytest.fixture
def as_role(counterfeit, organiser, counterfeit_member, outsider, staff_user):
    """as_role("member") -> a Django client signed in as that role in the counterfeit grievance;
    as_role("member", api=True) -> a DRF APIClient."""
    users = {
        "anonymous": None,
        "outsider": outsider.user,
        "member": counterfeit_member.seller.user,
        "organiser": organiser.user,
        "staff": staff_user,
    }

    def make(role: str, *, api: bool = False):
        client = APIClient() if api else Client()
        if users[role] is not None:
            client.force_login(users[role])
        return client

    make.users = users
    return make
