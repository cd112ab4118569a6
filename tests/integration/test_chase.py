"""(a) A round goes to the platform by email; time passes the chase date without an answer; the
chaser reaches the platform's mailbox — through the real broker, worker and SMTP server."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.utils import timezone

from appeals.actions.signing import close_signing
from appeals.dispatch import service as dispatch
from appeals.models import Appeal, FollowUp, Notification
from tests.factories import (
    AppealFactory,
    GrievanceFactory,
    OrganiserFactory,
    PlatformFactory,
    SellerFactory,
)
from tests.integration.support import daytime_zone, wait_until

pytestmark = [pytest.mark.integration, pytest.mark.django_db(transaction=True)]


def test_an_emailed_round_is_chased_when_the_platform_stays_silent(worker, smtp):
    platform = PlatformFactory(slug="silent-market", appeal_email="appeals@silent.example")
    grievance = GrievanceFactory(platform=platform)
    organiser = SellerFactory(time_zone=daytime_zone())
    OrganiserFactory(grievance=grievance, seller=organiser)
    now = timezone.now()
    appeal = AppealFactory(
        grievance=grievance,
        state="signing",
        channel="email",
        signing_opened_at=now - timedelta(days=3),
        scheduled_submit_at=now - timedelta(minutes=1),
    )
    close_signing(appeal, actor=organiser.user)  # schedules the automatic submission

    dispatch.dispatch_due()  # the beat's job, run here: emails the round, marks it submitted
    appeal.refresh_from_db()
    assert appeal.state == Appeal.State.SUBMITTED and appeal.message_id
    assert wait_until(lambda: smtp.recorder.count() >= 1, timeout=30), worker.tail()
    ((rcpts, submission),) = smtp.recorder.snapshot()
    assert rcpts == ["appeals@silent.example", organiser.user.email]
    assert submission["Message-ID"] == appeal.message_id and submission["Subject"] == appeal.subject

    chase = FollowUp.objects.get(key=f"response_chase:{appeal.pk}:1")
    assert chase.due_at > now + timedelta(days=3)
    dispatch.dispatch_due(chase.due_at)  # time has passed the chase date, no answer recorded

    assert wait_until(lambda: smtp.recorder.count() >= 2, timeout=30), worker.tail()
    rcpts, chaser = smtp.recorder.snapshot()[1]
    assert "appeals@silent.example" in rcpts
    assert chaser["Subject"] == f"Follow-up 1: {appeal.subject}"
    assert chaser["In-Reply-To"] == appeal.message_id == chaser["References"]
    text = chaser.get_body(("plain",)).get_content()
    assert appeal.message_id in text and "we submitted the appeal" in text
    assert chaser.get_body(("html",)) is not None
    row = Notification.objects.get(kind="response_chase")
    assert wait_until(lambda: Notification.objects.get(pk=row.pk).state == "sent", timeout=10)
    assert Notification.objects.get(pk=row.pk).message_id == chaser["Message-ID"]
    assert Appeal.objects.get(pk=appeal.pk).chases_sent == 1
    assert FollowUp.objects.get(key=f"response_chase:{appeal.pk}:2").state == "scheduled"
