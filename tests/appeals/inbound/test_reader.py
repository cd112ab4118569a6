"""The inbound reader on the folder source: each message lands where it should, once."""

from __future__ import annotations

import hashlib
import os
import time
from io import StringIO

import pytest
from django.core.management import call_command

from appeals import emails
from appeals.actions import inbound
from appeals.inbound import reader
from appeals.inbound.sources import FolderSource, Incoming
from appeals.models import Appeal, InboundMessage, Notification, PlatformResponse
from coalition.models import AuditEvent
from coalition.rules.verbs import PRIVATE_VERBS
from tests.appeals.builders import make_round
from tests.appeals.inbound import samples

Outcome, By = InboundMessage.Outcome, InboundMessage.MatchedBy
TOKEN = "k3x9q2"


@pytest.fixture(autouse=True)
def inbound_address(settings):
    settings.INBOUND_ADDRESS = samples.INBOUND


@pytest.fixture
def appeal(grievance) -> Appeal:
    grievance.platform.appeal_email = "appeals@wishful.example"
    grievance.platform.save()
    return make_round(grievance, Appeal.State.SUBMITTED, reply_token=TOKEN, case_reference="")


@pytest.fixture
def inbox(tmp_path):
    folder = tmp_path / "inbox"
    folder.mkdir()

    def drop(name: str, raw: bytes) -> None:
        path = folder / name
        path.write_bytes(raw)
        old = time.time() - 60  # settled: the folder source skips files still being written
        os.utime(path, (old, old))

    drop.folder = folder
    return drop


def read(inbox) -> reader.ReadReport:
    return reader.read_inbound(FolderSource(inbox.folder))


def incoming(raw: bytes, uid: str = "1") -> Incoming:
    return Incoming(uid=uid, raw=raw, source="test")


def test_reply_with_token_becomes_an_unclassified_response_with_a_suggestion(appeal, inbox):
    inbox("a.eml", samples.reply_with_token(TOKEN))
    report = read(inbox)
    assert (report.taken, report.failed) == (1, 0)
    message = InboundMessage.objects.get()
    assert (message.appeal, message.outcome, message.matched_by) == (
        appeal,
        Outcome.MATCHED,
        By.TOKEN,
    )
    response = message.response
    assert response.is_unclassified and response.appeal == appeal
    assert response.sender == samples.PLATFORM
    assert response.suggested_classification == PlatformResponse.Classification.INFO_REQUESTED
    assert "invoices" in response.text
    appeal.refresh_from_db()
    assert appeal.state == Appeal.State.SUBMITTED  # nothing moves until an organiser classifies


def test_raw_message_is_kept_with_its_hash_and_a_private_custody_entry(appeal, inbox):
    raw = samples.reply_with_token(TOKEN)
    inbox("a.eml", raw)
    read(inbox)
    message = InboundMessage.objects.get()
    assert message.raw.read() == raw
    assert message.sha256 == hashlib.sha256(raw).hexdigest()
    entry = AuditEvent.objects.get(subject=f"inbound:{message.pk}")
    assert entry.verb == "inbound.received" and entry.verb in PRIVATE_VERBS
    assert entry.data["sha256"] == message.sha256 and entry.grievance == appeal.grievance


def test_organisers_are_told_the_platform_replied_and_the_platform_is_not(appeal, inbox):
    inbox("a.eml", samples.reply_with_token(TOKEN))
    read(inbox)
    rows = Notification.objects.filter(kind="platform_replied")
    assert [r.to_email for r in rows] == [
        m.seller.user.email for m in appeal.grievance.memberships.organisers()
    ]
    assert not Notification.objects.exclude(kind="platform_replied").exists()


def test_reply_matched_only_by_in_reply_to_finds_the_round_of_the_chaser(appeal, inbox):
    Notification.objects.create(
        to_email="appeals@wishful.example", kind="response_chase", dedupe_key="c1",
        appeal=appeal, grievance=appeal.grievance, subject="s", body_text="b",
        message_id="<chase-1@coalition.example>",
    )  # fmt: skip
    inbox("a.eml", samples.reply_in_thread("<chase-1@coalition.example>", ""))
    read(inbox)
    message = InboundMessage.objects.get()
    assert (message.appeal, message.matched_by) == (appeal, By.THREAD)
    assert message.response.suggested_classification == PlatformResponse.Classification.REJECTED


def test_reply_matched_by_case_reference_from_the_platforms_domain(appeal, inbox):
    Appeal.objects.filter(pk=appeal.pk).update(case_reference="WS-20240701")
    inbox("a.eml", samples.built(Subject="Your case WS-20240701", To="help@example.org"))
    read(inbox)
    assert InboundMessage.objects.get().matched_by == By.CASE_REFERENCE


def test_case_reference_from_another_domain_matches_nothing(appeal, inbox):
    Appeal.objects.filter(pk=appeal.pk).update(case_reference="WS-20240701")
    raw = samples.built(Subject="Case WS-20240701", To="x@example.org", From="a@evil.example")
    inbox("a.eml", raw)
    read(inbox)
    assert InboundMessage.objects.get().outcome == Outcome.UNMATCHED


def test_auto_reply_is_kept_on_the_round_and_stops_no_clock(appeal, inbox):
    inbox("a.eml", samples.auto_reply())
    read(inbox)
    message = InboundMessage.objects.get()
    assert (message.appeal, message.outcome) == (appeal, Outcome.AUTO_REPLY)
    assert not PlatformResponse.objects.exists()
    assert not Notification.objects.exists()
    appeal.refresh_from_db()
    assert appeal.state == Appeal.State.SUBMITTED


def test_unmatched_message_waits_for_staff(appeal, inbox):
    inbox("a.eml", samples.unmatched())
    read(inbox)
    message = InboundMessage.objects.get()
    assert (message.appeal, message.outcome) == (None, Outcome.UNMATCHED)
    assert not PlatformResponse.objects.exists()


def test_reading_twice_takes_nothing_twice_and_empties_the_folder(appeal, inbox):
    inbox("a.eml", samples.reply_with_token(TOKEN))
    inbox("b.eml", samples.unmatched())
    assert read(inbox).taken == 2
    assert read(inbox).taken == 0
    assert InboundMessage.objects.count() == 2
    assert sorted(p.name for p in (inbox.folder / "processed").iterdir()) == ["a.eml", "b.eml"]
    assert not list(inbox.folder.glob("*.eml"))


def test_same_message_id_delivered_twice_is_taken_once(appeal, inbox):
    inbox("a.eml", samples.reply_with_token(TOKEN))
    inbox("b.eml", b"Delivered-To: other@example.org\r\n" + samples.reply_with_token(TOKEN))
    report = read(inbox)
    assert (report.taken, report.again) == (1, 1)
    assert PlatformResponse.objects.count() == 1


def test_crash_after_commit_before_done_is_only_moved_next_time(appeal, inbox, monkeypatch):
    inbox("a.eml", samples.reply_with_token(TOKEN))

    def crash(self, uid):
        raise OSError("mailbox went away")

    monkeypatch.setattr(FolderSource, "done", crash)
    read(inbox)
    monkeypatch.undo()
    report = read(inbox)
    assert (report.taken, report.again) == (0, 1)
    assert InboundMessage.objects.count() == 1 and PlatformResponse.objects.count() == 1
    assert not list(inbox.folder.glob("*.eml"))


def test_failure_while_recording_leaves_the_message_and_its_files_for_next_time(
    appeal, inbox, monkeypatch, private_storage
):
    inbox("a.eml", samples.reply_with_token(TOKEN))

    def broken(*args, **kwargs):
        raise RuntimeError("database went away")

    monkeypatch.setattr(inbound, "match_round", broken)
    assert read(inbox).failed == 1
    assert not InboundMessage.objects.exists()
    assert list(inbox.folder.glob("*.eml"))  # still there
    assert not [p for p in private_storage.rglob("*") if p.is_file()]  # no orphan files
    monkeypatch.undo()
    assert read(inbox).taken == 1


@pytest.mark.parametrize(
    "raw",
    [samples.malformed(), samples.html_only(), samples.unknown_charset(), samples.raw_8bit_headers(),
     samples.chinese("gb18030", "请提供发票", "回复"), samples.chinese("big5", "請提供發票", "回覆"),
     b"", b"\x00\xff garbage", b"Subject: no body"],
    ids=["malformed", "html-only", "unknown-charset", "8bit-headers", "gb18030", "big5", "empty",
         "garbage", "headers-only"],
)  # fmt: skip
def test_hard_messages_get_an_outcome_never_a_crash(appeal, raw):
    message, created = inbound.take_message(incoming(raw))
    assert created and message.outcome in Outcome.values
    assert message.raw.read() == raw


def test_html_only_reply_keeps_the_text_of_the_html(appeal):
    message, _ = inbound.take_message(incoming(samples.html_only()))
    assert "released" in message.response.text and "tracking" not in message.response.text


def test_forged_from_is_matched_by_its_token_with_the_doubt_shown(appeal):
    message, _ = inbound.take_message(incoming(samples.forged_from()))
    assert message.appeal == appeal and message.sender_warnings
    assert message.response.is_unclassified  # an organiser decides; nothing is granted by mail


def test_attachment_over_the_evidence_limit_is_kept_inside_the_raw_message_only(appeal, settings):
    settings.EVIDENCE_MAX_BYTES = 1024
    message, _ = inbound.take_message(incoming(samples.with_attachment(4096)))
    attachment = message.attachments.get()
    assert (attachment.size, attachment.file.name, attachment.sha256) == (4096, "", "")
    assert "limit" in attachment.note
    small, _ = inbound.take_message(incoming(samples.with_attachment(512, seed=1), uid="2"))
    kept = small.attachments.get()
    assert kept.file.size == 512 and kept.sha256 == hashlib.sha256(kept.file.read()).hexdigest()


def test_emails_to_the_platform_carry_the_rounds_reply_address_and_a_message_id(appeal):
    organisers = list(appeal.grievance.memberships.organisers().select_related("seller__user"))
    for row in (
        emails.round_submission(appeal, organisers),
        emails.platform_chase(appeal, 1, organisers),
    ):
        assert row.headers["Reply-To"] == f"appeals+{TOKEN}@example.org" == appeal.reply_address
        assert row.message_id and row.headers["Message-ID"] == row.message_id
        assert row.appeal == appeal


def test_without_an_inbound_address_replies_go_to_the_organisers(appeal, settings):
    settings.INBOUND_ADDRESS = ""
    organisers = list(appeal.grievance.memberships.organisers().select_related("seller__user"))
    row = emails.platform_chase(appeal, 1, organisers)
    assert row.headers["Reply-To"] == ", ".join(sorted(m.seller.user.email for m in organisers))


def test_the_beat_reads_the_mailbox_every_minute_and_never_runs_stale(settings):
    entry = settings.CELERY_BEAT_SCHEDULE["read-inbound"]
    assert entry["task"] == "appeals.tasks.read_inbound"
    assert entry["options"]["expires"] < 60


def test_read_inbound_command_reads_the_inbox_folder(appeal, inbox, settings, tmp_path):
    settings.VAR_DIR = tmp_path
    inbox("a.eml", samples.reply_with_token(TOKEN))
    out = StringIO()
    call_command("read_inbound", "--all", stdout=out)
    assert "taken: 1" in out.getvalue()
    assert InboundMessage.objects.get().appeal == appeal
