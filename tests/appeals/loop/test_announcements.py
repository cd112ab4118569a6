"""Organisers write to their members: to an audience, previewed with its count, through the
outbox with unsubscribes honoured, at most once per grievance per day, escaped everywhere."""

from __future__ import annotations

from datetime import timedelta

import pytest

from appeals.actions.announcements import announce
from appeals.actions.member_cases import log_submission
from appeals.actions.signing import sign
from appeals.models import Announcement, FollowUp, Notification, Unsubscribe
from coalition.errors import ActionRefused
from coalition.models import AuditEvent
from tests.appeals.builders import MONDAY, open_round, submit
from tests.appeals.loop.support import addressees, html_of, run_due, sent, verified

pytestmark = pytest.mark.django_db
A = Announcement.Audience


def write(grievance, actor, audience=A.ALL, text="The platform answers on Friday.", **kw):
    return announce(grievance, actor=actor, audience=audience, subject="News", text=text, **kw)


def test_an_announcement_to_those_who_have_not_signed_reaches_exactly_them(
    clock, grievance, organiser, django_capture_on_commit_callbacks
):
    signer, waiting = verified(grievance), verified(grievance)
    appeal = open_round(grievance, organiser, deadline=timedelta(days=7))
    sign(appeal, actor=signer.seller.user)
    item = write(grievance, organiser.user, A.NOT_SIGNED)
    assert (item.appeal, item.recipients) == (appeal, 2)  # the organiser has not signed either
    run_due(clock, MONDAY, django_capture_on_commit_callbacks)
    assert addressees("announcement") == sorted([organiser.user.email, waiting.seller.user.email])


def test_an_announcement_to_signers_who_have_not_filed_skips_those_who_logged_their_appeal(
    clock, grievance, organiser, django_capture_on_commit_callbacks
):
    filed, unfiled, unsigned = verified(grievance), verified(grievance), verified(grievance)
    appeal = open_round(grievance, organiser, deadline=timedelta(days=7))
    for m in (filed, unfiled):
        sign(appeal, actor=m.seller.user)
    appeal = submit(appeal, organiser)
    log_submission(appeal, actor=filed.seller.user, submitted_on=MONDAY.date())
    write(grievance, organiser.user, A.NOT_FILED)
    run_due(clock, MONDAY, django_capture_on_commit_callbacks)
    assert addressees("announcement") == [unfiled.seller.user.email]
    assert unsigned.seller.user.email not in addressees("announcement")


def test_an_announcement_is_emailed_with_both_parts_escaped_and_its_unsubscribe_links(
    clock, grievance, organiser, django_capture_on_commit_callbacks
):
    mia = verified(grievance, display_name="Mia")
    write(grievance, organiser.user, text='<script>alert("x")</script>\nSee you <b>Friday</b>.')
    run_due(clock, MONDAY, django_capture_on_commit_callbacks)
    (email,) = [m for m in sent("announcement") if mia.seller.user.email in m.to]
    assert email.subject == f"“{grievance.title}”: News"
    assert '<script>alert("x")</script>' in email.body  # plain text is plain
    html = html_of(email)
    assert "<script>" not in html and "&lt;script&gt;" in html and "&lt;b&gt;Friday" in html
    assert "Olivia Organiser, organiser of" in email.body
    assert "/notifications/unsubscribe/" in email.body and "/notifications/unsubscribe/" in html
    assert email.extra_headers["List-Unsubscribe-Post"] == "List-Unsubscribe=One-Click"


def test_members_who_unsubscribed_from_the_grievance_are_not_counted_nor_emailed(
    clock, grievance, organiser, django_capture_on_commit_callbacks
):
    stays, leaves = verified(grievance), verified(grievance)
    Unsubscribe.objects.create(seller=leaves.seller, grievance=grievance)
    item = write(grievance, organiser.user)
    assert item.recipients == 2  # the organiser and the one who stays
    run_due(clock, MONDAY, django_capture_on_commit_callbacks)
    delivered = {m.to[0] for m in sent("announcement")}
    assert delivered == {organiser.user.email, stays.seller.user.email}
    assert Notification.objects.get(to_email=leaves.seller.user.email).state == "suppressed"


def test_an_announcement_is_on_the_timeline(clock, grievance, organiser):
    item = write(grievance, organiser.user)
    event = AuditEvent.objects.get(verb="grievance.announced")
    assert (event.actor, event.data["announcement"], event.data["audience"]) == (
        organiser.user,
        item.pk,
        "all",
    )


@pytest.mark.parametrize(
    ("text", "field"),
    [("", "text"), ("   \n ", "text"), ("x" * 5001, "text")],
    ids=["empty", "blank", "too-long"],
)
def test_an_empty_or_too_long_announcement_is_refused_and_nothing_is_queued(
    clock, grievance, organiser, text, field
):
    with pytest.raises(ActionRefused) as refused:
        write(grievance, organiser.user, text=text)
    assert refused.value.field == field and str(refused.value.message)
    assert not Announcement.objects.exists() and not FollowUp.objects.exists()


def test_an_announcement_of_exactly_5000_characters_goes_out(clock, grievance, organiser):
    assert write(grievance, organiser.user, text="x" * 5000).pk


def test_a_second_announcement_within_a_day_is_refused_and_staff_may_lift_the_limit(
    clock, grievance, organiser, staff_user
):
    write(grievance, organiser.user)
    clock.move_to(MONDAY + timedelta(hours=23))
    with pytest.raises(ActionRefused) as refused:
        write(grievance, organiser.user)
    assert refused.value.code == "too_soon"
    with pytest.raises(ActionRefused):
        write(grievance, organiser.user, lift_limit=True)  # only staff may lift it
    assert Announcement.objects.count() == 1
    write(grievance, staff_user, lift_limit=True)
    clock.move_to(MONDAY + timedelta(hours=47, minutes=1))  # a day after the staff one
    write(grievance, organiser.user)
    assert Announcement.objects.count() == 3


@pytest.mark.parametrize("who", ["member", "outsider"])
def test_only_organisers_may_announce(
    clock, grievance, organiser, member, membership, outsider, who
):
    actor = {"member": member.user, "outsider": outsider.user}[who]
    with pytest.raises(ActionRefused) as refused:
        write(grievance, actor)
    assert refused.value.code == "forbidden"
    assert not Announcement.objects.exists() and not FollowUp.objects.exists()


def test_an_audience_without_its_round_is_refused(clock, grievance, organiser):
    with pytest.raises(ActionRefused) as refused:
        write(grievance, organiser.user, A.NOT_SIGNED)
    assert refused.value.field == "audience"
    assert not Announcement.objects.exists()
