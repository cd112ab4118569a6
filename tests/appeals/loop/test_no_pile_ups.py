"""Follow-ups are checked against the state when they run: a round recorded late gets the most
advanced overdue alert only, not "overdue" and "very overdue" in the same minute."""

from __future__ import annotations

from datetime import timedelta

import pytest

from appeals.models import FollowUp, Notification
from coalition.models import AuditEvent
from tests.appeals.builders import MONDAY, open_round, submit
from tests.appeals.loop.support import run_due

pytestmark = pytest.mark.django_db


def test_a_round_recorded_late_gets_only_the_very_overdue_alert(
    clock, grievance, organiser, django_capture_on_commit_callbacks
):
    appeal = submit(
        open_round(grievance, organiser), organiser, submitted_at=MONDAY - timedelta(days=30)
    )
    run_due(clock, MONDAY + timedelta(minutes=1), django_capture_on_commit_callbacks)

    alerts = Notification.objects.filter(kind="overdue_alert")
    assert [
        key.split(":")[2].split("-")[0] for key in alerts.values_list("dedupe_key", flat=True)
    ] == ["very"]
    assert not AuditEvent.objects.filter(verb="round.overdue").exists()
    assert AuditEvent.objects.filter(verb="round.very_overdue").count() == 1
    due = FollowUp.objects.get(appeal=appeal, kind="overdue_alert", data__slot="due")
    assert (due.state, due.last_error) == ("cancelled", "the very-overdue alert supersedes it")


def test_an_overdue_round_not_yet_very_overdue_still_gets_its_overdue_alert(
    clock, grievance, organiser, django_capture_on_commit_callbacks
):
    appeal = submit(open_round(grievance, organiser), organiser)
    run_due(
        clock, appeal.response_due_at + timedelta(seconds=2), django_capture_on_commit_callbacks
    )
    assert AuditEvent.objects.filter(verb="round.overdue").count() == 1
