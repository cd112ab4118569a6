"""Recording what the platform decided tells every member what came back and what happens next."""

from __future__ import annotations

from datetime import timedelta

import pytest

from appeals.actions.responses import information_sent, record_response
from appeals.models import FollowUp, Notification
from coalition.models import AuditEvent
from tests.appeals.builders import MONDAY, open_round, submit
from tests.appeals.loop.support import (
    addressees,
    html_of,
    joined,
    run_due,
    sent,
    unconfirmed,
    verified,
)

pytestmark = pytest.mark.django_db


def answer(appeal, organiser, classification: str, text: str = "We have reviewed your appeal."):
    return record_response(
        appeal,
        actor=organiser.user,
        received_at=MONDAY,
        channel="email",
        text=text,
        classification=classification,
    )


@pytest.fixture
def sent_round(clock, grievance, organiser):
    return submit(open_round(grievance, organiser), organiser)


def test_a_rejection_tells_every_member_once_what_came_back_and_proposes_the_next_round(
    clock, grievance, organiser, sent_round, django_capture_on_commit_callbacks
):
    mia, jo = verified(grievance, display_name="Mia"), joined(grievance)
    silent = unconfirmed(grievance)
    response = answer(sent_round, organiser, "rejected", "Your appeal does not meet our criteria.")
    run_due(clock, MONDAY, django_capture_on_commit_callbacks)

    expected = [mia.seller.user.email, jo.seller.user.email, organiser.user.email]
    assert addressees("decision_notice") == sorted(expected)
    assert silent.seller.user.email not in addressees("decision_notice")
    # Run again (a crashed dispatcher): still once per member.
    key = f"decision_notice:{sent_round.pk}:{response.pk}"
    FollowUp.objects.filter(key=key).update(state="scheduled")
    run_due(clock, MONDAY + timedelta(minutes=1), django_capture_on_commit_callbacks)
    assert Notification.objects.filter(kind="decision_notice").count() == 3

    (email,) = [m for m in sent("decision_notice") if mia.seller.user.email in m.to]
    assert email.subject == f"{grievance.platform.name} rejected round 1 of “{grievance.title}”"
    assert "Your appeal does not meet our criteria." in email.body
    assert "The organisers propose a further round" in email.body
    assert "The organisers propose a further round" in html_of(email)
    assert "/notifications/unsubscribe/" in html_of(email)
    event = AuditEvent.objects.filter(verb="round.members_informed").first()
    assert event.data == {"classification": "rejected", "members": 3}


def test_a_request_for_information_says_what_was_asked_and_that_the_clock_is_paused(
    clock, grievance, organiser, sent_round, django_capture_on_commit_callbacks
):
    answer(sent_round, organiser, "info_requested", "Send the settlement reports by Friday.")
    run_due(clock, MONDAY, django_capture_on_commit_callbacks)
    (email,) = sent("decision_notice")
    assert email.subject.startswith(f"{grievance.platform.name} asks for more information")
    assert "Send the settlement reports by Friday." in email.body
    assert "Its clock is paused, keeping the" in email.body


def test_a_grant_asks_members_to_check_their_store_and_report_their_own_outcome(
    clock, grievance, organiser, sent_round, django_capture_on_commit_callbacks
):
    answer(sent_round, organiser, "granted", "Funds will be released.")
    run_due(clock, MONDAY, django_capture_on_commit_callbacks)
    (email,) = sent("decision_notice")
    assert email.subject == f"{grievance.platform.name} granted round 1 of “{grievance.title}”"
    assert "Check your own store now" in email.body
    assert f"/rounds/{sent_round.pk}/#my-appeal" in email.body
    assert "Report your outcome" in html_of(email)


def test_a_rejection_at_the_platforms_round_cap_proposes_the_next_rung(
    clock, grievance, organiser, sent_round, django_capture_on_commit_callbacks
):
    grievance.platform.round_cap = 1
    grievance.platform.save()
    answer(sent_round, organiser, "rejected")
    run_due(clock, MONDAY, django_capture_on_commit_callbacks)
    (email,) = sent("decision_notice")
    assert "next rung of the escalation ladder" in email.body


def test_an_acknowledgement_tells_the_members_nothing(
    clock, grievance, organiser, sent_round, django_capture_on_commit_callbacks
):
    answer(sent_round, organiser, "acknowledged", "We received your appeal.")
    run_due(clock, MONDAY, django_capture_on_commit_callbacks)
    assert not FollowUp.objects.filter(kind="decision_notice").exists()
    assert not Notification.objects.filter(kind="decision_notice").exists()


def test_a_request_answered_before_its_notice_ran_is_not_announced(
    clock, grievance, organiser, sent_round, django_capture_on_commit_callbacks
):
    response = answer(sent_round, organiser, "info_requested")
    information_sent(sent_round, actor=organiser.user)
    run_due(clock, MONDAY, django_capture_on_commit_callbacks)
    row = FollowUp.objects.get(key=f"decision_notice:{sent_round.pk}:{response.pk}")
    assert (row.state, row.last_error) == ("cancelled", "the round moved on since this answer")
    assert not Notification.objects.filter(kind="decision_notice").exists()


def test_the_decision_is_written_in_each_members_language(
    clock, grievance, organiser, sent_round, django_capture_on_commit_callbacks
):
    wei = verified(grievance, language="zh-hans")
    answer(sent_round, organiser, "rejected")
    run_due(clock, MONDAY, django_capture_on_commit_callbacks)
    row = Notification.objects.get(kind="decision_notice", to_email=wei.seller.user.email)
    assert '<html lang="zh-hans">' in row.body_html
