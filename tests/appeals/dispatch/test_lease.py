"""A fan-out's claim is a lease: a fan-out whose worker died is resumed within minutes, and a
database error is the database's fault, not the job's (docs/outbox.md "Leases")."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
from django.db import OperationalError

from appeals import jobs
from appeals.dispatch import service as dispatch
from appeals.dispatch import tasks
from appeals.models import FollowUp
from tests.factories import FollowUpFactory

F = FollowUp.State
pytestmark = pytest.mark.django_db
NOON = datetime(2025, 3, 3, 12, 0, tzinfo=UTC)  # the `clock` fixture's moment (conftest.py)


def test_a_fan_out_without_a_chunk_for_a_lease_is_scheduled_again_other_jobs_are_not(
    clock, settings
):
    settings.FOLLOW_UP_LEASE_SECONDS = 90
    old = NOON - timedelta(seconds=91)
    dead_fan_out = FollowUpFactory(
        kind="signing_reminder", key="fan", state=F.RUNNING, claimed_at=old
    )
    live_fan_out = FollowUpFactory(
        kind="member_submit_reminder",
        key="live",
        state=F.RUNNING,
        claimed_at=NOON - timedelta(seconds=60),
    )
    long_job = FollowUpFactory(kind="next_round", key="long", state=F.RUNNING, claimed_at=old)
    assert dispatch.recover_stale() == 1
    states = {
        r.key: r.state
        for r in FollowUp.objects.filter(pk__in=[dead_fan_out.pk, live_fan_out.pk, long_job.pk])
    }
    assert states == {"fan": F.SCHEDULED, "live": F.RUNNING, "long": F.RUNNING}


def test_the_dispatch_beat_resumes_a_dead_fan_out_at_once(clock, settings, monkeypatch):
    settings.FOLLOW_UP_LEASE_SECONDS = 90
    FollowUpFactory(
        kind="signing_reminder",
        key="fan",
        state=F.RUNNING,
        claimed_at=NOON - timedelta(minutes=2),
        due_at=NOON - timedelta(minutes=3),
    )
    ran = []
    monkeypatch.setitem(jobs.JOBS, "signing_reminder", lambda f, now: ran.append(f.key))
    assert tasks.dispatch_due_follow_ups.run() == 1
    assert ran == ["fan"] and FollowUp.objects.get(key="fan").state == F.DONE


def test_a_database_error_in_a_job_schedules_it_again_soon_even_after_the_last_attempt(
    clock, monkeypatch
):
    row = FollowUpFactory(kind="next_round", key="db", attempts=dispatch.MAX_ATTEMPTS - 1)

    def terminated(follow_up, now):
        raise OperationalError("terminating connection due to administrator command")

    monkeypatch.setitem(jobs.JOBS, "next_round", terminated)
    assert dispatch.dispatch_due() == 1
    row.refresh_from_db()
    assert row.state == F.SCHEDULED and row.attempts == dispatch.MAX_ATTEMPTS
    assert row.due_at == NOON + dispatch.DB_RETRY_AFTER
    assert "OperationalError" in row.last_error
