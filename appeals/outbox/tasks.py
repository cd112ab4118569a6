"""The outbox's Celery tasks: thin wrappers that take primary keys and call the service.

The service queues them by name after the rows they send are committed (appeals.outbox.service
SEND_ONE / SEND_BATCH), so their names never change. Every task is safe to run twice: rows are
claimed before anything is sent.
"""

from __future__ import annotations

from celery import shared_task

from appeals.outbox import service


@shared_task(name=service.SEND_ONE, acks_late=True)
def send_notification(pk: int) -> int:
    return service.send_many([pk]).sent


@shared_task(name=service.SEND_BATCH, acks_late=True)
def send_batch(pks: list[int]) -> int:
    return service.send_many(pks).sent
