"""The one-click unsubscribe links every email carries, and their pages."""

from __future__ import annotations

import uuid
from datetime import UTC, datetime, timedelta

import pytest
import time_machine
from django.core import mail
from django.test import Client
from django.urls import reverse

from appeals.models import Unsubscribe
from appeals.outbox import service as outbox
from tests.factories import (
    GrievanceFactory,
    MembershipFactory,
    NotificationFactory,
    SellerFactory,
)

pytestmark = pytest.mark.django_db
NOON = datetime(2025, 3, 3, 12, 0, tzinfo=UTC)


def unsubscribe_url(seller, grievance=None) -> str:
    if grievance is None:
        return reverse("appeals:unsubscribe", args=[seller.unsubscribe_token])
    return reverse("appeals:unsubscribe_grievance", args=[seller.unsubscribe_token, grievance.pk])


def test_opening_the_link_asks_first_and_changes_nothing(client, member, membership, grievance):
    response = client.get(unsubscribe_url(member, grievance))
    assert response.status_code == 200
    assert f"Stop emails about “{grievance.title}”" in response.content.decode()
    assert not Unsubscribe.objects.exists()


def test_one_click_post_from_a_mail_client_unsubscribes_without_a_csrf_token(
    member, membership, grievance
):
    client = Client(enforce_csrf_checks=True)
    response = client.post(unsubscribe_url(member, grievance), {"List-Unsubscribe": "One-Click"})
    assert response.status_code == 200
    assert Unsubscribe.objects.filter(seller=member, grievance=grievance).exists()
    assert "You are unsubscribed" in response.content.decode()


def test_the_global_link_stops_everything_and_undo_restarts_it(member, membership):
    client = Client(enforce_csrf_checks=True)
    client.post(unsubscribe_url(member))
    member.refresh_from_db()
    assert (
        Unsubscribe.objects.filter(seller=member, grievance=None).exists()
        and not member.email_notifications
    )
    client.post(reverse("appeals:resubscribe", args=[member.unsubscribe_token]))
    member.refresh_from_db()
    assert not Unsubscribe.objects.exists() and member.email_notifications


def test_an_unknown_token_or_someone_elses_grievance_is_a_404(client, member, membership):
    assert client.get(reverse("appeals:unsubscribe", args=[uuid.uuid4()])).status_code == 404
    other = GrievanceFactory()
    assert client.get(unsubscribe_url(member, other)).status_code == 404
    assert client.post(unsubscribe_url(member, other)).status_code == 404


def test_the_unsubscribe_page_answers_in_the_sellers_language(client, grievance):
    seller = SellerFactory(language="zh-hans")
    MembershipFactory(grievance=grievance, seller=seller)
    content = client.get(unsubscribe_url(seller)).content.decode()
    assert '<html lang="zh-hans"' in content


def test_unsubscribing_stops_emails_already_waiting_for_the_morning(member, membership, grievance):
    with time_machine.travel(NOON, tick=False):
        row = NotificationFactory(
            recipient=member.user, grievance=grievance, send_after=NOON + timedelta(hours=9)
        )
        Client().post(unsubscribe_url(member, grievance))
    with time_machine.travel(NOON + timedelta(hours=9), tick=False):
        outbox.send_pending()
    row.refresh_from_db()
    assert row.state == "suppressed" and mail.outbox == []
