"""The outbox: written once, queued after commit, claimed before sending, sent at most once,
retried when the failure is passing, failed when it is not, and recovered by the sweeper.

SMTP behaviour is tested against a real aiosmtpd server on loopback, sending from this process.
"""

from __future__ import annotations

import smtplib
from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
from celery.exceptions import SoftTimeLimitExceeded
from django.core import mail
from django.db import InterfaceError, OperationalError

from appeals.models import Notification, Unsubscribe
from appeals.outbox import service as outbox
from appeals.outbox import smtp as outbox_smtp
from tests.factories import GrievanceFactory, NotificationFactory, SellerFactory

N = Notification.State
pytestmark = pytest.mark.django_db
NOON = datetime(2025, 3, 3, 12, 0, tzinfo=UTC)  # the `clock` fixture's moment (conftest.py)


def unsaved(key: str, **kw) -> Notification:
    return NotificationFactory.build(dedupe_key=key, **kw)


def state(row: Notification) -> str:
    row.refresh_from_db()
    return row.state


# --- writing ----------------------------------------------------------------------------------


def test_enqueue_writes_each_dedupe_key_once(clock, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks():
        outbox.enqueue([unsaved("k:1"), unsaved("k:2")])
        outbox.enqueue([unsaved("k:1", subject="again"), unsaved("k:3")])
    assert sorted(Notification.objects.values_list("dedupe_key", flat=True)) == [
        "k:1",
        "k:2",
        "k:3",
    ]
    assert Notification.objects.get(dedupe_key="k:1").subject != "again"


def test_enqueue_stores_every_field_as_given_and_queues_a_rerun_s_waiting_rows_again(
    clock, django_capture_on_commit_callbacks
):
    """On PostgreSQL the rows go in as one array per column (appeals/outbox/rows.py insert_new):
    each value arrives as the ORM would write it, and running a fan-out again queues the rows
    it wrote before that still wait, and nothing new."""
    later = NOON + timedelta(hours=8)
    given = unsaved(
        "f:1", subject="Runde 1 — 签名", cc=["a@example.org"], headers={"Message-ID": "<f.1@x>"}
    )
    with django_capture_on_commit_callbacks() as first:
        assert outbox.enqueue([given, unsaved("f:2", send_after=later)]) == 1
    row = Notification.objects.get(dedupe_key="f:1")
    assert (row.subject, row.cc, row.headers) == (
        "Runde 1 — 签名",
        ["a@example.org"],
        {"Message-ID": "<f.1@x>"},
    )
    assert (row.state, row.attempts, row.created_at, row.body_text) == (
        N.PENDING,
        0,
        NOON,
        given.body_text,
    )
    assert Notification.objects.get(dedupe_key="f:2").send_after == later
    with django_capture_on_commit_callbacks() as again:
        assert outbox.enqueue([unsaved("f:1"), unsaved("f:2", send_after=later)]) == 1
    assert [cb.args[0] for cb in again] == [cb.args[0] for cb in first] == [[row.pk]]
    assert Notification.objects.filter(dedupe_key__startswith="f:").count() == 2


def test_enqueue_queues_sending_only_after_commit_in_batches(
    clock, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks() as callbacks:
        queued = outbox.enqueue(unsaved(f"b:{i}") for i in range(outbox.BATCH_SIZE + 1))
    assert queued == outbox.BATCH_SIZE + 1
    assert [len(cb.args[0]) for cb in callbacks] == [outbox.BATCH_SIZE, 1]
    assert not mail.outbox  # nothing is sent by enqueueing


def test_rows_held_for_the_morning_are_not_queued_now(clock, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks() as callbacks:
        queued = outbox.enqueue([unsaved("held", send_after=NOON + timedelta(hours=8))])
    assert queued == 0 and callbacks == []


@pytest.mark.parametrize(
    ("local_now", "zone", "expected_local"),
    [
        ("2025-03-03 12:00", "Asia/Shanghai", None),  # noon: send now
        ("2025-03-03 20:59", "Asia/Shanghai", None),
        ("2025-03-03 21:00", "Asia/Shanghai", "2025-03-04 09:00"),  # evening: next morning
        ("2025-03-03 23:30", "America/Los_Angeles", "2025-03-04 09:00"),
        ("2025-03-04 02:00", "Europe/Berlin", "2025-03-04 09:00"),  # small hours: this morning
        ("2025-03-04 08:59", "UTC", "2025-03-04 09:00"),
        ("2025-03-04 09:00", "UTC", None),
        ("2025-03-08 22:00", "America/New_York", "2025-03-09 09:00"),  # across the DST change
    ],
)
def test_daytime_hold_waits_until_nine_in_the_recipients_zone(local_now, zone, expected_local):
    tz = ZoneInfo(zone)
    now = datetime.fromisoformat(local_now).replace(tzinfo=tz)
    got = outbox.daytime_send_after(now, zone)
    if expected_local is None:
        assert got is None
    else:
        assert got == datetime.fromisoformat(expected_local).replace(tzinfo=tz)


# --- claiming and sending (locmem) ------------------------------------------------------------


def test_a_row_is_claimed_once(clock):
    row = NotificationFactory()
    assert outbox.claim_for_sending(row.pk) is not None
    assert outbox.claim_for_sending(row.pk) is None
    row.refresh_from_db()
    assert (row.state, row.attempts) == (N.SENDING, 1)


def test_a_held_row_cannot_be_claimed_before_its_time(clock):
    row = NotificationFactory(send_after=NOON + timedelta(minutes=1))
    assert outbox.claim_for_sending(row.pk) is None


def test_sending_twice_sends_once(clock):
    """A re-delivered task (acks_late after a lost worker) finds the row sent and does nothing."""
    row = NotificationFactory()
    first = outbox.send_many([row.pk])
    second = outbox.send_many([row.pk])
    assert (first.sent, second.sent, second.skipped) == (1, 0, 1)
    assert len(mail.outbox) == 1
    row.refresh_from_db()
    assert (row.state, row.sent_at, row.last_error) == (N.SENT, NOON, "")


def test_the_sent_email_has_both_parts_and_the_recorded_message_id(clock):
    row = NotificationFactory(
        cc=["org@example.com"], headers={"Message-ID": "<m1@x>", "Reply-To": "a@x, b@x"}
    )
    outbox.send_many([row.pk])
    (email,) = mail.outbox
    assert (email.to, email.cc, email.reply_to) == (
        [row.to_email],
        ["org@example.com"],
        ["a@x", "b@x"],
    )
    assert email.body == row.body_text
    assert email.alternatives[0] == (row.body_html, "text/html")
    assert email.message()["Message-ID"] == "<m1@x>"


def test_a_claim_taken_over_meanwhile_sends_nothing(clock, monkeypatch):
    """If the sweeper released our rows (we looked dead) before we handed them over, we stop."""
    row = NotificationFactory()
    real_claim = outbox.claim_batch

    def claim_then_lose_it(pks, now=None, **kw):
        token, rows = real_claim(pks, now, **kw)
        Notification.objects.filter(pk__in=pks).update(claimed_at=NOON - timedelta(hours=1))
        return token, rows

    monkeypatch.setattr(outbox, "claim_batch", claim_then_lose_it)
    report = outbox.send_many([row.pk])
    assert (report.sent, len(mail.outbox)) == (0, 0)


def test_two_senders_with_the_same_rows_send_each_once(clock):
    """Duplicated batch tasks: the second finds every row claimed or sent."""
    batch = [NotificationFactory() for _ in range(4)]
    token, won = outbox.claim_batch([r.pk for r in batch])
    assert len(won) == 4
    assert outbox.claim_batch([r.pk for r in batch]) == (token, [])
    assert outbox.send_many([r.pk for r in batch]).sent == 0


# --- opt-outs --------------------------------------------------------------------------------


@pytest.mark.parametrize("how", ["this_grievance", "everything", "profile_switch"])
def test_opted_out_recipients_are_suppressed_at_send_time(clock, how):
    seller = SellerFactory()
    grievance = GrievanceFactory()
    row = NotificationFactory(recipient=seller.user, grievance=grievance)
    other = NotificationFactory(recipient=seller.user, grievance=GrievanceFactory())
    if how == "this_grievance":
        Unsubscribe.objects.create(seller=seller, grievance=grievance)
    elif how == "everything":
        Unsubscribe.objects.create(seller=seller)
    else:
        seller.email_notifications = False
        seller.save()
    report = outbox.send_many([row.pk, other.pk])
    assert state(row) == N.SUPPRESSED
    assert state(other) == (N.SENT if how == "this_grievance" else N.SUPPRESSED)
    assert report.sent == len(mail.outbox) == (1 if how == "this_grievance" else 0)


def test_emails_to_a_platform_are_never_suppressed(clock):
    row = NotificationFactory(recipient=None, kind="auto_submit")
    outbox.send_many([row.pk])
    assert state(row) == N.SENT


# --- SMTP on loopback -------------------------------------------------------------------------


def test_a_batch_goes_out_over_one_connection_and_each_row_is_marked_sent(clock, smtp, monkeypatch):
    opened = []
    real_open = smtplib.SMTP.connect
    monkeypatch.setattr(
        smtplib.SMTP, "connect", lambda self, *a, **k: opened.append(1) or real_open(self, *a, **k)
    )
    batch = [NotificationFactory() for _ in range(5)]
    report = outbox.send_many([r.pk for r in batch])
    assert report.sent == 5 and len(opened) == 1
    received = smtp.recorder.snapshot()
    assert sorted(r for rcpts, _m in received for r in rcpts) == sorted(r.to_email for r in batch)
    _rcpts, message = received[0]
    assert message.get_content_type() == "multipart/alternative"
    assert {part.get_content_type() for part in message.iter_parts()} == {"text/plain", "text/html"}
    assert {state(r) for r in batch} == {N.SENT}


def test_a_refused_address_fails_the_row_for_good(clock, smtp):
    smtp.recorder.rcpt_reply = "550 5.1.1 No such user"
    row = NotificationFactory()
    report = outbox.send_many([row.pk])
    row.refresh_from_db()
    assert (report.failed, row.state, row.sent_at) == (1, N.FAILED, None)
    assert "550" in row.last_error and "No such user" in row.last_error


def test_a_refused_address_mid_batch_leaves_the_session_in_step_for_the_rest(clock, smtp):
    """The hand-over mark is written while the server answers RCPT: a refusal takes it back, and
    the answer is read, so the next message's commands get their own answers."""
    batch = [NotificationFactory() for _ in range(3)]
    smtp.recorder.refuse = {batch[1].to_email}
    report = outbox.send_many([r.pk for r in batch])
    assert (report.sent, report.failed) == (2, 1)
    received = sorted(r for rcpts, _m in smtp.recorder.snapshot() for r in rcpts)
    assert received == sorted([batch[0].to_email, batch[2].to_email])
    refused = Notification.objects.get(pk=batch[1].pk)
    assert (refused.state, refused.sent_at) == (N.FAILED, None)
    assert [state(batch[0]), state(batch[2])] == [N.SENT, N.SENT]


def test_a_4xx_answer_puts_the_row_back_with_backoff(
    clock, smtp, django_capture_on_commit_callbacks
):
    smtp.recorder.rcpt_reply = "451 4.3.0 Try again later"
    row = NotificationFactory()
    report = outbox.send_many([row.pk])
    row.refresh_from_db()
    assert (report.deferred, row.state, row.attempts) == (1, N.PENDING, 1)
    assert (
        NOON + outbox.backoff(1) / 2 - timedelta(seconds=1)
        <= row.send_after
        <= NOON + outbox._retry_base()
    )
    assert "451" in row.last_error
    smtp.recorder.rcpt_reply = None
    clock.move_to(row.send_after)
    assert outbox.send_many([row.pk]).sent == 1
    assert smtp.recorder.count() == 1


def test_when_the_server_is_down_the_whole_batch_waits_and_nothing_is_lost(clock, smtp):
    smtp.stop()
    batch = [NotificationFactory() for _ in range(3)]
    report = outbox.send_many([r.pk for r in batch])
    assert report.deferred == 3
    assert {(state(r), r.attempts) for r in batch} == {(N.PENDING, 1)}
    smtp.start()
    clock.move_to(NOON + timedelta(hours=1))
    assert outbox.send_pending().sent == 3
    assert sorted(smtp.recorder.per_recipient().values()) == [1, 1, 1]


def test_a_connection_lost_while_the_server_takes_the_message_is_never_resent(clock, smtp):
    """The server may have delivered it: failed with "delivery unknown", for staff to decide."""
    smtp.recorder.drop_after_data = True
    row = NotificationFactory()
    report = outbox.send_many([row.pk])
    row.refresh_from_db()
    assert (report.failed, row.state) == (1, N.FAILED)
    assert row.last_error.startswith("Delivery unknown") and row.sent_at is not None
    smtp.recorder.drop_after_data = False
    outbox.sweep(NOON + timedelta(hours=2))
    outbox.send_pending(NOON + timedelta(hours=2))
    assert smtp.recorder.count() == 1  # the one the server took before hanging up


def test_rows_fail_after_the_last_attempt(clock, smtp):
    smtp.stop()
    row = NotificationFactory(attempts=outbox.MAX_ATTEMPTS - 1)
    outbox.send_many([row.pk])
    row.refresh_from_db()
    assert (row.state, row.attempts) == (N.FAILED, outbox.MAX_ATTEMPTS)


def test_backoff_grows_exponentially_with_jitter_and_a_cap(settings):
    settings.OUTBOX_RETRY_BASE_SECONDS = 30
    for attempts, ceiling in [(1, 30), (2, 60), (3, 120), (6, 960), (20, 3600)]:
        delays = {outbox.backoff(attempts).total_seconds() for _ in range(50)}
        assert all(ceiling / 2 <= d <= ceiling for d in delays)
        assert len(delays) > 1  # jittered


@pytest.mark.parametrize(
    ("error", "in_doubt", "expected"),
    [
        (smtplib.SMTPServerDisconnected("gone"), False, "transient"),
        (ConnectionRefusedError(), False, "transient"),
        (TimeoutError(), False, "transient"),
        (
            OperationalError("terminating connection due to administrator command"),
            False,
            "transient",
        ),
        (InterfaceError("connection already closed"), False, "transient"),
        (smtplib.SMTPConnectError(421, b"busy"), False, "transient"),
        (smtplib.SMTPSenderRefused(451, b"later", "x"), False, "transient"),
        # A 5xx to MAIL FROM speaks of the session (here: a MAIL not reset), not the recipient.
        (
            smtplib.SMTPSenderRefused(503, b"5.5.1 Error: nested MAIL command", "x"),
            False,
            "transient",
        ),
        (smtplib.SMTPRecipientsRefused({"a": (550, b"no")}), False, "permanent"),
        (smtplib.SMTPRecipientsRefused({"a": (452, b"full")}), False, "transient"),
        (
            smtplib.SMTPRecipientsRefused({"a": (550, b"no"), "b": (452, b"full")}),
            False,
            "transient",
        ),
        (smtplib.SMTPDataError(554, b"spam"), True, "transient"),  # answered: not taken
        (smtplib.SMTPDataError(451, b"later"), True, "transient"),
        (smtplib.SMTPServerDisconnected("gone"), True, "unknown"),
        (TimeoutError(), True, "unknown"),
        (SoftTimeLimitExceeded(), True, "unknown"),
        (outbox_smtp.BadAddress("bad address"), False, "permanent"),
        (RuntimeError("a bug while building the message"), False, "transient"),
    ],
)
def test_only_a_refused_recipient_or_address_is_permanent(error, in_doubt, expected):
    assert outbox.classify(error, in_doubt=in_doubt) == expected


def test_an_address_that_cannot_be_written_fails_the_row_for_good(clock, smtp):
    row = NotificationFactory(to_email="bad\nheader@example.com")
    report = outbox.send_many([row.pk])
    row.refresh_from_db()
    assert (report.failed, row.state, row.sent_at) == (1, N.FAILED, None)
    assert "BadAddress" in row.last_error and smtp.recorder.count() == 0


# --- the sweeper and staff retries ------------------------------------------------------------


def test_the_sweeper_releases_rows_a_dead_worker_claimed_but_never_handed_over(
    clock, django_capture_on_commit_callbacks
):
    row = NotificationFactory(
        state=N.SENDING, claimed_at=NOON - outbox.STALE_CLAIM - timedelta(seconds=1)
    )
    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        found = outbox.sweep()
    assert found == {"released": 1, "unknown": 0, "queued": 1}
    assert state(row) == N.PENDING and callbacks[0].args[0] == [row.pk]
    outbox.send_pending()
    assert len(mail.outbox) == 1


def test_the_sweeper_fails_rows_a_dead_worker_had_handed_over(clock):
    row = NotificationFactory(
        state=N.SENDING, claimed_at=NOON - timedelta(hours=1), sent_at=NOON - timedelta(hours=1)
    )
    assert outbox.sweep()["unknown"] == 1
    row.refresh_from_db()
    assert row.state == N.FAILED and row.last_error.startswith("Delivery unknown")


def test_the_sweeper_leaves_fresh_claims_and_fresh_rows_alone(
    clock, django_capture_on_commit_callbacks
):
    sending = NotificationFactory(state=N.SENDING, claimed_at=NOON - timedelta(minutes=1))
    fresh = NotificationFactory()  # its own send task is on the way
    held = NotificationFactory(send_after=NOON + timedelta(hours=3))
    with django_capture_on_commit_callbacks() as callbacks:
        assert outbox.sweep() == {"released": 0, "unknown": 0, "queued": 0}
    assert callbacks == []
    assert (state(sending), state(fresh), state(held)) == (N.SENDING, N.PENDING, N.PENDING)


def test_the_sweeper_queues_rows_left_pending_and_rows_whose_morning_came(
    clock, django_capture_on_commit_callbacks
):
    left = NotificationFactory()
    Notification.objects.filter(pk=left.pk).update(
        created_at=NOON - outbox.SWEEP_GRACE - timedelta(seconds=1)
    )
    morning = NotificationFactory(send_after=NOON)
    with django_capture_on_commit_callbacks() as callbacks:
        assert outbox.sweep()["queued"] == 2
    assert sorted(pk for cb in callbacks for pk in cb.args[0]) == sorted([left.pk, morning.pk])


def test_staff_retry_sends_a_failed_row_again(clock, django_capture_on_commit_callbacks):
    failed = NotificationFactory(state=N.FAILED, attempts=8, last_error="550 no")
    sent = NotificationFactory(state=N.SENT)
    with django_capture_on_commit_callbacks() as callbacks:
        assert outbox.retry([failed.pk, sent.pk]) == 1
    assert len(callbacks) == 1
    failed.refresh_from_db()
    assert (failed.state, failed.attempts) == (N.PENDING, 0)
    outbox.send_pending()
    assert state(failed) == N.SENT and state(sent) == N.SENT
    assert len(mail.outbox) == 1


def test_a_task_out_of_time_puts_back_what_it_did_not_send(clock, monkeypatch):
    batch = [NotificationFactory() for _ in range(3)]
    real = outbox._deliver
    calls = {"n": 0}

    def slow(backend, row, hand_over, in_doubt):
        calls["n"] += 1
        if calls["n"] == 2:
            raise SoftTimeLimitExceeded()
        return real(backend, row, hand_over, in_doubt)

    monkeypatch.setattr(outbox, "_deliver", slow)
    with pytest.raises(SoftTimeLimitExceeded):
        outbox.send_many([r.pk for r in batch])
    assert [state(r) for r in batch] == [N.SENT, N.PENDING, N.PENDING]
    assert len(mail.outbox) == 1


def test_a_worker_that_dies_after_the_server_accepted_leaves_the_row_unknown_not_resent(
    clock, monkeypatch
):
    """Between the server's 250 and the commit of `sent` nothing can be known for sure."""
    row = NotificationFactory()

    def dies_after_sending(self):
        raise SystemExit("killed")

    monkeypatch.setattr(outbox._Batch, "finish", dies_after_sending)
    with pytest.raises(SystemExit):
        outbox.send_many([row.pk])
    assert len(mail.outbox) == 1
    row.refresh_from_db()
    assert row.state == N.SENDING and row.sent_at is not None
    outbox.sweep(NOON + outbox.STALE_CLAIM + timedelta(seconds=1))
    outbox.send_pending(NOON + timedelta(hours=1))
    assert state(row) == N.FAILED and len(mail.outbox) == 1
