"""(b) The worker is killed with SIGKILL in the middle of a 2,000-recipient reminder; after a
sweep and a restart every recipient has exactly one email at the SMTP server.

The kill is aimed at the worst moment: both pool processes are inside DATA, their messages taken
by the server but not yet answered with "250" (the SMTP handler holds them). The outbox cannot know
whether those two arrived, so it never re-sends them (the sweeper marks them failed, "delivery
unknown"); every other row — claimed by the killed batches but not handed over, queued, or not yet
queued — is sent exactly once after the restart.
"""

from __future__ import annotations

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
MEMBERS = 2000


def test_a_worker_killed_mid_fan_out_loses_and_doubles_nothing(worker, smtp):
    zone = daytime_zone()
    grievance = GrievanceFactory()
    organiser = SellerFactory(time_zone=zone)
    OrganiserFactory(grievance=grievance, seller=organiser)
    seed_members(grievance, MEMBERS, zone=zone, prefix="crash")
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

    smtp.recorder.hold_after = 600  # from the 601st message on, take it and do not answer
    assert dispatch.dispatch_due() == 1
    assert Notification.objects.count() == recipients
    assert wait_until(lambda: smtp.recorder.held == 2, timeout=60), worker.tail()
    worker.kill()
    smtp.recorder.release.set()
    received = smtp.recorder.count()
    assert received == 602
    assert Notification.objects.filter(state="sent").count() == 600
    # Two rows handed over and unanswered; the rest of the two killed batches claimed, untouched.
    assert Notification.objects.filter(state="sending", sent_at__isnull=False).count() == 2
    untouched = Notification.objects.filter(state="sending", sent_at__isnull=True).count()
    assert untouched > 0

    # The sweeper (beat, every 5 minutes) once the claims are stale; then the worker comes back.
    found = outbox.sweep(timezone.now() + outbox.STALE_CLAIM + timedelta(minutes=1))
    assert (found["unknown"], found["released"]) == (2, untouched)
    assert found["queued"] >= recipients - 602
    worker.start()

    assert wait_until(lambda: len(smtp.recorder.per_recipient()) == recipients, timeout=120), (
        worker.tail()
    )
    assert wait_until(
        lambda: not Notification.objects.filter(state__in=["pending", "sending"]).exists(),
        timeout=30,
    )
    counts = smtp.recorder.per_recipient()
    assert len(counts) == recipients and set(counts.values()) == {1}
    assert smtp.recorder.count() == recipients
    failed = Notification.objects.filter(state="failed")
    assert failed.count() == 2 and all(r.last_error.startswith("Delivery unknown") for r in failed)
    assert all(counts[r.to_email] == 1 for r in failed)  # they did arrive, once
    assert Notification.objects.filter(state="sent").count() == recipients - 2
