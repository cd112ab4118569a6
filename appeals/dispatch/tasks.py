"""The beat's Celery tasks (config/settings/base.py CELERY_BEAT_SCHEDULE): thin wrappers that call
the dispatcher and the outbox's sweeper.

Nothing is scheduled through the broker (no ETAs): the database is the schedule. The beat runs
`dispatch_due_follow_ups` and `sweep_outbox` every minute; the dispatch first schedules again
the follow-ups whose lease expired, so a fan-out whose worker died resumes on the next beat. The sweep lives here, not
beside the outbox, because it recovers both durable queues — outbox rows and follow-ups — and only
this layer sees both. The task names are what the beat and queued messages use; they never change.
"""

from __future__ import annotations

from celery import shared_task

from appeals.dispatch import service as dispatch
from appeals.outbox import service as outbox

# A dispatcher works through due follow-ups for at most this long, then leaves the rest to the
# next beat (which may run it in parallel on another worker: claims keep them apart).
DISPATCH_BUDGET_SECONDS = 50


@shared_task(
    name="appeals.tasks.dispatch_due_follow_ups",
    acks_late=True,
    time_limit=1800,
    soft_time_limit=1740,
)
def dispatch_due_follow_ups() -> int:
    # Generous limits: one job may be a fan-out to a very large coalition (it commits per chunk
    # and renews its claim, so even a killed run loses nothing).
    dispatch.recover_stale()
    return dispatch.dispatch_due(budget=DISPATCH_BUDGET_SECONDS)


@shared_task(name="appeals.tasks.sweep_outbox", acks_late=True)
def sweep_outbox() -> dict[str, int]:
    """Recover what a crash or an outage left behind: outbox rows, then follow-ups."""
    found = outbox.sweep()
    found["follow_ups"] = dispatch.recover_stale()
    return found
