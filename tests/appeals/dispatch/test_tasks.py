"""The beat's tasks: the dispatcher, and the sweep that recovers both the outbox and follow-ups."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.utils import timezone

from appeals.dispatch import tasks
from appeals.dispatch.service import STALE_RUNNING
from appeals.inbound import tasks as inbound_tasks
from appeals.models import FollowUp
from coalition import tasks as coalition_tasks
from tests.factories import FollowUpFactory, NotificationFactory

pytestmark = pytest.mark.django_db


def test_the_beat_tasks_keep_the_names_the_schedule_uses(settings):
    names = {entry["task"] for entry in settings.CELERY_BEAT_SCHEDULE.values()}
    assert names == {
        tasks.dispatch_due_follow_ups.name,
        tasks.sweep_outbox.name,
        inbound_tasks.read_inbound.name,
        coalition_tasks.forget_rate_windows.name,
    }
    assert names == {
        "appeals.tasks.dispatch_due_follow_ups",
        "appeals.tasks.sweep_outbox",
        "appeals.tasks.read_inbound",
        "coalition.tasks.forget_rate_windows",
    }


def test_the_sweep_task_recovers_outbox_rows_and_follow_ups(clock):
    NotificationFactory()
    assert tasks.sweep_outbox.run() == {"released": 0, "unknown": 0, "queued": 0, "follow_ups": 0}
    stale = FollowUpFactory(
        state="running", claimed_at=timezone.now() - STALE_RUNNING - timedelta(seconds=1)
    )
    assert tasks.sweep_outbox.run()["follow_ups"] == 1
    stale.refresh_from_db()
    assert stale.state == FollowUp.State.SCHEDULED


def test_the_dispatch_task_runs_what_is_due(clock, recorded):
    FollowUpFactory(kind="next_round", key="due", due_at=timezone.now())
    assert tasks.dispatch_due_follow_ups.run() == 1
    assert recorded == ["due"]
