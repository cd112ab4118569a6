"""Fixtures of the grievance tests: a hidden grievance, a duplicate to merge."""

from __future__ import annotations

import pytest

from coalition.models import Grievance
from tests.factories import GrievanceFactory, MembershipFactory, OrganiserFactory


@pytest.fixture
def hidden(grievance):
    Grievance.objects.filter(pk=grievance.pk).update(hidden=True, hidden_reason="spam")
    grievance.refresh_from_db()
    return grievance


@pytest.fixture
def duplicate(platform, organiser):
    g = GrievanceFactory(platform=platform, title="Funds frozen (duplicate)")
    OrganiserFactory(grievance=g, seller=organiser)
    MembershipFactory(grievance=g)
    return g
