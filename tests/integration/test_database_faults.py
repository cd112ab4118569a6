"""(a) Every backend of the test database is terminated three times during a 2,000-recipient
fan-out run by a real worker: while the fan-out writes its rows, and twice while they are being
sent. Every recipient gets exactly one email and every row ends `sent`: database errors are
transient, the bookkeeping is retried over a new connection, SMTP sessions are reset, and the
fan-out is resumed (docs/outbox.md)."""

from __future__ import annotations

import time
from datetime import timedelta

import pytest
from django.db import connection
from django.utils import timezone

from appeals.models import FollowUp, Notification
from config.celery_app import app
from tests.factories import (
    AppealFactory,
    FollowUpFactory,
    GrievanceFactory,
    OrganiserFactory,
    SellerFactory,
)
from tests.integration.support import Beat, Terminator, daytime_zone, seed_members, wait_until

pytestmark = [pytest.mark.integration, pytest.mark.django_db(transaction=True)]
MEMBERS = 2000


def test_terminating_every_database_connection_three_times_loses_and_doubles_nothing(
    worker, smtp, services
):
    zone = daytime_zone()
    grievance = GrievanceFactory()
    organiser = SellerFactory(time_zone=zone)
    OrganiserFactory(grievance=grievance, seller=organiser)
    seed_members(grievance, MEMBERS, zone=zone, prefix="dbfault")
    recipients = MEMBERS + 1
    now = timezone.now()
    appeal = AppealFactory(
        grievance=grievance, state="signing", signing_opened_at=now - timedelta(days=2)
    )
    follow_up = FollowUpFactory(
        kind="signing_reminder",
        key=f"signing_reminder:{appeal.pk}:opened",
        appeal=appeal,
        data={"slot": "opened"},
        due_at=now,
    )
    connection.close()  # from here on the test reads through the terminator's connection
    db = Terminator(services["database_url"])
    rows = "SELECT count(*) FROM appeals_notification"
    # When to strike: the fan-out half-written, then two points of the sending.
    strikes = [
        ("fan-out writing", lambda: db.scalar(rows) >= 500),
        ("sending", lambda: smtp.recorder.count() >= 600),
        ("sending", lambda: smtp.recorder.count() >= 1300),
    ]
    terminated = []
    started = time.monotonic()
    with Beat(app, interval=2.0):  # the worker's dispatcher runs the fan-out
        for _what, ready in strikes:
            assert wait_until(ready, timeout=90, interval=0.01), worker.tail()
            terminated.append(db.terminate_all())
        assert wait_until(lambda: len(smtp.recorder.per_recipient()) >= recipients, timeout=120), (
            worker.tail()
        )
        assert wait_until(
            lambda: (
                db.scalar("SELECT count(*) FROM appeals_notification WHERE state <> 'sent'") == 0
            ),
            timeout=60,
        ), worker.tail()
        time.sleep(3)  # any late duplicate would have arrived by now
    elapsed = time.monotonic() - started
    db.close()

    assert all(n > 0 for n in terminated), terminated  # each strike hit live backends
    log = worker.log.read_text(errors="replace")
    retried = log.count("outbox bookkeeping met a database error")
    resumed = log.count("met a database error; scheduled again")
    counts = smtp.recorder.per_recipient()
    missing = recipients - len(counts)
    doubled = sum(1 for n in counts.values() if n > 1)
    print(
        f"\n[database faults] recipients={recipients} received={smtp.recorder.count()} "
        f"missing={missing} doubled={doubled} backends terminated={terminated} "
        f"bookkeeping retries={retried} fan-out reschedules={resumed} in {elapsed:.1f}s"
    )
    assert (missing, doubled) == (0, 0)
    assert smtp.recorder.count() == recipients
    assert Notification.objects.filter(state="sent").count() == recipients
    assert Notification.objects.count() == recipients
    assert FollowUp.objects.get(pk=follow_up.pk).state == FollowUp.State.DONE
