"""Fixtures of the membership tests: a hidden grievance, named and anonymous members."""

from __future__ import annotations

from decimal import Decimal

import pytest
from django.utils import timezone

from coalition.models import Grievance, Membership
from tests.factories import MembershipFactory, SellerFactory, StoreFactory


@pytest.fixture
def hidden(grievance):
    Grievance.objects.filter(pk=grievance.pk).update(hidden=True)
    return grievance


@pytest.fixture
def named_and_anonymous(grievance, platform):
    """Two more members with stores and figures: one agreed to be named, one did not."""
    named = MembershipFactory(
        grievance=grievance,
        consent_to_name=True,
        amount_withheld=Decimal("300"),
        seller=SellerFactory(display_name="Nadia Named"),
    )
    quiet = MembershipFactory(
        grievance=grievance,
        consent_to_name=False,
        amount_withheld=Decimal("700"),
        seller=SellerFactory(display_name="Quentin Quiet"),
    )
    for m in (named, quiet):
        store = StoreFactory(
            seller=m.seller, platform=platform, platform_store_id=f"PRIVATE-{m.pk}"
        )
        Membership.objects.filter(pk=m.pk).update(store=store, incident_date=timezone.localdate())
    return named, quiet
