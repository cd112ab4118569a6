"""The staff admin of the schedule and the outbox: filtered lists and the retry actions."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest
from django.urls import reverse

from appeals.outbox import service as outbox_service
from tests.factories import (
    FollowUpFactory,
    NotificationFactory,
)

pytestmark = pytest.mark.django_db
NOON = datetime(2025, 3, 3, 12, 0, tzinfo=UTC)


def test_staff_see_the_schedule_and_the_outbox_filtered_by_state(admin_client):
    FollowUpFactory(state="failed", last_error="boom")
    NotificationFactory(state="failed", last_error="550 no such user")
    for name in ("followup", "notification"):
        url = reverse(f"admin:appeals_{name}_changelist")
        assert admin_client.get(url).status_code == 200
        response = admin_client.get(url, {"state__exact": "failed"})
        assert response.status_code == 200
    assert (
        "550 no such user"
        in admin_client.get(reverse("admin:appeals_notification_changelist")).content.decode()
    )


def test_the_admin_retry_actions_go_through_the_outbox_and_the_dispatcher(
    admin_client, django_capture_on_commit_callbacks
):
    failed_email = NotificationFactory(state="failed", attempts=8)
    failed_job = FollowUpFactory(state="failed", attempts=3)
    with django_capture_on_commit_callbacks() as callbacks:
        admin_client.post(
            reverse("admin:appeals_notification_changelist"),
            {"action": "retry", "_selected_action": [failed_email.pk]},
        )
    admin_client.post(
        reverse("admin:appeals_followup_changelist"),
        {"action": "retry", "_selected_action": [failed_job.pk]},
    )
    failed_email.refresh_from_db()
    failed_job.refresh_from_db()
    sends = [c for c in callbacks if getattr(c, "func", None) is outbox_service._publish]
    assert (failed_email.state, failed_email.attempts, len(sends)) == ("pending", 0, 1)
    assert sends[0].args == ([failed_email.pk], None)  # its send is queued once, after commit
    assert (failed_job.state, failed_job.attempts) == ("scheduled", 0)


def test_members_cannot_reach_the_outbox_admin(member_client):
    response = member_client.get(reverse("admin:appeals_notification_changelist"))
    assert response.status_code == 302
