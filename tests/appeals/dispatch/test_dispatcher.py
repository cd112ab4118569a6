"""The dispatcher: claims each due follow-up once, retries failures with backoff, fails them
visibly, cancels what no longer applies, and recovers follow-ups whose dispatcher died.

(Two dispatchers racing over 1,000 follow-ups on PostgreSQL: tests/integration.)
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
import time_machine
from django.utils import timezone

from appeals import emails, jobs
from appeals.dispatch import service as dispatch
from appeals.models import FollowUp, Notification
from coalition.models import AuditEvent
from tests.factories import AppealFactory, FollowUpFactory, MembershipFactory

F = FollowUp.State
pytestmark = pytest.mark.django_db
NOON = datetime(2025, 3, 3, 12, 0, tzinfo=UTC)  # the `clock` fixture's moment (conftest.py)


def test_due_follow_ups_run_once_in_due_order(clock, claim_path, recorded):
    later = FollowUpFactory(key="b", due_at=NOON - timedelta(minutes=1))
    first = FollowUpFactory(key="a", due_at=NOON - timedelta(hours=1))
    FollowUpFactory(key="future", due_at=NOON + timedelta(seconds=1))
    assert dispatch.dispatch_due() == 2
    assert dispatch.dispatch_due() == 0
    assert recorded == ["a", "b"]
    for row in (first, later):
        row.refresh_from_db()
        assert (row.state, row.attempts, row.finished_at) == (F.DONE, 1, NOON)


def test_the_dispatcher_takes_now_as_a_parameter(clock, claim_path, recorded):
    FollowUpFactory(key="tomorrow", due_at=NOON + timedelta(days=1))
    assert dispatch.dispatch_due(NOON + timedelta(days=1)) == 1


def test_a_claimed_follow_up_is_not_claimed_again(clock, claim_path):
    FollowUpFactory(key="only")
    claimed = dispatch.claim_next(NOON)
    assert (claimed.key, claimed.state, claimed.attempts) == ("only", F.RUNNING, 1)
    assert dispatch.claim_next(NOON) is None


def test_limit_and_budget_stop_the_loop(clock, claim_path, recorded):
    for i in range(3):
        FollowUpFactory(key=f"k{i}")
    assert dispatch.dispatch_due(limit=2) == 2
    assert dispatch.dispatch_due(budget=-1) == 0
    assert dispatch.dispatch_due() == 1


def test_a_failing_job_is_retried_with_backoff_then_failed_visibly(clock, claim_path, monkeypatch):
    def boom(fu, now):
        Notification.objects.create(
            to_email="x@example.com",
            kind="x",
            dedupe_key=f"x:{fu.attempts}",
            subject="s",
            body_text="b",
        )
        raise RuntimeError("SMTP relay misconfigured")

    monkeypatch.setitem(jobs.JOBS, "next_round", boom)
    row = FollowUpFactory(key="flaky")
    dispatch.dispatch_due()
    row.refresh_from_db()
    assert (row.state, row.attempts) == (F.SCHEDULED, 1)
    assert "RuntimeError: SMTP relay misconfigured" in row.last_error
    assert NOON + dispatch.RETRY_AFTER * 0.75 <= row.due_at <= NOON + dispatch.RETRY_AFTER
    assert not Notification.objects.exists()  # the job's writes were rolled back
    for _ in range(dispatch.MAX_ATTEMPTS - 1):
        clock.move_to(FollowUp.objects.get(pk=row.pk).due_at)
        dispatch.dispatch_due()
    row.refresh_from_db()
    assert (row.state, row.attempts) == (F.FAILED, dispatch.MAX_ATTEMPTS)
    assert dispatch.retry([row.pk]) == 1
    row.refresh_from_db()
    assert (row.state, row.attempts, row.due_at) == (F.SCHEDULED, 0, timezone.now())


def test_a_follow_up_that_no_longer_applies_is_cancelled_with_the_reason(
    clock, claim_path, monkeypatch
):
    def moved_on(fu, now):
        raise jobs.NotApplicable("the round was granted")

    monkeypatch.setitem(jobs.JOBS, "next_round", moved_on)
    row = FollowUpFactory()
    dispatch.dispatch_due()
    row.refresh_from_db()
    assert (row.state, row.last_error, row.finished_at) == (
        F.CANCELLED,
        "the round was granted",
        NOON,
    )


def test_a_dispatcher_whose_claim_was_taken_over_changes_nothing(clock, claim_path, monkeypatch):
    """It was presumed dead, the sweeper re-scheduled its follow-up and another dispatcher
    claimed it: the slow one's writes roll back and the row stays the new owner's."""

    def slow(fu, now):
        FollowUp.objects.filter(pk=fu.pk).update(attempts=fu.attempts + 1)  # re-claimed meanwhile
        Notification.objects.create(
            to_email="x@example.com", kind="x", dedupe_key="slow", subject="s", body_text="b"
        )

    monkeypatch.setitem(jobs.JOBS, "next_round", slow)
    row = FollowUpFactory()
    dispatch.dispatch_due()
    row.refresh_from_db()
    assert row.state == F.RUNNING  # not marked done by the loser
    assert not Notification.objects.exists()


def test_follow_ups_of_a_dead_dispatcher_are_scheduled_again_by_the_sweeper(clock):
    dead = FollowUpFactory(
        state=F.RUNNING, claimed_at=NOON - dispatch.STALE_RUNNING - timedelta(seconds=1)
    )
    alive = FollowUpFactory(state=F.RUNNING, claimed_at=NOON - timedelta(minutes=1))
    assert dispatch.recover_stale() == 1
    dead.refresh_from_db()
    alive.refresh_from_db()
    assert (dead.state, alive.state) == (F.SCHEDULED, F.RUNNING)


def test_a_long_fan_out_renews_its_claim_and_commits_chunk_by_chunk(clock, grievance, organiser):
    for _ in range(5):
        MembershipFactory(grievance=grievance)
    appeal = AppealFactory(grievance=grievance, state="signing", signing_opened_at=NOON)
    row = FollowUpFactory(
        kind="signing_reminder", key="fan", appeal=appeal, data={"slot": "opened"}
    )
    claimed = dispatch.claim_next(NOON)
    stamps = []

    def build(membership):
        stamps.append(FollowUp.objects.get(pk=row.pk).claimed_at)

        return emails.signing_reminder(membership, appeal, "opened", now=NOON)

    with time_machine.travel(NOON + timedelta(minutes=20), tick=False):
        count = jobs.fan_out(claimed, jobs._reachable(appeal), build, chunk=2)
    assert count == 6 and Notification.objects.count() == 6
    assert stamps[0] == NOON and stamps[-1] == NOON + timedelta(minutes=20)
    with time_machine.travel(NOON + timedelta(minutes=21), tick=False):
        assert dispatch.recover_stale() == 0  # heartbeat: not taken for dead


def test_an_interrupted_fan_out_run_again_writes_each_email_once(
    clock, grievance, organiser, monkeypatch
):
    for _ in range(4):
        MembershipFactory(grievance=grievance)
    appeal = AppealFactory(grievance=grievance, state="signing", signing_opened_at=NOON)
    FollowUpFactory(kind="signing_reminder", key="fan", appeal=appeal, data={"slot": "opened"})
    real_enqueue = jobs.outbox.enqueue
    calls = {"n": 0}

    def dies_on_the_second_chunk(rows):
        calls["n"] += 1
        if calls["n"] == 2:
            raise SystemExit("worker killed")  # not an Exception: nothing marks it failed
        return real_enqueue(rows)

    monkeypatch.setattr(jobs.outbox, "enqueue", dies_on_the_second_chunk)
    monkeypatch.setitem(jobs.fan_out.__kwdefaults__, "chunk", 2)
    with pytest.raises(SystemExit):
        dispatch.dispatch_due()
    assert Notification.objects.count() == 2
    assert FollowUp.objects.get(key="fan").state == F.RUNNING
    monkeypatch.setattr(jobs.outbox, "enqueue", real_enqueue)
    with time_machine.travel(NOON + dispatch.STALE_RUNNING + timedelta(seconds=1), tick=False):
        assert dispatch.recover_stale() == 1
        assert dispatch.dispatch_due() == 1
    assert Notification.objects.count() == 5  # 4 members + the organiser, each once
    assert FollowUp.objects.get(key="fan").state == F.DONE
    assert AuditEvent.objects.get(verb="round.reminded_to_sign").data["members"] == 5
