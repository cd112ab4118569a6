"""Celery tasks: thin wrappers that take primary keys and call the domain functions.

Nothing is scheduled through the broker (no ETAs): the database is the schedule. The beat runs
`dispatch_due_follow_ups` every minute and `sweep_outbox` every five (config/settings/base.py);
send tasks are queued by appeals/outbox.py after the rows they send are committed. Every task is
safe to run twice: the rows are claimed before anything happens.
"""

from __future__ import annotations

from celery import shared_task

from appeals import dispatch, outbox

# A dispatcher works through due follow-ups for at most this long, then leaves the rest to the
# next beat (which may run it in parallel on another worker: claims keep them apart).
DISPATCH_BUDGET_SECONDS = 50


@shared_task(acks_late=True, time_limit=1800, soft_time_limit=1740)
def dispatch_due_follow_ups() -> int:
    # Generous limits: one job may be a fan-out to a very large coalition (it commits per chunk
    # and renews its claim, so even a killed run loses nothing).
    return dispatch.dispatch_due(budget=DISPATCH_BUDGET_SECONDS)


@shared_task(acks_late=True)
def send_notification(pk: int) -> int:
    return outbox.send_many([pk]).sent


@shared_task(acks_late=True)
def send_batch(pks: list[int]) -> int:
    return outbox.send_many(pks).sent


@shared_task(acks_late=True)
def sweep_outbox() -> dict[str, int]:
    found = outbox.sweep()
    found["follow_ups"] = dispatch.recover_stale()
    return found
