"""The beat's Celery tasks for the coalition app (config/settings/base.py CELERY_BEAT_SCHEDULE)."""

from __future__ import annotations

import time

from celery import shared_task

from coalition.actions import rates


@shared_task(name="coalition.tasks.forget_rate_windows", acks_late=True)
def forget_rate_windows() -> int:
    """Delete the rate-limit counts of windows that ended over an hour ago (one row per caller
    and limit; a flood of made-up tokens would otherwise leave a row each)."""
    return rates.forget_ended(time.time())
