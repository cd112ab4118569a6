"""The outbox as coalition's mail port: an Email handed to coalition.mail.enqueue becomes one
outbox row like any other, is sent once, and its dedupe key is never queued twice."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.core import mail as sent_mail

from appeals.models import Notification
from appeals.outbox import service as outbox
from coalition import mail
from tests.factories import GrievanceFactory, SellerFactory

pytestmark = pytest.mark.django_db


def _email(seller, grievance, **fields) -> mail.Email:
    values = {
        "kind": "watcher_confirm",
        "dedupe_key": "watcher_confirm:1",
        "to": seller.user.email,
        "rendered": mail.Rendered(
            "Confirm your report", "Please confirm.\n", "<p>Please confirm.</p>"
        ),
        "recipient_id": seller.user.pk,
        "grievance_id": grievance.pk,
        "headers": {"Reply-To": "organisers@example.com"},
    }
    return mail.Email(**{**values, **fields})


def test_the_outbox_is_plugged_into_coalitions_mail_port():
    assert mail._outbox is outbox


def test_an_email_becomes_one_row_is_sent_once_and_its_key_is_stored_once(
    clock, django_capture_on_commit_callbacks
):
    seller, grievance = SellerFactory(), GrievanceFactory()
    with django_capture_on_commit_callbacks() as callbacks:
        assert mail.enqueue([_email(seller, grievance)]) == 1
    assert len(callbacks) == 1  # its send task, queued after commit
    row = Notification.objects.get()
    assert (row.kind, row.dedupe_key, row.to_email) == (
        "watcher_confirm",
        "watcher_confirm:1",
        seller.user.email,
    )
    assert (row.recipient, row.grievance, row.appeal) == (seller.user, grievance, None)
    assert row.subject == "Confirm your report" and row.body_html == "<p>Please confirm.</p>"
    assert row.message_id.startswith("<") and row.headers["Message-ID"] == row.message_id
    assert row.headers["Reply-To"] == "organisers@example.com" and row.send_after is None

    assert outbox.send_pending().sent == 1
    assert outbox.send_pending().sent == 0
    (email,) = sent_mail.outbox
    assert email.subject == "Confirm your report" and email.body == "Please confirm.\n"
    assert email.extra_headers["Message-ID"] == row.message_id
    assert email.reply_to == ["organisers@example.com"]

    with django_capture_on_commit_callbacks() as callbacks:
        assert mail.enqueue([_email(seller, grievance, to="someone@else.example")]) == 0
    assert callbacks == [] and Notification.objects.count() == 1
    assert Notification.objects.get().to_email == seller.user.email


def test_an_email_with_a_zone_waits_for_daytime_there(clock):
    seller, grievance = SellerFactory(), GrievanceFactory()
    # NOON UTC is 21:00 in Tokyo: held until 09:00 there, i.e. midnight UTC.
    mail.enqueue([_email(seller, grievance, zone="Asia/Tokyo")])
    row = Notification.objects.get()
    assert row.send_after == outbox.daytime_send_after(row.created_at, "Asia/Tokyo")
    assert row.send_after is not None and row.send_after - row.created_at <= timedelta(hours=12)


def test_an_email_without_a_recipient_user_is_never_suppressed(clock):
    seller, grievance = SellerFactory(email_notifications=False), GrievanceFactory()
    mail.enqueue([_email(seller, grievance, recipient_id=None)])
    assert outbox.send_pending().sent == 1
