"""Staff operations from the admin: cancel, reschedule and run now a follow-up; retry and suppress
an email. Each one goes through appeals/actions/operations.py and is recorded, privately."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import timezone

from appeals.actions import operations
from appeals.models import FollowUp, Notification
from coalition.errors import ActionRefused
from coalition.models import AuditEvent
from tests.factories import FollowUpFactory, NotificationFactory


def act(client, model: str, action: str, rows) -> None:
    response = client.post(
        reverse(f"admin:appeals_{model}_changelist"),
        {"action": action, "_selected_action": [r.pk for r in rows]},
    )
    assert response.status_code == 302


def test_cancelling_a_scheduled_follow_up_stops_it_and_is_recorded(admin_client, staff_user):
    job = FollowUpFactory(due_at=timezone.now() + timedelta(days=2))
    running = FollowUpFactory(state="running")
    act(admin_client, "followup", "cancel", [job, running])
    job.refresh_from_db()
    running.refresh_from_db()
    assert (job.state, running.state) == ("cancelled", "running")
    event = AuditEvent.objects.get(verb="follow_up.cancelled")
    assert (event.actor, event.grievance, event.data["follow_up"]) == (
        staff_user,
        job.appeal.grievance,
        job.pk,
    )
    assert event.subject == f"round:{job.appeal.number}"


def test_rescheduling_moves_the_due_time_and_schedules_a_failed_job_again(admin_client):
    failed = FollowUpFactory(state="failed", due_at=timezone.now() - timedelta(days=1))
    before = timezone.now()
    act(admin_client, "followup", "postpone_day", [failed])
    failed.refresh_from_db()
    assert failed.state == "scheduled"
    assert before + timedelta(hours=23) < failed.due_at < before + timedelta(days=1, minutes=1)
    assert AuditEvent.objects.filter(verb="follow_up.rescheduled").count() == 1


def test_run_now_makes_the_follow_up_due_for_the_dispatcher(admin_client):
    later = FollowUpFactory(due_at=timezone.now() + timedelta(days=5))
    act(admin_client, "followup", "run_now", [later])
    later.refresh_from_db()
    assert later.state == "scheduled" and later.due_at <= timezone.now()
    assert AuditEvent.objects.filter(verb="follow_up.run_now").count() == 1


def test_follow_up_operations_are_kept_off_the_shared_timeline(client, admin_client):
    job = FollowUpFactory()
    act(admin_client, "followup", "cancel", [job])
    page = client.get(job.appeal.grievance.get_absolute_url())
    assert all(row["event"].verb != "follow_up.cancelled" for row in page.context["events"])


def test_suppressing_stops_pending_emails_only_and_is_recorded(admin_client):
    pending = NotificationFactory(state="pending")
    sent = NotificationFactory(state="sent", sent_at=timezone.now())
    act(admin_client, "notification", "suppress", [pending, sent])
    pending.refresh_from_db()
    sent.refresh_from_db()
    assert (pending.state, sent.state) == ("suppressed", "sent")
    assert list(
        AuditEvent.objects.filter(verb="notification.suppressed").values_list(
            "data__notification", flat=True
        )
    ) == [pending.pk]


def test_retrying_a_failed_email_is_recorded(admin_client, django_capture_on_commit_callbacks):
    failed = NotificationFactory(state="failed", attempts=8)
    with django_capture_on_commit_callbacks():
        act(admin_client, "notification", "retry", [failed])
    failed.refresh_from_db()
    assert failed.state == Notification.State.PENDING
    assert AuditEvent.objects.filter(verb="notification.retried").count() == 1


@pytest.mark.parametrize(
    "call",
    [
        lambda pks, actor: operations.cancel_follow_ups(pks, actor=actor),
        lambda pks, actor: operations.run_follow_ups_now(pks, actor=actor),
        lambda pks, actor: operations.suppress_notifications(pks, actor=actor),
    ],
)
def test_operations_are_for_staff_only(call, organiser):
    job = FollowUpFactory()
    with pytest.raises(ActionRefused):
        call([job.pk], organiser.user)
    assert FollowUp.objects.get(pk=job.pk).state == "scheduled"


def test_rescheduling_into_the_past_is_refused(staff_user):
    job = FollowUpFactory()
    with pytest.raises(ActionRefused):
        operations.reschedule_follow_ups(
            [job.pk], timezone.now() - timedelta(hours=1), actor=staff_user
        )
