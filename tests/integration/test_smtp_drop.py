"""(c) The SMTP server takes a message and drops the connection before answering: that row is
"delivery unknown" (it did arrive, once), and the ones after it are delivered over a new
connection, each once, none wrongly unknown."""

from __future__ import annotations

import time
from datetime import timedelta

import pytest
from django.utils import timezone

from appeals.dispatch import service as dispatch
from appeals.models import Notification
from appeals.outbox import service as outbox
from tests.factories import (
    AppealFactory,
    FollowUpFactory,
    GrievanceFactory,
    OrganiserFactory,
    SellerFactory,
)
from tests.integration.support import daytime_zone, seed_members, wait_until

pytestmark = [pytest.mark.integration, pytest.mark.django_db(transaction=True)]
MEMBERS = 60


def test_a_connection_dropped_after_the_server_took_a_message_leaves_only_that_row_unknown(
    worker, smtp
):
    zone = daytime_zone()
    grievance = GrievanceFactory()
    OrganiserFactory(grievance=grievance, seller=SellerFactory(time_zone=zone))
    seed_members(grievance, MEMBERS, zone=zone, prefix="drop")
    recipients = MEMBERS + 1
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
    smtp.recorder.drop_after = {20}  # the 20th message: taken, then the connection is dropped

    started = time.monotonic()
    assert dispatch.dispatch_due() == 1
    rows = Notification.objects.all()
    assert wait_until(
        lambda: not rows.filter(state__in=["pending", "sending"]).exists(), timeout=60
    ), worker.tail()
    time.sleep(2)  # any late duplicate would have arrived by now
    elapsed = time.monotonic() - started

    counts = smtp.recorder.per_recipient()
    unknown = list(rows.filter(state="failed"))
    print(
        f"\n[smtp drop] recipients={recipients} received={smtp.recorder.count()} "
        f"distinct={len(counts)} unknown={len(unknown)} "
        f"sent={rows.filter(state='sent').count()} in {elapsed:.1f}s"
    )
    assert len(unknown) == 1 and unknown[0].delivery_unknown
    assert unknown[0].last_error.startswith(outbox.UNKNOWN_DROPPED)
    _rcpts, dropped = smtp.recorder.snapshot()[19]
    assert dropped["To"] == unknown[0].to_email  # the very message the server hung up on
    assert rows.filter(state="sent").count() == recipients - 1
    assert len(counts) == recipients and set(counts.values()) == {1}
    assert smtp.recorder.count() == recipients
