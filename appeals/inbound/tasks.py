"""The inbound reader's beat task (config/settings/base.py CELERY_BEAT_SCHEDULE), a thin wrapper;
its name is what the beat uses and never changes."""

from __future__ import annotations

from celery import shared_task

from appeals.inbound import reader


@shared_task(name="appeals.tasks.read_inbound", acks_late=True, time_limit=300, soft_time_limit=240)
def read_inbound() -> str:
    return str(reader.read_inbound())
