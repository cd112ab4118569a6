"""What operators see of the outbox in the admin: rows by state with their last error, which
failures are "delivery unknown" and why, and a retry that warns before sending such a row again."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest
from django.urls import reverse

from appeals.models import Notification
from appeals.outbox import service as outbox
from tests.factories import NotificationFactory

pytestmark = pytest.mark.django_db
NOON = datetime(2025, 3, 3, 12, 0, tzinfo=UTC)
CHANGELIST = "admin:appeals_notification_changelist"


@pytest.fixture
def staff(client, staff_user):
    client.force_login(staff_user)
    return client


def unknown_row(**kw) -> Notification:
    return NotificationFactory(
        state="failed", sent_at=NOON, last_error=f"{outbox.UNKNOWN_DROPPED} (timed out)", **kw
    )


def test_staff_filter_the_outbox_to_rows_whose_delivery_is_unknown_and_see_why(staff):
    doubtful = unknown_row(to_email="maybe@example.com")
    NotificationFactory(state="failed", to_email="refused@example.com", last_error="550 no user")
    NotificationFactory(state="sent", to_email="fine@example.com")
    page = staff.get(reverse(CHANGELIST), {"delivery": "unknown"}).content.decode()
    assert "maybe@example.com" in page and "refused@example.com" not in page
    assert "fine@example.com" not in page and "may have arrived" in page
    detail = staff.get(reverse("admin:appeals_notification_change", args=[doubtful.pk]))
    assert "connection dropped or timed out" in detail.content.decode()
    refused = staff.get(reverse(CHANGELIST), {"delivery": "refused"}).content.decode()
    assert "refused@example.com" in refused and "550 no user" in refused


def test_retrying_a_row_whose_delivery_is_unknown_asks_first_and_warns_of_a_double(
    staff, django_capture_on_commit_callbacks
):
    doubtful = unknown_row()
    refused = NotificationFactory(state="failed", last_error="550 no user")
    selection = {"action": "retry", "_selected_action": [doubtful.pk, refused.pk]}
    with django_capture_on_commit_callbacks() as callbacks:
        response = staff.post(reverse(CHANGELIST), selection)
    page = response.content.decode()
    assert response.status_code == 200 and "may get the email twice" in page
    assert doubtful.to_email in page and callbacks == []
    assert {r.state for r in Notification.objects.all()} == {"failed"}  # nothing changed yet

    with django_capture_on_commit_callbacks() as callbacks:
        response = staff.post(reverse(CHANGELIST), {**selection, "confirm": "yes"})
    assert response.status_code == 302 and len(callbacks) == 1
    assert {r.state for r in Notification.objects.all()} == {"pending"}


def test_retrying_rows_that_were_not_delivered_needs_no_confirmation(
    staff, django_capture_on_commit_callbacks
):
    refused = NotificationFactory(state="failed", last_error="550 no user")
    with django_capture_on_commit_callbacks():
        response = staff.post(
            reverse(CHANGELIST), {"action": "retry", "_selected_action": [refused.pk]}
        )
    assert response.status_code == 302
    refused.refresh_from_db()
    assert refused.state == "pending"


def test_members_cannot_reach_the_retry_confirmation(member_client):
    doubtful = unknown_row()
    response = member_client.post(
        reverse(CHANGELIST), {"action": "retry", "_selected_action": [doubtful.pk]}
    )
    assert response.status_code == 302
    doubtful.refresh_from_db()
    assert doubtful.state == "failed"
