"""(d) Two dispatchers run at once over 1,000 due follow-ups on PostgreSQL; each runs exactly once
(SELECT … FOR UPDATE SKIP LOCKED). Side effects are counted three ways: job invocations, outbox
rows, timeline events (which have no dedupe key, so a second run would show)."""

from __future__ import annotations

import threading
from collections import Counter
from datetime import timedelta

import pytest
from django.db import connection
from django.utils import timezone

from appeals import jobs
from appeals.dispatch import service as dispatch
from appeals.models import FollowUp, Notification, Submission
from appeals.outbox import service as outbox
from coalition.models import AuditEvent
from tests.conftest import require_service
from tests.factories import AppealFactory, GrievanceFactory, OrganiserFactory, SellerFactory
from tests.integration.support import seed_members

pytestmark = [pytest.mark.integration, pytest.mark.django_db(transaction=True)]
JOBS = 1000


def test_two_dispatchers_at_once_run_each_follow_up_exactly_once(monkeypatch):
    require_service(
        "PostgreSQL", connection.vendor == "postgresql", "set DATABASE_URL=postgres://…"
    )
    grievance = GrievanceFactory()
    OrganiserFactory(grievance=grievance, seller=SellerFactory())
    members = seed_members(grievance, JOBS, prefix="race")
    now = timezone.now()
    appeal = AppealFactory(
        grievance=grievance, state="submitted", submitted_at=now - timedelta(days=20)
    )
    submissions = Submission.objects.bulk_create(
        [Submission(appeal=appeal, membership_id=m, submitted_on=now.date()) for m in members]
    )
    FollowUp.objects.bulk_create(
        [
            FollowUp(
                kind="outcome_check",
                key=f"outcome_check:{s.pk}:race",
                appeal=appeal,
                submission=s,
                due_at=now - timedelta(minutes=1),
            )
            for s in submissions
        ]
    )
    runs, lock = Counter(), threading.Lock()
    real_job = jobs.JOBS["outcome_check"]

    def counted(follow_up, when):
        with lock:
            runs[follow_up.pk] += 1
        return real_job(follow_up, when)

    monkeypatch.setitem(jobs.JOBS, "outcome_check", counted)
    monkeypatch.setattr(outbox, "_publish", lambda pks, countdown=None: None)  # not sending here

    start, ran = threading.Barrier(2), []

    def dispatcher():
        try:
            start.wait()
            ran.append(dispatch.dispatch_due(now))
        finally:
            connection.close()

    threads = [threading.Thread(target=dispatcher) for _ in range(2)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=120)
    assert sum(ran) == JOBS and min(ran) > 0, ran  # both worked, together exactly the 1,000
    assert len(runs) == JOBS and set(runs.values()) == {1}
    assert set(FollowUp.objects.values_list("state", "attempts").distinct()) == {("done", 1)}
    assert Notification.objects.filter(kind="outcome_check").count() == JOBS
    assert AuditEvent.objects.filter(verb="submission.outcome_asked").count() == JOBS
