"""Submitting a round: the platform's clock starts, and an email round is emailed to the platform."""

from __future__ import annotations

import hashlib
from datetime import UTC, date, datetime, timedelta

import pytest
import time_machine
from django.core import mail
from django.utils import timezone

from appeals import deadlines
from appeals.actions.submitting import submit_round
from appeals.documents import packets
from appeals.models import Appeal, Notification
from appeals.outbox import service as outbox
from coalition.errors import ActionRefused
from coalition.models import AuditEvent
from tests.appeals.builders import make_round, open_round, submit

S = Appeal.State
pytestmark = pytest.mark.django_db


def _events(verb: str):
    return AuditEvent.objects.filter(verb=verb)


def test_portal_submission_needs_a_case_reference(grievance, organiser):
    appeal = make_round(grievance, S.READY, channel="portal")
    with pytest.raises(ActionRefused) as refused:
        submit_round(appeal, actor=organiser.user, case_reference="  ")
    assert refused.value.field == "case_reference"


def test_submission_starts_the_platform_clock(grievance, organiser, hook_calls):
    appeal = make_round(grievance, S.READY, channel="portal")
    at = datetime(2025, 11, 21, 23, 30, tzinfo=UTC)  # Friday 15:30 in Los Angeles
    with time_machine.travel(at + timedelta(hours=1), tick=False):
        submit_round(appeal, actor=organiser.user, case_reference="CASE-77", submitted_at=at)
    appeal.refresh_from_db()
    platform = grievance.platform
    assert appeal.state == S.SUBMITTED and appeal.case_reference == "CASE-77"
    assert appeal.response_due_at == deadlines.response_due(at, platform)
    assert appeal.very_overdue_at == deadlines.very_overdue_at(at, platform)
    # 5 business days from Friday 21 Nov 2025 skip the weekend and Thanksgiving (27 Nov).
    assert deadlines.local_date(appeal.response_due_at, platform) == date(2025, 12, 1)
    assert hook_calls == [("on_submitted", (appeal,))]
    assert _events("round.submitted").get().data["case_reference"] == "CASE-77"


def test_the_system_submits_email_rounds_without_a_case_reference(grievance):
    appeal = make_round(grievance, S.READY, channel="email")
    submit_round(appeal, actor=None, message_id="<abc@coalition>")
    appeal.refresh_from_db()
    assert appeal.state == S.SUBMITTED and appeal.message_id == "<abc@coalition>"


def test_submission_time_cannot_be_in_the_future(grievance, organiser):
    appeal = make_round(grievance, S.READY)
    with pytest.raises(ActionRefused) as refused:
        submit_round(
            appeal,
            actor=organiser.user,
            case_reference="C",
            submitted_at=timezone.now() + timedelta(days=1),
        )
    assert refused.value.field == "submitted_at"


# --- emailed rounds ---------------------------------------------------------------------------


def test_an_email_round_submitted_by_hand_is_emailed_to_the_platform(grievance, organiser):
    appeal = submit(open_round(grievance, organiser, channel="email"), organiser)
    row = Notification.objects.get(kind="auto_submit", appeal=appeal)
    assert row.to_email == grievance.platform.appeal_email
    assert appeal.message_id == row.message_id
    assert Appeal.objects.get(pk=appeal.pk).message_id == row.message_id


def test_an_email_round_to_a_platform_without_an_appeal_address_is_refused(grievance, organiser):
    grievance.platform.appeal_email = ""
    grievance.platform.save()
    appeal = make_round(grievance, S.READY, channel="email")
    with pytest.raises(ActionRefused) as refused:
        submit_round(appeal, actor=organiser.user)
    assert refused.value.field == "channel"
    assert Appeal.objects.get(pk=appeal.pk).state == S.READY
    assert not Notification.objects.exists() and not _events("round.submitted").exists()


def test_the_packet_is_built_once_per_submission_and_the_email_attaches_those_bytes(
    emailed_round, organiser, private_storage, monkeypatch
):
    builds = []
    real_build = packets.build_round_packet
    monkeypatch.setattr(
        packets, "build_round_packet", lambda appeal: builds.append(appeal.pk) or real_build(appeal)
    )
    appeal = submit(emailed_round, organiser)
    outbox.send_pending()

    assert builds == [appeal.pk]  # not again for the email, nor when the outbox attaches it
    kept = private_storage / "packets" / f"{appeal.packet_sha256}.zip"
    (email,) = mail.outbox
    ((name, content, mime),) = email.attachments
    assert (name, mime) == (packets.packet_filename(appeal), "application/zip")
    assert content == kept.read_bytes()
    assert hashlib.sha256(content).hexdigest() == appeal.packet_sha256
    assert "It is attached to this email" in email.body


def test_a_packet_too_large_to_attach_is_linked_not_kept(
    emailed_round, organiser, private_storage, settings
):
    settings.PACKET_EMAIL_MAX_BYTES = 100
    appeal = submit(emailed_round, organiser)
    outbox.send_pending()

    (email,) = mail.outbox
    assert email.attachments == []
    assert appeal.packet_sha256 in email.body and "/packets/" in email.body
    assert "too large to attach" in email.body
    assert not (private_storage / "packets").exists()


def test_kept_bytes_that_no_longer_match_the_fingerprint_are_not_attached(
    emailed_round, organiser, private_storage
):
    appeal = submit(emailed_round, organiser)
    (private_storage / "packets" / f"{appeal.packet_sha256}.zip").write_bytes(b"not the packet")
    outbox.send_pending()

    (email,) = mail.outbox
    assert email.attachments == []  # the body's signed link answers for the packet
    assert appeal.packet_sha256 in email.body and "/packets/" in email.body
