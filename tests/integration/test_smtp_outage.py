"""(c) The SMTP server is down for a while: emails fail transiently and stay pending, retried with
backoff; once it is back on the same port every email arrives, none twice."""

from __future__ import annotations

import time
from datetime import timedelta

import pytest
from django.utils import timezone

from appeals.dispatch import service as dispatch
from appeals.models import Notification
from tests.factories import (
    AppealFactory,
    FollowUpFactory,
    GrievanceFactory,
    OrganiserFactory,
    SellerFactory,
)
from tests.integration.support import daytime_zone, seed_members, wait_until

pytestmark = [pytest.mark.integration, pytest.mark.django_db(transaction=True)]


def test_emails_wait_out_an_smtp_outage_and_arrive_once(worker, smtp):
    zone = daytime_zone()
    grievance = GrievanceFactory()
    organiser = SellerFactory(time_zone=zone)
    OrganiserFactory(grievance=grievance, seller=organiser)
    seed_members(grievance, 150, zone=zone, prefix="outage")
    now = timezone.now()
    appeal = AppealFactory(
        grievance=grievance, state="signing", signing_opened_at=now - timedelta(days=2)
    )
    FollowUpFactory(
        kind="signing_reminder",
        key=f"signing_reminder:{appeal.pk}:opened",
        appeal=appeal,
        data={"slot": "opened"},
        due_at=now,
    )

    smtp.stop()
    dispatch.dispatch_due()
    rows = Notification.objects.all()
    assert rows.count() == 151
    # Down for a while: every row has been tried and put off at least twice, none given up.
    assert wait_until(lambda: not rows.filter(attempts__lt=2).exists(), timeout=30), worker.tail()
    # Retries go on during the outage, so a row may be mid-attempt ("sending") at any instant;
    # what must hold is that none was given up or counted as sent.
    assert set(rows.values_list("state", flat=True)) <= {"pending", "sending"}
    assert all(
        "Connection refused" in e or "refused" in e.lower()
        for e in rows.values_list("last_error", flat=True)
    )

    smtp.start()  # back, on the same port
    assert wait_until(lambda: len(smtp.recorder.per_recipient()) == 151, timeout=60), worker.tail()
    assert wait_until(lambda: set(rows.values_list("state", flat=True)) == {"sent"}, timeout=30)
    time.sleep(2)  # any late duplicate would have arrived by now
    counts = smtp.recorder.per_recipient()
    assert len(counts) == 151 and set(counts.values()) == {1} and smtp.recorder.count() == 151
