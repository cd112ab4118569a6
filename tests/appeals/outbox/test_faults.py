"""The outbox under faults: database errors while recording, SMTP sessions broken mid-message,
and leases that expire (docs/outbox.md). SMTP is a real aiosmtpd server on loopback.

Database errors are injected into the bookkeeping transaction of a hand-over (which also records
the previous message's 250 and renews the lease), so these tests run outside a test transaction
(`transaction=True`): a retried write needs a connection it may close.
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
from django.core import mail
from django.db import OperationalError

from appeals.models import Notification
from appeals.outbox import service as outbox
from tests.factories import NotificationFactory

N = Notification.State
NOON = datetime(2025, 3, 3, 12, 0, tzinfo=UTC)  # the `clock` fixture's moment (conftest.py)


def fail_bookkeeping(monkeypatch, *, on_calls: set[int]):
    """Make the hand-over transactions numbered `on_calls` (1 = the first) fail, as a terminated
    database backend would, just before they commit."""
    real = outbox._Batch._renew_lease
    calls = {"n": 0}

    def renew(self):
        calls["n"] += 1
        if calls["n"] in on_calls:
            raise OperationalError("terminating connection due to administrator command")
        return real(self)

    monkeypatch.setattr(outbox._Batch, "_renew_lease", renew)
    monkeypatch.setattr(outbox, "DB_RETRY_PAUSES", (0.0, 0.0))
    return calls


def states(rows) -> list[str]:
    return [Notification.objects.get(pk=r.pk).state for r in rows]


@pytest.mark.django_db(transaction=True)
def test_a_database_error_while_committing_a_hand_over_is_retried_and_nothing_is_lost_or_doubled(
    clock, smtp, monkeypatch
):
    rows = [NotificationFactory() for _ in range(3)]
    # The second hand-over's transaction also records the first message's 250: it fails once.
    fail_bookkeeping(monkeypatch, on_calls={2})
    report = outbox.send_many([r.pk for r in rows])
    assert (report.sent, report.failed, report.deferred) == (3, 0, 0)
    assert states(rows) == [N.SENT, N.SENT, N.SENT]
    assert sorted(smtp.recorder.per_recipient().values()) == [1, 1, 1]


@pytest.mark.django_db(transaction=True)
def test_a_hand_over_that_cannot_be_recorded_puts_the_row_back_and_resets_the_session(
    clock, smtp, monkeypatch
):
    """Without the reset the next MAIL FROM would be answered "503 nested MAIL command"."""
    rows = [NotificationFactory() for _ in range(3)]
    fail_bookkeeping(monkeypatch, on_calls={2, 3, 4})  # every try of the second hand-over
    report = outbox.send_many([r.pk for r in rows])
    assert (report.sent, report.deferred, report.failed) == (2, 1, 0)
    assert states(rows) == [N.SENT, N.PENDING, N.SENT]
    second = Notification.objects.get(pk=rows[1].pk)
    assert "OperationalError" in second.last_error and second.sent_at is None
    assert second.send_after > NOON and second.attempts == 1
    assert sorted(smtp.recorder.per_recipient()) == sorted([rows[0].to_email, rows[2].to_email])
    clock.move_to(second.send_after)
    assert outbox.send_many([second.pk]).sent == 1
    assert sorted(smtp.recorder.per_recipient().values()) == [1, 1, 1]


@pytest.mark.django_db
def test_a_connection_dropped_after_the_server_took_a_message_leaves_only_that_row_unknown(
    clock, smtp
):
    smtp.recorder.drop_after = {2}  # takes the second message, then hangs up without a 250
    rows = [NotificationFactory() for _ in range(4)]
    report = outbox.send_many([r.pk for r in rows])
    assert (report.sent, report.failed, report.deferred) == (3, 1, 0)
    assert states(rows) == [N.SENT, N.FAILED, N.SENT, N.SENT]  # the rest over a new connection
    unknown = Notification.objects.get(pk=rows[1].pk)
    assert unknown.delivery_unknown and unknown.last_error.startswith(outbox.UNKNOWN_DROPPED)
    assert "SMTPServerDisconnected" in unknown.last_error
    assert smtp.recorder.count() == 4 and set(smtp.recorder.per_recipient().values()) == {1}


@pytest.mark.django_db
def test_a_5xx_answer_to_data_is_retried_not_failed(clock, smtp):
    smtp.recorder.data_reply = "554 5.7.1 Message rejected for now"
    first, second = NotificationFactory(), NotificationFactory()
    report = outbox.send_many([first.pk, second.pk])
    assert (report.deferred, report.failed) == (2, 0)
    assert states([first, second]) == [N.PENDING, N.PENDING]
    assert "554" in Notification.objects.get(pk=first.pk).last_error


# --- leases -----------------------------------------------------------------------------------


@pytest.mark.django_db
def test_a_claim_is_leased_and_the_sweeper_takes_it_over_once_the_lease_expired(
    clock, settings, django_capture_on_commit_callbacks
):
    settings.OUTBOX_LEASE_SECONDS = 90
    row = NotificationFactory()
    token, _rows = outbox.claim_batch([row.pk])
    row.refresh_from_db()
    assert row.lease_until == token + timedelta(seconds=90)
    with django_capture_on_commit_callbacks():
        assert outbox.sweep(NOON + timedelta(seconds=89))["released"] == 0
    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        found = outbox.sweep(NOON + timedelta(seconds=91))
    assert (found["released"], found["unknown"]) == (1, 0)
    row.refresh_from_db()
    assert row.state == N.PENDING and row.send_after == NOON + timedelta(seconds=91)
    assert [pk for cb in callbacks for pk in cb.args[0]] == [row.pk]


@pytest.mark.django_db
def test_a_handed_over_row_whose_lease_expired_is_delivery_unknown_with_the_reason(clock):
    row = NotificationFactory(
        state=N.SENDING, claimed_at=NOON, lease_until=NOON + timedelta(seconds=90), sent_at=NOON
    )
    assert outbox.sweep(NOON + timedelta(seconds=91))["unknown"] == 1
    row.refresh_from_db()
    assert row.delivery_unknown and row.last_error == outbox.UNKNOWN_WORKER


@pytest.mark.django_db
def test_a_long_batch_renews_the_lease_of_the_rows_still_to_go(clock, settings, monkeypatch):
    settings.OUTBOX_LEASE_SECONDS = 90
    rows = [NotificationFactory() for _ in range(4)]
    real = outbox._deliver
    leases = []

    def slow(backend, row, hand_over, in_doubt):
        clock.shift(timedelta(seconds=40))  # each message takes 40 s
        sent = real(backend, row, hand_over, in_doubt)
        leases.append(Notification.objects.get(pk=rows[-1].pk).lease_until)
        return sent

    monkeypatch.setattr(outbox, "_deliver", slow)
    assert outbox.send_many([r.pk for r in rows]).sent == 4
    # Renewed every third of a lease: never allowed to expire while the batch goes on.
    assert leases[0] == NOON + timedelta(seconds=40 + 90)
    assert all(lease > NOON + timedelta(seconds=40 * (i + 1)) for i, lease in enumerate(leases))
    assert leases[-1] == NOON + timedelta(seconds=160 + 90)


@pytest.mark.django_db
def test_a_250_after_the_sweeper_gave_up_on_the_row_still_marks_it_sent(clock, monkeypatch):
    """The server answered: the row is not reported as "delivery unknown"."""
    row = NotificationFactory()
    real = outbox._deliver

    def lease_expires_during_data(backend, row, hand_over, in_doubt):
        def then_sweep():
            won = hand_over()
            outbox.sweep(NOON + timedelta(hours=1))
            return won

        return real(backend, row, then_sweep, in_doubt)

    monkeypatch.setattr(outbox, "_deliver", lease_expires_during_data)
    assert outbox.send_many([row.pk]).sent == 1
    row.refresh_from_db()
    assert (row.state, row.last_error) == (N.SENT, "")
    assert len(mail.outbox) == 1


@pytest.mark.django_db(transaction=True)
def test_a_claim_whose_commit_answer_was_lost_is_resumed_not_left_stuck(clock, monkeypatch):
    rows = [NotificationFactory() for _ in range(2)]
    real = outbox.claim_batch
    calls = []

    def commits_then_loses_the_answer(pks, now=None, *, resume=False):
        calls.append(resume)
        won = real(pks, now, resume=resume)
        if len(calls) == 1:
            raise OperationalError("server closed the connection unexpectedly")
        return won

    monkeypatch.setattr(outbox, "claim_batch", commits_then_loses_the_answer)
    monkeypatch.setattr(outbox, "DB_RETRY_PAUSES", (0.0,))
    assert outbox.send_many([r.pk for r in rows]).sent == 2
    assert calls == [False, True] and len(mail.outbox) == 2
    assert states(rows) == [N.SENT, N.SENT]


@pytest.mark.django_db
def test_a_hand_over_retried_after_the_sweeper_took_its_lease_goes_back_to_pending(
    clock, monkeypatch, django_capture_on_commit_callbacks
):
    """Its first commit went through unseen, the lease expired during the retries and the
    sweeper called it "delivery unknown"; but its body never went out."""
    row = NotificationFactory()
    real = outbox._durably

    def durably(write, **kw):
        if write.__qualname__ == "_Batch.hand_over.<locals>.write":
            write()  # commits; its answer is lost
            outbox.sweep(NOON + timedelta(hours=1))
            return write()  # the retry: the row is no longer ours
        return real(write, **kw)

    monkeypatch.setattr(outbox, "_durably", durably)
    with django_capture_on_commit_callbacks() as callbacks:
        report = outbox.send_many([row.pk])
    row.refresh_from_db()
    assert (report.sent, len(mail.outbox)) == (0, 0)
    assert (row.state, row.sent_at, row.last_error) == (N.PENDING, None, "")
    assert [pk for cb in callbacks for pk in cb.args[0]] == [row.pk]
