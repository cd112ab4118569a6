"""The dispatcher: claims due follow-ups and runs each once (docs/domain.md "Follow-ups and
reminders"). Its Celery tasks are beside it, in appeals/dispatch/tasks.py.

Claiming is atomic, so any number of dispatchers can run at once (the beat task every minute, a
management command, a second beat by mistake) and still run each follow-up exactly once:
- on PostgreSQL, `SELECT … FOR UPDATE SKIP LOCKED LIMIT 1` picks the next due row no other
  dispatcher holds, and the same transaction moves it scheduled → running;
- elsewhere (SQLite), a conditional `UPDATE … WHERE state = 'scheduled'` that must touch exactly
  one row; SQLite serialises writers, so the loser sees 0 rows and tries the next one.

The claim increments `attempts`, which is the claim's token: marking the follow-up done, failed or
cancelled is conditional on it, so a dispatcher whose claim was taken over can change nothing.

A job and its "done" mark commit together (jobs.FAN_OUTS commit per chunk, see jobs.py). A job
that raises goes back to `scheduled` with backoff, and `failed` after MAX_ATTEMPTS — visible and
retryable in the admin. A job that meets a database connection error (the database restarted, its
backend was terminated) is not the job's fault: the broken connection is closed and the follow-up
is scheduled again a few seconds later, without counting against MAX_ATTEMPTS.

A dispatcher that dies mid-job leaves the row `running`. A fan-out renews its claim (claimed_at)
with every chunk, which makes claimed_at a lease: after FOLLOW_UP_LEASE without renewal the
recovery (run by every dispatch beat and every sweep, each minute) schedules it again, so a fan-out
whose worker died is resumed within about three minutes. Other jobs run in one transaction and
renew nothing, so they are taken for dead only after STALE_RUNNING. Jobs are safe to re-run: their
emails have dedupe keys, and what they change they check first (docs/outbox.md "Leases").
"""

from __future__ import annotations

import logging
import random
import time as monotonic_time
from collections.abc import Sequence
from datetime import datetime, timedelta

from django.conf import settings
from django.db import InterfaceError, OperationalError, connection, transaction
from django.db.models import F as Field
from django.db.models import Q
from django.utils import timezone

from appeals import jobs
from appeals.models import FollowUp
from coalition.actions.timeline import record_event

logger = logging.getLogger(__name__)

F = FollowUp.State
MAX_ATTEMPTS = 3
RETRY_AFTER = timedelta(minutes=5)
STALE_RUNNING = timedelta(minutes=15)
# A job that met a database error runs again after this (no backoff: the job did nothing wrong).
DB_RETRY_AFTER = timedelta(seconds=5)
DB_RETRY_PAUSES = (0.1, 0.5, 1.0, 2.0, 4.0)
CANDIDATES = 20  # rows looked at per conditional-UPDATE round (SQLite)


def dispatch_due(
    now: datetime | None = None, *, limit: int | None = None, budget: float | None = None
) -> int:
    """Run follow-ups due at `now` (default: the current time) one by one until none is left,
    `limit` ran, or `budget` seconds passed. Returns how many were run."""
    now = now or timezone.now()
    started, ran = monotonic_time.monotonic(), 0
    while limit is None or ran < limit:
        if budget is not None and monotonic_time.monotonic() - started > budget:
            break
        follow_up = claim_next(now)
        if follow_up is None:
            break
        run(follow_up, now)
        ran += 1
    return ran


def claim_next(now: datetime) -> FollowUp | None:
    """Claim the next due follow-up for this dispatcher (scheduled → running), or None."""
    due = FollowUp.objects.filter(state=F.SCHEDULED, due_at__lte=now).order_by("due_at", "pk")
    if connection.features.has_select_for_update_skip_locked:
        with transaction.atomic():
            pk = due.select_for_update(skip_locked=True).values_list("pk", flat=True).first()
            if pk is None:
                return None
            _mark_claimed(FollowUp.objects.filter(pk=pk))
    else:
        pk = _claim_by_update(due)
        if pk is None:
            return None
    return FollowUp.objects.get(pk=pk)


def _claim_by_update(due) -> int | None:
    while True:
        candidates = list(due.values_list("pk", flat=True)[:CANDIDATES])
        if not candidates:
            return None
        for pk in candidates:
            if _mark_claimed(FollowUp.objects.filter(pk=pk, state=F.SCHEDULED)) == 1:
                return pk


def _mark_claimed(rows) -> int:
    return rows.update(state=F.RUNNING, claimed_at=timezone.now(), attempts=Field("attempts") + 1)


def run(follow_up: FollowUp, now: datetime) -> str:
    """Run one claimed follow-up; returns the state it ended in (or "lost")."""
    job = jobs.JOBS[follow_up.kind]
    try:
        if follow_up.kind in jobs.FAN_OUTS:
            event = job(follow_up, now)
            with transaction.atomic():
                _finish(follow_up, event)
        else:
            with transaction.atomic():
                _finish(follow_up, job(follow_up, now))
    except jobs.LostClaim:
        logger.warning("follow-up %s was taken over by another dispatcher", follow_up.key)
        return "lost"
    except jobs.NotApplicable as why:
        return _settle(follow_up, F.CANCELLED, str(why))
    except (OperationalError, InterfaceError) as exc:
        logger.warning("follow-up %s met a database error; scheduled again", follow_up.key)
        return _settle_after_database_error(follow_up, exc)
    except Exception as exc:
        logger.exception("follow-up %s failed", follow_up.key)
        if follow_up.attempts >= MAX_ATTEMPTS:
            return _settle(follow_up, F.FAILED, f"{type(exc).__name__}: {exc}")
        return _settle(
            follow_up, F.SCHEDULED, f"{type(exc).__name__}: {exc}", due_at=_retry_at(follow_up)
        )
    return F.DONE


def _finish(follow_up: FollowUp, event: jobs.Event | None) -> None:
    done = _mine(follow_up).update(state=F.DONE, finished_at=timezone.now(), last_error="")
    if done != 1:
        raise jobs.LostClaim(follow_up.key)  # rolls back what the job wrote (fan-outs: its event)
    if event is not None:
        record_event(
            event.appeal.grievance,
            event.verb,
            actor=None,
            subject=f"round:{event.appeal.number}",
            **event.data,
        )


def _settle(follow_up: FollowUp, state: str, error: str, *, due_at: datetime | None = None) -> str:
    changes = {"state": state, "last_error": error[:2000]}
    if due_at is not None:
        changes["due_at"] = due_at
    if state != F.SCHEDULED:
        changes["finished_at"] = timezone.now()
    won = _mine(follow_up).update(**changes)
    return state if won else "lost"


def _settle_after_database_error(follow_up: FollowUp, exc: Exception) -> str:
    """Schedule the follow-up again soon over a fresh connection, trying a few times."""
    error = f"{type(exc).__name__}: {exc}"
    for pause in (*DB_RETRY_PAUSES, None):
        if not connection.in_atomic_block:
            connection.close()  # broken; the next query opens a new one
        try:
            return _settle(follow_up, F.SCHEDULED, error, due_at=timezone.now() + DB_RETRY_AFTER)
        except (OperationalError, InterfaceError):
            if pause is None:
                raise  # still down: the lease (fan-outs) or STALE_RUNNING recovers it
            monotonic_time.sleep(pause)
    raise AssertionError("unreachable")


def _mine(follow_up: FollowUp):
    return FollowUp.objects.filter(pk=follow_up.pk, state=F.RUNNING, attempts=follow_up.attempts)


def _retry_at(follow_up: FollowUp) -> datetime:
    delay = RETRY_AFTER * (2 ** (follow_up.attempts - 1))
    return timezone.now() + delay * random.uniform(0.75, 1.0)


def follow_up_lease() -> timedelta:
    """How long a fan-out owns its follow-up without renewing it (each chunk renews it)."""
    return timedelta(seconds=getattr(settings, "FOLLOW_UP_LEASE_SECONDS", 90))


def recover_stale(now: datetime | None = None) -> int:
    """Schedule again follow-ups whose dispatcher died mid-job: fan-outs whose lease expired (no
    chunk for FOLLOW_UP_LEASE), other jobs after STALE_RUNNING."""
    now = now or timezone.now()
    expired = Q(kind__in=jobs.FAN_OUTS, claimed_at__lt=now - follow_up_lease()) | Q(
        claimed_at__lt=now - STALE_RUNNING
    )
    return (
        FollowUp.objects.filter(state=F.RUNNING)
        .filter(expired)
        .update(
            state=F.SCHEDULED,
            last_error="The dispatcher stopped while running this; scheduled again.",
        )
    )


def retry(pks: Sequence[int]) -> int:
    """Staff retry of failed or cancelled follow-ups: due now, with fresh attempts."""
    return FollowUp.objects.filter(pk__in=list(pks), state__in=[F.FAILED, F.CANCELLED]).update(
        state=F.SCHEDULED, due_at=timezone.now(), attempts=0, finished_at=None, claimed_at=None
    )
