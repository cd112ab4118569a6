"""The inbound reader as it runs for real: messages APPENDed to a Dovecot mailbox on loopback, the
beat's task run by a real Celery worker against PostgreSQL. Each message lands where it should,
once; reading twice, or killing the worker mid-batch and starting it again, takes nothing twice
and loses nothing."""

from __future__ import annotations

import pytest

from appeals.inbound import tasks
from appeals.models import Appeal, InboundMessage, PlatformResponse
from tests.appeals.builders import make_round
from tests.appeals.inbound import samples
from tests.factories import GrievanceFactory, NotificationFactory, OrganiserFactory, PlatformFactory
from tests.integration.inbound.test_imap_source import PROCESSED, append, contents
from tests.integration.support import wait_until

pytestmark = [pytest.mark.integration, pytest.mark.django_db(transaction=True)]

Outcome, By = InboundMessage.Outcome, InboundMessage.MatchedBy
TOKEN = "k3x9q2"
MB = 1024 * 1024


@pytest.fixture
def reader_worker(request, imap_account, monkeypatch, settings):
    """The real worker, reading this test's own IMAP account."""
    monkeypatch.setenv("INBOUND_IMAP_URL", imap_account.url)
    monkeypatch.setenv("INBOUND_ADDRESS", samples.INBOUND)
    settings.INBOUND_ADDRESS = samples.INBOUND
    return request.getfixturevalue("worker")


@pytest.fixture
def appeal(db) -> Appeal:
    platform = PlatformFactory(slug="wishful-it", appeal_email="appeals@wishful.example")
    grievance = GrievanceFactory(platform=platform)
    OrganiserFactory(grievance=grievance)
    appeal = make_round(grievance, Appeal.State.SUBMITTED, reply_token=TOKEN)
    NotificationFactory(
        appeal=appeal, grievance=grievance, kind="auto_submit", recipient=None,
        message_id="<round-1.abc@coalition.example>", to_email=platform.appeal_email,
    )  # fmt: skip
    return appeal


def read_with_worker(expected: int, timeout: float = 90) -> bool:
    tasks.read_inbound.delay()
    return wait_until(lambda: InboundMessage.objects.count() >= expected, timeout=timeout)


def test_each_message_lands_where_it_should_once(reader_worker, imap_account, appeal):
    append(
        imap_account,
        samples.reply_with_token(TOKEN),
        samples.reply_in_thread(),  # only In-Reply-To / References tie it to the round
        samples.auto_reply(),
        samples.malformed(),
        samples.unmatched(),
        samples.with_attachment(40 * MB),
    )
    assert read_with_worker(6, timeout=180), reader_worker.tail()
    assert wait_until(lambda: len(contents(imap_account, PROCESSED)) == 6, timeout=30)

    by_id = {m.message_id: m for m in InboundMessage.objects.all()}
    assert (by_id["<r1@wishful.example>"].matched_by, by_id["<r1@wishful.example>"].appeal) == (
        By.TOKEN,
        appeal,
    )
    assert by_id["<r3@wishful.example>"].matched_by == By.THREAD
    assert by_id["<auto-auto-submitted@wishful.example>"].outcome == Outcome.AUTO_REPLY
    assert by_id["<news-1@shop-tools.example>"].outcome == Outcome.UNMATCHED
    malformed = InboundMessage.objects.get(subject="broken")
    assert malformed.appeal == appeal and malformed.problems
    big = by_id[f"<big-{40 * MB}@wishful.example>"]
    (attachment,) = big.attachments.all()
    assert attachment.size == 40 * MB and not attachment.file and attachment.note
    assert big.raw.size == big.size > 40 * MB

    # Token, thread, malformed and the big one are replies to classify; nothing moved the round.
    assert PlatformResponse.objects.filter(appeal=appeal, classification="").count() == 4
    appeal.refresh_from_db()
    assert appeal.state == Appeal.State.SUBMITTED
    assert contents(imap_account, "INBOX") == []

    # Reading again takes nothing.
    tasks.read_inbound.delay()
    append(imap_account, samples.built(Message_ID="<late@wishful.example>", Subject="Later"))
    assert read_with_worker(7), reader_worker.tail()
    assert InboundMessage.objects.count() == 7 and PlatformResponse.objects.count() == 5


def test_killing_the_worker_mid_batch_loses_nothing_and_takes_nothing_twice(
    reader_worker, imap_account, appeal
):
    count = 25
    batch = [
        samples.reply_with_token(TOKEN, message_id=f"<r-{i}@wishful.example>") for i in range(count)
    ]
    batch.insert(3, samples.with_attachment(40 * MB))  # slows the batch down mid-way
    append(imap_account, *batch)

    tasks.read_inbound.delay()
    assert wait_until(lambda: InboundMessage.objects.count() >= 2, timeout=60), reader_worker.tail()
    reader_worker.kill()
    taken_before = InboundMessage.objects.count()
    assert taken_before < count + 1  # killed mid-batch

    reader_worker.start()
    assert read_with_worker(count + 1, timeout=180), reader_worker.tail()
    tasks.read_inbound.delay()  # and once more: nothing left, nothing taken twice
    assert wait_until(lambda: len(contents(imap_account, "INBOX")) == 0, timeout=60)

    assert InboundMessage.objects.count() == count + 1
    assert PlatformResponse.objects.count() == count + 1
    ids = list(InboundMessage.objects.values_list("message_id", flat=True))
    assert len(set(ids)) == len(ids)
    assert len(contents(imap_account, PROCESSED)) == count + 1  # IMAP MOVE: each moved once
