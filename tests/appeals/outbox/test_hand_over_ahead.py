"""The hand-over mark sent ahead (appeals/outbox/smtp.py, coalition/sql.py `send_ahead`): on
PostgreSQL, outside a transaction, each email's hand-over statement leaves before MAIL FROM, and
its answer is read after RCPT TO and before DATA, so the commit overlaps two SMTP round trips.
A real aiosmtpd server on loopback; the database is PostgreSQL (these tests fail without it in CI).
"""

from __future__ import annotations

import smtplib

import psycopg
import pytest
from django.db import connection, transaction
from django.test.utils import CaptureQueriesContext

from appeals.models import Notification
from appeals.outbox import hand_over as marks
from appeals.outbox import service as outbox
from coalition import sql as statements
from tests.factories import NotificationFactory

N = Notification.State
pytestmark = pytest.mark.django_db(transaction=True)


def admin_connection() -> psycopg.Connection:
    """A connection of the test's own to its database, beside Django's."""
    db = connection.settings_dict
    return psycopg.connect(
        dbname=db["NAME"], user=db["USER"], host=db["HOST"], port=db["PORT"], autocommit=True
    )


@pytest.fixture
def events(monkeypatch):
    """What happens in order: 'ahead' (a statement sent), 'answer' (its answer read),
    'write' (a hand-over written and waited for), and the SMTP commands."""
    seen: list[str] = []
    real_send, real_rows, real_write = statements.send_ahead, statements.Ahead.rows, marks.write

    def send_ahead(sql, params):
        ahead = real_send(sql, params)
        if ahead is not None:
            seen.append("ahead")
        return ahead

    def rows(self):
        seen.append("answer")
        return real_rows(self)

    def write(*args):
        seen.append("write")
        return real_write(*args)

    real_putcmd = smtplib.SMTP.putcmd

    def putcmd(self, cmd, args=""):
        seen.append(cmd.upper())
        return real_putcmd(self, cmd, args)

    monkeypatch.setattr(statements, "send_ahead", send_ahead)
    monkeypatch.setattr(statements.Ahead, "rows", rows)
    monkeypatch.setattr(marks, "write", write)
    monkeypatch.setattr(smtplib.SMTP, "putcmd", putcmd)
    return seen


def test_each_hand_over_leaves_before_mail_from_and_is_read_before_data(
    postgres, clock, smtp, events
):
    rows = [NotificationFactory() for _ in range(3)]
    assert outbox.send_many([r.pk for r in rows]).sent == 3
    per_email = ["ahead", "MAIL", "RCPT", "answer", "DATA"]
    commands = [e for e in events if e in {"ahead", "answer", "write", "MAIL", "RCPT", "DATA"}]
    assert commands == per_email * 3
    assert {r.state for r in Notification.objects.filter(pk__in=[r.pk for r in rows])} == {N.SENT}
    assert sorted(smtp.recorder.per_recipient().values()) == [1, 1, 1]


def test_a_hand_over_whose_answer_was_lost_is_written_again_and_sent_once(
    postgres, clock, smtp, events, monkeypatch
):
    """The backend is ended while the second email's mark is on its way (held up by a lock on
    its row, so it cannot have committed): its answer is lost, the mark (idempotent for the
    claim) is written again over a new connection, and every email goes out once."""
    rows = [NotificationFactory() for _ in range(3)]
    real_mail = smtplib.SMTP.mail
    pids = []

    with admin_connection() as admin:

        def mail(self, sender, options=()):
            pids.append(connection.connection.info.backend_pid)
            if len(pids) == 1:  # claimed: hold the second row, so its mark has to wait
                admin.execute("BEGIN")
                admin.execute(
                    "SELECT 1 FROM appeals_notification WHERE id = %s FOR UPDATE", [rows[1].pk]
                )
            if len(pids) == 2:  # the second mark waits for the lock: end the backend
                ended = admin.execute("SELECT pg_terminate_backend(%s, 5000)", [pids[-1]])
                assert ended.fetchone()[0]
                admin.execute("ROLLBACK")
            return real_mail(self, sender, options)

        monkeypatch.setattr(smtplib.SMTP, "mail", mail)
        monkeypatch.setattr(outbox, "DB_RETRY_PAUSES", (0.0, 0.0))
        assert outbox.send_many([r.pk for r in rows]).sent == 3
    commands = [e for e in events if e in {"ahead", "answer", "write", "MAIL", "RCPT", "DATA"}]
    assert commands == [
        *["ahead", "MAIL", "RCPT", "answer", "DATA"],
        *["ahead", "MAIL", "RCPT", "answer", "write", "DATA"],  # lost, written again
        *["ahead", "MAIL", "RCPT", "answer", "DATA"],
    ]
    assert connection.connection.info.backend_pid != pids[1]
    assert [Notification.objects.get(pk=r.pk).state for r in rows] == [N.SENT] * 3
    assert sorted(smtp.recorder.per_recipient().values()) == [1, 1, 1]


def test_a_refused_mail_from_after_the_mark_left_takes_the_mark_back(
    postgres, clock, smtp, events, monkeypatch
):
    """The server refuses MAIL FROM while the mark is committing: the answer is still read
    before the failure is recorded, nothing is in doubt and the row waits for its retry."""
    row = NotificationFactory()
    monkeypatch.setattr(
        smtplib.SMTP, "mail", lambda self, sender, options=(): (451, b"4.3.0 try later")
    )
    report = outbox.send_many([row.pk])
    assert (report.sent, report.deferred) == (0, 1)
    assert [e for e in events if e in {"ahead", "answer", "write", "DATA"}] == ["ahead", "answer"]
    row.refresh_from_db()
    assert (row.state, row.sent_at) == (N.PENDING, None)
    assert "SMTPSenderRefused" in row.last_error
    assert smtp.recorder.count() == 0


def test_inside_a_transaction_or_with_the_query_log_nothing_is_sent_ahead(postgres):
    assert statements.can_send_ahead()
    with transaction.atomic():
        assert not statements.can_send_ahead()
    with CaptureQueriesContext(connection):
        assert not statements.can_send_ahead()


def test_asking_whether_to_send_ahead_asks_nothing_of_a_database_that_is_down(
    postgres, monkeypatch
):
    """A database that went away is met by the hand-over's own write, with its retries."""
    connection.ensure_connection()

    def down():
        raise AssertionError("can_send_ahead connected to the database")

    monkeypatch.setattr(connection, "ensure_connection", down)
    assert statements.can_send_ahead()
