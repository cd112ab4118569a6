"""A round's clock in words and the legal windows as dates (appeals.queries.clocks)."""

from __future__ import annotations

from datetime import date, timedelta

import pytest
from django.utils import timezone

from appeals.models import Appeal
from appeals.queries.clocks import clock_label, clock_of, legal_windows_for
from coalition.models import Membership
from tests.appeals.builders import make_round
from tests.factories import MembershipFactory, SellerFactory

S = Appeal.State
pytestmark = pytest.mark.django_db


def test_clock_labels(grievance):
    appeal = make_round(grievance, S.INFO_REQUESTED, paused_remaining_days=1)
    assert (
        clock_label(appeal, clock_of(appeal))
        == "paused: 1 business day left once the information is sent"
    )
    sent = make_round(grievance, S.SUBMITTED)
    sent.response_due_at = timezone.now() - timedelta(days=8)
    sent.very_overdue_at = timezone.now() + timedelta(days=8)
    label = clock_label(sent, clock_of(sent))
    assert label.startswith("overdue by ") and label.endswith("business days")
    assert (
        clock_label(make_round(grievance, S.DRAFT), clock_of(make_round(grievance, S.DRAFT))) == ""
    )


def test_legal_windows_are_dates_from_the_platforms_action(grievance):
    grievance.infraction_date = date(2025, 3, 3)
    grievance.platform.legal_regimes = ["eu_p2b", "eu_dsa"]
    MembershipFactory(
        grievance=grievance,
        state=Membership.State.VERIFIED,
        seller=SellerFactory(country_of_establishment="FR"),
    )
    windows = {w.key: w.closes for w in legal_windows_for(grievance)}
    assert windows["appeal_window"] == date(2025, 6, 2)  # 90 days: Sunday 1 June rolls to Monday
    assert windows["dsa_complaint"] == date(2025, 9, 3)
    assert windows["p2b_termination_notice"] == date(2025, 4, 2)


def test_only_the_windows_of_laws_that_apply_are_shown(grievance):
    grievance.infraction_date = date(2025, 3, 3)
    grievance.platform.legal_regimes = ["us_ftc"]  # e.g. Amazon US
    assert [w.key for w in legal_windows_for(grievance)] == ["appeal_window"]
    grievance.platform.legal_regimes = ["eu_p2b", "eu_dsa"]  # no seller established in the EU
    assert [w.key for w in legal_windows_for(grievance)] == ["appeal_window", "dsa_complaint"]


def test_no_dates_no_windows(grievance):
    assert legal_windows_for(grievance) == []
