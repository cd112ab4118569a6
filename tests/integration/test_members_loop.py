"""The coalition's loop through the real broker, worker and SMTP server: opening signing summons
every verified member once; a recorded rejection reaches every member once; an announcement to
those who have not signed reaches exactly them."""

from __future__ import annotations

from datetime import timedelta
from zoneinfo import ZoneInfo

import pytest
from django.utils import timezone
from django.utils.formats import date_format

from appeals.actions.announcements import announce
from appeals.actions.responses import record_response
from appeals.actions.signing import close_signing, open_signing, sign
from appeals.actions.submitting import submit_round
from appeals.dispatch import service as dispatch
from appeals.models import Notification
from coalition.models import Membership
from tests.factories import AppealFactory, GrievanceFactory, OrganiserFactory, SellerFactory
from tests.integration.support import daytime_zone, seed_members, wait_until

pytestmark = [pytest.mark.integration, pytest.mark.django_db(transaction=True)]


def coalition(size: int, prefix: str):
    """A grievance, its organiser and `size` verified members, all in a daytime zone."""
    zone = daytime_zone()
    grievance = GrievanceFactory()
    organiser = SellerFactory(time_zone=zone)
    OrganiserFactory(grievance=grievance, seller=organiser)
    ids = seed_members(grievance, size, zone=zone, prefix=prefix)
    Membership.objects.filter(pk__in=ids).update(state=Membership.State.VERIFIED)
    return grievance, organiser, ids, zone


def delivered(smtp) -> dict[str, int]:
    return dict(smtp.recorder.per_recipient())


def test_opening_signing_for_500_verified_members_delivers_500_summonses_once_each(worker, smtp):
    grievance, organiser, _ids, zone = coalition(500, "summoned")
    appeal = AppealFactory(grievance=grievance)
    appeal = open_signing(appeal, actor=organiser.user, deadline=timezone.now() + timedelta(days=7))

    dispatch.dispatch_due()
    dispatch.dispatch_due()  # a second dispatcher pass finds nothing more to do

    expected = {f"summoned{n}@example.com" for n in range(500)} | {organiser.user.email}
    assert wait_until(lambda: smtp.recorder.count() >= 501, timeout=120), worker.tail()
    assert not wait_until(lambda: smtp.recorder.count() > 501, timeout=3)
    counts = delivered(smtp)
    assert set(counts) == expected and set(counts.values()) == {1}
    deadline = date_format(
        timezone.localtime(appeal.signing_deadline, ZoneInfo(zone)), "DATE_FORMAT"
    )
    subjects = {" ".join(str(m["Subject"]).split()) for _r, m in smtp.recorder.snapshot()}
    assert subjects == {f"Round 1 of “{grievance.title}” is open — sign by {deadline}"}
    assert wait_until(
        lambda: Notification.objects.filter(kind="summons", state="sent").count() == 501, 30
    )


def test_recording_a_rejection_delivers_the_decision_to_every_member_once(worker, smtp):
    grievance, organiser, _ids, _zone = coalition(60, "informed")
    appeal = AppealFactory(grievance=grievance, state="signing", signing_opened_at=timezone.now())
    close_signing(appeal, actor=organiser.user)
    submit_round(appeal, actor=organiser.user, case_reference="CASE-1")

    record_response(
        appeal,
        actor=organiser.user,
        received_at=timezone.now(),
        channel="email",
        text="Your appeal has been rejected.",
        classification="rejected",
    )
    dispatch.dispatch_due()
    dispatch.dispatch_due()

    wanted = {f"informed{n}@example.com" for n in range(60)} | {organiser.user.email}

    def decisions() -> dict[str, int]:
        rows = [
            r
            for rcpts, m in smtp.recorder.snapshot()
            if str(m["Subject"]).strip().endswith(f"rejected round 1 of “{grievance.title}”")
            for r in rcpts
        ]
        return {r: rows.count(r) for r in set(rows)}

    assert wait_until(lambda: len(decisions()) >= 61, timeout=60), worker.tail()
    assert not wait_until(lambda: sum(decisions().values()) > 61, timeout=3)
    assert set(decisions()) == wanted and set(decisions().values()) == {1}


def test_an_announcement_to_those_who_have_not_signed_reaches_exactly_them(worker, smtp):
    grievance, organiser, ids, _zone = coalition(40, "announced")
    appeal = AppealFactory(grievance=grievance)
    appeal = open_signing(appeal, actor=organiser.user, deadline=timezone.now() + timedelta(days=7))
    signers = Membership.objects.filter(pk__in=ids[:15]).select_related("seller__user")
    for membership in signers:
        sign(appeal, actor=membership.seller.user)
    smtp.recorder.reset()

    announce(
        grievance,
        actor=organiser.user,
        audience="not_signed",
        subject="Two days left",
        text="Please sign round 1.",
    )
    dispatch.dispatch_due()

    unsigned = {f"announced{n}@example.com" for n in range(15, 40)} | {organiser.user.email}

    def announced() -> set[str]:
        return {
            r
            for rcpts, m in smtp.recorder.snapshot()
            if "Two days left" in m["Subject"]
            for r in rcpts
        }

    assert wait_until(lambda: len(announced()) >= len(unsigned), timeout=60), worker.tail()
    assert not wait_until(lambda: len(announced()) > len(unsigned), timeout=3)
    assert announced() == unsigned
