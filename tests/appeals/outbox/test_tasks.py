"""The outbox's Celery tasks: thin, by primary key, under their public names, found by the worker."""

from __future__ import annotations

import pytest

from appeals.outbox import service, tasks
from config.celery_app import app
from tests.factories import NotificationFactory

pytestmark = pytest.mark.django_db


def test_the_send_tasks_take_primary_keys_and_survive_a_missing_row(clock):
    row = NotificationFactory()
    assert tasks.send_batch.run([row.pk, 999_999]) == 1
    assert tasks.send_notification.run(row.pk) == 0


def test_the_send_tasks_keep_the_names_queued_messages_use():
    assert (tasks.send_notification.name, tasks.send_batch.name) == (
        "appeals.tasks.send_notification",
        "appeals.tasks.send_batch",
    )
    assert (
        tasks.send_notification.name,
        tasks.send_batch.name,
    ) == (service.SEND_ONE, service.SEND_BATCH)


def test_the_worker_finds_every_appeals_task_by_autodiscovery():
    app.loader.import_default_modules()
    assert {
        "appeals.tasks.send_notification",
        "appeals.tasks.send_batch",
        "appeals.tasks.dispatch_due_follow_ups",
        "appeals.tasks.sweep_outbox",
    } <= set(app.tasks)


def test_sends_are_queued_by_name_after_commit(django_capture_on_commit_callbacks, monkeypatch):
    sent = []
    monkeypatch.setattr(
        app, "send_task", lambda name, args=(), countdown=None: sent.append((name, args, countdown))
    )
    rows = [NotificationFactory(), NotificationFactory()]
    with django_capture_on_commit_callbacks(execute=True):
        service.queue_send([rows[0].pk])
        service.queue_send([r.pk for r in rows], countdown=30)
    assert sent == [
        ("appeals.tasks.send_notification", (rows[0].pk,), None),
        ("appeals.tasks.send_batch", ([rows[0].pk, rows[1].pk],), 30),
    ]
