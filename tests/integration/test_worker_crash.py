"""(b) The worker is killed with SIGKILL in the middle of a 2,000-recipient reminder and started
again; with the beat running, every recipient has exactly one email at the SMTP server within
3 minutes of the restart (in practice: a lease and a sweep, seconds here).

The kill is aimed at the worst moment: both pool processes are inside DATA, their messages taken
by the server but not yet answered with "250" (the SMTP handler holds them). The outbox cannot know
whether those two arrived, so it never re-sends them (once their lease expires the sweeper marks
them failed, "delivery unknown"); every other row — claimed by the killed batches but not handed
over, queued, or not yet queued — is sent exactly once after the restart, and no other row is
"delivery unknown".
"""

from __future__ import annotations

import time
from datetime import timedelta

import pytest
from django.utils import timezone

from appeals.dispatch import service as dispatch
from appeals.models import Notification
from appeals.outbox import service as outbox
from config.celery_app import app
from tests.factories import (
    AppealFactory,
    FollowUpFactory,
    GrievanceFactory,
    OrganiserFactory,
    SellerFactory,
)
from tests.integration.support import Beat, daytime_zone, seed_members, wait_until

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
    in_doubt = set(
        Notification.objects.filter(state="sending", sent_at__isnull=False).values_list(
            "pk", flat=True
        )
    )
    assert len(in_doubt) == 2
    untouched = Notification.objects.filter(state="sending", sent_at__isnull=True).count()
    assert untouched > 0

    # The worker comes back; the beat sweeps (every minute in production) and takes over the
    # expired leases of the killed batches.
    restarted = time.monotonic()
    worker.start()
    with Beat(app, interval=2.0):
        assert wait_until(lambda: len(smtp.recorder.per_recipient()) == recipients, timeout=180), (
            worker.tail()
        )
        delivered_after = time.monotonic() - restarted
        assert wait_until(
            lambda: not Notification.objects.filter(state__in=["pending", "sending"]).exists(),
            timeout=60,
        )
        time.sleep(2)  # any late duplicate would have arrived by now
    counts = smtp.recorder.per_recipient()
    failed = list(Notification.objects.filter(state="failed"))
    doubled = sum(1 for n in counts.values() if n > 1)
    print(
        f"\n[worker crash] recipients={recipients} received before kill={received} "
        f"left claimed untouched={untouched} received={smtp.recorder.count()} "
        f"missing={recipients - len(counts)} doubled={doubled} unknown={len(failed)} "
        f"everyone delivered {delivered_after:.1f}s after the restart"
    )
    assert delivered_after < 180
    assert len(counts) == recipients and doubled == 0
    assert smtp.recorder.count() == recipients
    # Only the two messages the server held when the worker died are "delivery unknown".
    assert len(failed) == 2 and all(r.last_error == outbox.UNKNOWN_WORKER for r in failed)
    assert {r.pk for r in failed} == in_doubt
    assert all(counts[r.to_email] == 1 for r in failed)  # they did arrive, once
    assert Notification.objects.filter(state="sent").count() == recipients - 2
