"""A round's clock in words and the legal windows as dates (appeals.queries.clocks)."""

from __future__ import annotations

from datetime import date, timedelta

import pytest
from django.utils import timezone

from appeals.models import Appeal
from appeals.queries.clocks import clock_label, clock_of, legal_windows_for
from tests.appeals.builders import make_round

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
    windows = {w.key: w.closes for w in legal_windows_for(grievance)}
    assert windows["appeal_window"] == date(2025, 6, 2)  # 90 days: Sunday 1 June rolls to Monday
    assert windows["dsa_complaint"] == date(2025, 9, 3)
    assert windows["p2b_termination_notice"] == date(2025, 4, 2)


def test_no_dates_no_windows(grievance):
    assert legal_windows_for(grievance) == []
