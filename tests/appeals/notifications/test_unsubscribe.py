"""Unsubscribing and resubscribing (appeals.actions.notifications): the profile switch follows the
global unsubscribe, and doing it twice changes nothing."""

from __future__ import annotations

import pytest

from appeals.actions.notifications import resubscribe, unsubscribe
from appeals.models import Unsubscribe
from tests.factories import GrievanceFactory, SellerFactory

pytestmark = pytest.mark.django_db


def test_unsubscribing_from_everything_also_unticks_the_profile_switch_and_undo_restores_it():
    seller = SellerFactory()
    assert unsubscribe(seller) is True
    seller.refresh_from_db()
    assert (
        not seller.email_notifications
        and Unsubscribe.objects.filter(seller=seller, grievance=None).exists()
    )
    assert resubscribe(seller) is True
    seller.refresh_from_db()
    assert seller.email_notifications and not Unsubscribe.objects.filter(seller=seller).exists()


def test_unsubscribing_twice_changes_nothing():
    seller, grievance = SellerFactory(), GrievanceFactory()
    assert unsubscribe(seller, grievance) is True
    assert unsubscribe(seller, grievance) is False
    assert Unsubscribe.objects.filter(seller=seller).count() == 1
