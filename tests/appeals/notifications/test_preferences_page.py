"""The email preferences page: everything on or off, then grievance by grievance."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest
from django.test import Client
from django.urls import reverse

from appeals.models import Unsubscribe
from tests.factories import (
    GrievanceFactory,
    MembershipFactory,
)

pytestmark = pytest.mark.django_db
NOON = datetime(2025, 3, 3, 12, 0, tzinfo=UTC)


def test_the_preferences_page_needs_a_login(client):
    response = client.get(reverse("appeals:notification_settings"))
    assert response.status_code == 302 and "/accounts/login/" in response["Location"]


def test_a_member_sees_and_changes_preferences_per_grievance(
    member_client, member, membership, grievance
):
    second = MembershipFactory(seller=member)
    response = member_client.get(reverse("appeals:notification_settings"))
    content = response.content.decode()
    assert grievance.title in content and second.grievance.title in content
    response = member_client.post(
        reverse("appeals:notification_settings"),
        {"everything": "on", "grievances": [second.grievance_id]},
    )
    assert response.status_code == 302
    assert list(Unsubscribe.objects.filter(seller=member).values_list("grievance", flat=True)) == [
        grievance.pk
    ]
    member_client.post(
        reverse("appeals:notification_settings"),
        {"grievances": [grievance.pk, second.grievance_id]},
    )
    member.refresh_from_db()
    assert not member.email_notifications
    assert set(Unsubscribe.objects.filter(seller=member).values_list("grievance", flat=True)) == {
        None
    }


def test_a_grievance_the_seller_is_not_in_cannot_be_chosen(member_client, member, membership):
    other = GrievanceFactory()
    response = member_client.post(
        reverse("appeals:notification_settings"), {"everything": "on", "grievances": [other.pk]}
    )
    assert response.status_code == 200  # the form error, nothing saved
    assert not Unsubscribe.objects.exists()


@pytest.mark.parametrize("count", [1, 6])
def test_the_preferences_page_queries_do_not_grow_with_grievances(
    count, member, django_assert_num_queries
):
    for _ in range(count):
        MembershipFactory(seller=member)
    client = Client()
    client.force_login(member.user)
    with django_assert_num_queries(5):
        assert client.get(reverse("appeals:notification_settings")).status_code == 200
