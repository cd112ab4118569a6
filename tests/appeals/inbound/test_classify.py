"""Classifying a reply the reader took moves the round as recording a response does; staff attach
an unmatched message to its round."""

from __future__ import annotations

import pytest

from appeals import jobs
from appeals.actions import inbound
from appeals.inbound.sources import Incoming
from appeals.models import Appeal, FollowUp, InboundMessage, Notification, PlatformResponse
from coalition.errors import ActionRefused
from coalition.models import AuditEvent
from tests.appeals.builders import make_round
from tests.appeals.inbound import samples

C = PlatformResponse.Classification
S = Appeal.State
TOKEN = "k3x9q2"


@pytest.fixture(autouse=True)
def inbound_address(settings):
    settings.INBOUND_ADDRESS = samples.INBOUND


@pytest.fixture
def appeal(grievance) -> Appeal:
    return make_round(grievance, S.SUBMITTED, reply_token=TOKEN)


def take(raw: bytes, uid: str = "1") -> InboundMessage:
    return inbound.take_message(Incoming(uid=uid, raw=raw, source="test"))[0]


@pytest.fixture
def reply(appeal) -> PlatformResponse:
    return take(samples.reply_with_token(TOKEN)).response


def test_classifying_as_information_requested_pauses_the_clock(reply, organiser):
    inbound.classify_response(reply, actor=organiser.user, classification=C.INFO_REQUESTED)
    appeal = Appeal.objects.get(pk=reply.appeal_id)
    assert appeal.state == S.INFO_REQUESTED and appeal.paused_at is not None
    reply.refresh_from_db()
    assert (reply.classification, reply.recorded_by) == (C.INFO_REQUESTED, organiser.user)
    assert reply.classified_at is not None
    assert AuditEvent.objects.filter(verb="round.response_recorded", actor=organiser.user).exists()


def test_classifying_as_rejected_answers_the_round_and_tells_the_members(reply, organiser):
    inbound.classify_response(reply, actor=organiser.user, classification=C.REJECTED)
    appeal = Appeal.objects.get(pk=reply.appeal_id)
    assert (appeal.state, appeal.outcome) == (S.RESPONDED, C.REJECTED)
    assert FollowUp.objects.filter(kind="decision_notice", appeal=appeal).exists()


def test_classifying_as_acknowledged_leaves_the_clock_running(reply, organiser):
    inbound.classify_response(reply, actor=organiser.user, classification=C.ACKNOWLEDGED)
    assert Appeal.objects.get(pk=reply.appeal_id).state == S.SUBMITTED


def test_a_reply_is_classified_once(reply, organiser):
    inbound.classify_response(reply, actor=organiser.user, classification=C.ACKNOWLEDGED)
    with pytest.raises(ActionRefused):
        inbound.classify_response(reply, actor=organiser.user, classification=C.GRANTED)


@pytest.mark.parametrize("who", ["member", "outsider", None])
def test_only_organisers_classify(reply, request, membership, who):
    actor = request.getfixturevalue(who).user if who else None
    with pytest.raises(ActionRefused):
        inbound.classify_response(reply, actor=actor, classification=C.GRANTED)
    assert PlatformResponse.objects.get(pk=reply.pk).is_unclassified


def test_unknown_classification_is_refused(reply, organiser):
    with pytest.raises(ActionRefused):
        inbound.classify_response(reply, actor=organiser.user, classification="")


def test_an_unclassified_reply_does_not_hide_an_earlier_decision_from_its_notice(appeal, organiser):
    first = take(samples.reply_with_token(TOKEN)).response
    first = inbound.classify_response(first, actor=organiser.user, classification=C.REJECTED)
    take(samples.built(To=f"appeals+{TOKEN}@example.org", Message_ID="<later@x>"), uid="2")
    assert jobs._still_stands(Appeal.objects.get(pk=appeal.pk), first)


def test_staff_attach_an_unmatched_message_to_a_round(appeal, staff_user):
    message = take(samples.unmatched())
    inbound.attach_to_round(message, appeal, actor=staff_user)
    message.refresh_from_db()
    assert (message.appeal, message.outcome, message.matched_by) == (
        appeal,
        InboundMessage.Outcome.MATCHED,
        InboundMessage.MatchedBy.STAFF,
    )
    assert message.response.is_unclassified
    assert Notification.objects.filter(kind="platform_replied").exists()
    assert AuditEvent.objects.filter(verb="inbound.attached", actor=staff_user).exists()


def test_only_staff_attach_and_only_once(appeal, organiser, staff_user):
    message = take(samples.unmatched())
    with pytest.raises(ActionRefused):
        inbound.attach_to_round(message, appeal, actor=organiser.user)
    inbound.attach_to_round(message, appeal, actor=staff_user)
    with pytest.raises(ActionRefused):
        inbound.attach_to_round(message, appeal, actor=staff_user)
    assert PlatformResponse.objects.count() == 1
