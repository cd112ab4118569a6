"""What comes back from the platform: responses, the paused clock and the information sent."""

from __future__ import annotations

from datetime import date, datetime, timedelta

import pytest
import time_machine
from django.utils import timezone

from appeals import deadlines
from appeals.actions.responses import information_sent, record_response
from appeals.actions.submitting import submit_round
from appeals.models import Appeal, PlatformResponse
from appeals.states import is_overdue
from coalition.errors import ActionRefused
from coalition.models import AuditEvent
from tests.appeals.builders import make_round, overdue
from tests.factories import GrievanceFactory, OrganiserFactory, PlatformFactory

S = Appeal.State
pytestmark = pytest.mark.django_db


def _events(verb: str):
    return AuditEvent.objects.filter(verb=verb)


def _respond(appeal, actor, classification, received_at=None, text="Answer."):
    return record_response(
        appeal,
        actor=actor,
        received_at=received_at or timezone.now(),
        channel="email",
        text=text,
        classification=classification,
    )


def test_acknowledgement_is_recorded_without_changing_the_round(submitted, organiser, hook_calls):
    response = _respond(submitted, organiser.user, "acknowledged")
    submitted.refresh_from_db()
    assert submitted.state == S.SUBMITTED and response.pk
    assert hook_calls == [("on_response_recorded", (submitted, response))]


@pytest.mark.parametrize("classification", ["granted", "partial", "rejected"])
def test_a_decision_answers_the_round(classification, submitted, organiser):
    response = _respond(submitted, organiser.user, classification)
    submitted.refresh_from_db()
    assert submitted.state == S.RESPONDED and submitted.outcome == classification
    assert submitted.responded_at == response.received_at
    event = _events("round.response_recorded").get()
    assert event.data["classification"] == classification
    assert (event.data["from"], event.data["to"]) == ("submitted", "responded")


def test_a_decision_after_an_info_request_clears_the_pause(grievance, organiser):
    appeal = make_round(grievance, S.INFO_REQUESTED)
    _respond(appeal, organiser.user, "granted")
    appeal.refresh_from_db()
    assert (
        appeal.state == S.RESPONDED
        and appeal.paused_at is None
        and appeal.paused_remaining_days is None
    )


def test_response_needs_text_and_a_sane_time(submitted, organiser):
    with pytest.raises(ActionRefused) as refused:
        _respond(submitted, organiser.user, "rejected", text=" ")
    assert refused.value.field == "text"
    with pytest.raises(ActionRefused) as refused:
        _respond(
            submitted, organiser.user, "rejected", received_at=timezone.now() + timedelta(days=2)
        )
    assert refused.value.field == "received_at"
    with pytest.raises(ActionRefused) as refused:
        _respond(
            submitted,
            organiser.user,
            "rejected",
            received_at=submitted.submitted_at - timedelta(days=5),
        )
    assert refused.value.field == "received_at"
    with pytest.raises(ActionRefused) as refused:
        _respond(submitted, organiser.user, "maybe")
    assert refused.value.field == "classification"
    assert not PlatformResponse.objects.exists()


def _platform_cn():
    return PlatformFactory(
        slug="cn-market",
        name="CN Market",
        holiday_country="CN",
        time_zone="Asia/Shanghai",
        response_business_days=10,
        chase_business_days=3,
    )


def test_info_request_pauses_and_information_sent_resumes_with_the_days_left(organiser, hook_calls):
    platform = _platform_cn()
    grievance = GrievanceFactory(platform=platform)
    OrganiserFactory(grievance=grievance, seller=organiser)
    appeal = make_round(grievance, S.READY)
    tz = deadlines._zone(platform)
    submitted_at = datetime(2026, 1, 30, 10, 0, tzinfo=tz)  # Friday before Spring Festival 2026
    with time_machine.travel(submitted_at, tick=False):
        submit_round(appeal, actor=organiser.user, case_reference="CN-1")
    appeal.refresh_from_db()
    asked_at = datetime(
        2026, 2, 4, 9, 0, tzinfo=tz
    )  # Wednesday: 3 business days used (2, 3, 4 Feb)
    with time_machine.travel(asked_at, tick=False):
        _respond(appeal, organiser.user, "info_requested")
    appeal.refresh_from_db()
    assert appeal.state == S.INFO_REQUESTED
    assert appeal.paused_at == asked_at
    assert appeal.paused_remaining_days == 7
    # Sent after the Spring Festival holiday (15 to 23 Feb 2026): the 7 days restart the next day.
    sent_at = datetime(2026, 2, 24, 11, 0, tzinfo=tz)
    with time_machine.travel(sent_at, tick=False):
        information_sent(appeal, actor=organiser.user)
    appeal.refresh_from_db()
    assert (
        appeal.state == S.SUBMITTED
        and appeal.paused_at is None
        and appeal.paused_remaining_days is None
    )
    assert appeal.response_due_at == deadlines.resumed_due(sent_at, 7, platform)
    assert (
        deadlines.business_days_between(
            date(2026, 2, 24), deadlines.local_date(appeal.response_due_at, platform), platform
        )
        == 7
    )
    # Very overdue keeps its own days left: 17 at the pause (7 + the 10-day second span).
    assert appeal.very_overdue_at == deadlines.resumed_due(sent_at, 17, platform)
    assert [n for n, _ in hook_calls] == [
        "on_submitted",
        "on_response_recorded",
        "on_information_sent",
    ]
    assert _events("round.information_sent").get().data["remaining_business_days"] == 7


def test_info_request_after_the_due_date_resumes_with_the_rest_of_a_business_day(
    submitted, organiser
):
    overdue(submitted)
    _respond(submitted, organiser.user, "info_requested")
    submitted.refresh_from_db()
    assert submitted.paused_remaining_days == 0
    information_sent(submitted, actor=organiser.user)
    submitted.refresh_from_db()
    platform = submitted.grievance.platform
    today = deadlines.local_date(timezone.now(), platform)
    assert deadlines.local_date(submitted.response_due_at, platform) == deadlines.roll_forward(
        today, platform
    )
    assert submitted.very_overdue_at >= submitted.response_due_at


def test_a_paused_round_is_not_overdue(submitted, organiser):
    overdue(submitted)
    _respond(submitted, organiser.user, "info_requested")
    submitted.refresh_from_db()
    assert not is_overdue(submitted, timezone.now())
