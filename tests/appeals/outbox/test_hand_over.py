"""The hand-over of a batch (docs/outbox.md): one statement per email, committed before DATA,
carrying the previous email's 250. SMTP is a real aiosmtpd server on loopback."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from appeals.models import Notification
from appeals.outbox import service as outbox
from tests.factories import NotificationFactory

N = Notification.State


def statements_to_send(count: int) -> list[str]:
    rows = [NotificationFactory() for _ in range(count)]
    with CaptureQueriesContext(connection) as ctx:
        assert outbox.send_many([r.pk for r in rows]).sent == count
    assert {r.state for r in Notification.objects.filter(pk__in=[r.pk for r in rows])} == {N.SENT}
    return [q["sql"] for q in ctx.captured_queries]


@pytest.mark.django_db
def test_each_more_email_in_a_batch_costs_one_sql_statement(clock, smtp):
    small, large = statements_to_send(2), statements_to_send(7)
    assert len(large) - len(small) == 5
    hand_overs = [
        i for i, sql in enumerate(large) if sql.startswith("UPDATE") and "RETURNING" in sql
    ]
    # One per email, one after the other: nothing around them (no transaction, no savepoint).
    assert hand_overs == list(range(hand_overs[0], hand_overs[0] + 7))


@pytest.mark.django_db(transaction=True)
def test_at_data_the_hand_over_is_committed_together_with_the_previous_250(
    clock, smtp, monkeypatch
):
    rows = [NotificationFactory() for _ in range(3)]
    real = outbox._deliver
    seen = []

    def observe(backend, row, hand_over, in_doubt):
        def at_data():
            states = dict(Notification.objects.values_list("pk", "state"))
            seen.append(
                (
                    connection.in_atomic_block,  # nothing uncommitted
                    Notification.objects.get(pk=row.pk).sent_at is not None,
                    [states[r.pk] for r in rows],
                )
            )
            in_doubt()

        return real(backend, row, hand_over, at_data)

    monkeypatch.setattr(outbox, "_deliver", observe)
    assert outbox.send_many([r.pk for r in rows]).sent == 3
    assert seen == [
        (False, True, [N.SENDING, N.SENDING, N.SENDING]),
        (False, True, [N.SENT, N.SENDING, N.SENDING]),
        (False, True, [N.SENT, N.SENT, N.SENDING]),
    ]
    assert [Notification.objects.get(pk=r.pk).state for r in rows] == [N.SENT] * 3


@pytest.mark.django_db
def test_a_hand_over_renews_the_lease_in_the_same_statement_only_when_a_third_has_passed(
    clock, smtp, settings, monkeypatch
):
    settings.OUTBOX_LEASE_SECONDS = 90
    rows = [NotificationFactory() for _ in range(3)]
    real = outbox._deliver

    def slow(backend, row, hand_over, in_doubt):
        clock.shift(timedelta(seconds=20))  # the second email is 40 s after the claim
        return real(backend, row, hand_over, in_doubt)

    monkeypatch.setattr(outbox, "_deliver", slow)
    with CaptureQueriesContext(connection) as ctx:
        assert outbox.send_many([r.pk for r in rows]).sent == 3
    hand_overs = [q["sql"] for q in ctx.captured_queries if "RETURNING" in q["sql"]]
    assert ["lease_until" in sql for sql in hand_overs] == [False, True, False]
