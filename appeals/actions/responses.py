"""What comes back from the platform: its responses, and the information it asked for being sent."""

from __future__ import annotations

from datetime import datetime, timedelta

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from appeals import deadlines, schedule, states
from appeals.actions._common import check_choice, event, is_user, lock, require_organiser
from appeals.models import Appeal, PlatformResponse
from coalition.errors import ActionRefused

S = Appeal.State
Classification = PlatformResponse.Classification


@transaction.atomic
def record_response(
    appeal: Appeal, *, actor, received_at: datetime, channel: str, text: str, classification: str
) -> PlatformResponse:
    """Record what the platform said. A request for information pauses the clock; a decision
    (granted, partly granted, rejected) answers the round; an acknowledgement changes nothing."""
    appeal = lock(appeal)
    require_organiser(appeal.grievance, actor)
    check_choice(classification, Classification, "classification")
    check_choice(channel, PlatformResponse.Channel, "channel")
    if appeal.state not in states.RECORDABLE_STATES:
        states.check_move(appeal, "record_response")  # raises with the round's state in the message
    text = (text or "").strip()
    if not text:
        raise ActionRefused(_("Paste or summarise what the platform said."), field="text")
    _check_received_at(appeal, received_at)
    response = PlatformResponse(
        appeal=appeal,
        received_at=received_at,
        channel=channel,
        text=text,
        classification=classification,
        recorded_by=actor if is_user(actor) else None,
    )
    return move_for_response(appeal, response, actor=actor)


def move_for_response(appeal: Appeal, response: PlatformResponse, *, actor) -> PlatformResponse:
    """Move the locked round for a response with its classification set, save the response, and
    write the timeline entry and the follow-ups. Recording a response and classifying a reply the
    inbound reader took (appeals/actions/inbound.py) both end here, so both move the round alike."""
    previous_state = appeal.state
    changed = _apply_response(appeal, response.received_at, response.classification)
    response.save()
    if changed:
        appeal.save(update_fields=[*changed, "updated_at"])
    event(
        appeal,
        "round.response_recorded",
        actor,
        classification=response.classification,
        response=response.pk,
        **{"from": previous_state, "to": appeal.state},
    )
    schedule.on_response_recorded(appeal, response)
    return response


def _check_received_at(appeal: Appeal, received_at: datetime) -> None:
    if received_at > timezone.now() + timedelta(minutes=5):
        raise ActionRefused(_("The time received cannot be in the future."), field="received_at")
    if appeal.submitted_at and received_at < appeal.submitted_at - timedelta(days=1):
        raise ActionRefused(
            _("The answer cannot predate the round's submission."), field="received_at"
        )


def _apply_response(appeal: Appeal, received_at: datetime, classification: str) -> list[str]:
    """Change the round for this response; return the fields changed."""
    if classification == Classification.ACKNOWLEDGED:
        return []
    if classification == Classification.INFO_REQUESTED:
        if appeal.state == S.INFO_REQUESTED:
            return []  # asked again while we are still gathering: the clock stays paused
        appeal.state = states.check_move(appeal, "request_information")
        appeal.paused_at = received_at
        appeal.paused_remaining_days = deadlines.remaining_business_days(
            appeal.response_due_at or received_at, received_at, appeal.grievance.platform
        )
        return ["state", "paused_at", "paused_remaining_days"]
    appeal.state = states.check_move(appeal, "record_response")
    appeal.outcome, appeal.responded_at = classification, received_at
    appeal.paused_at, appeal.paused_remaining_days = None, None
    return ["state", "outcome", "responded_at", "paused_at", "paused_remaining_days"]


@transaction.atomic
def information_sent(appeal: Appeal, *, actor, sent_at: datetime | None = None) -> Appeal:
    """The coalition sent what the platform asked for: the clock restarts.

    Both clocks keep the business days they had left when the platform asked: the response is due
    `paused_remaining_days` business days after the information went out, and "very overdue" moves
    by the same rule with its own days left. So a request that came in after the due date (nothing
    left) gives the platform the rest of the next business day, and very overdue still follows it.
    """
    appeal = lock(appeal)
    require_organiser(appeal.grievance, actor)
    appeal.state = states.check_move(appeal, "information_sent")
    now = timezone.now()
    platform = appeal.grievance.platform
    paused_at = appeal.paused_at or now
    # Never in the future, never before the platform asked.
    sent_at = max(min(sent_at or now, now), paused_at)
    remaining = appeal.paused_remaining_days or 0
    very_remaining = (
        deadlines.remaining_business_days(appeal.very_overdue_at, paused_at, platform)
        if appeal.very_overdue_at
        else remaining + platform.response_business_days
    )
    appeal.response_due_at = deadlines.resumed_due(sent_at, remaining, platform)
    appeal.very_overdue_at = max(
        deadlines.resumed_due(sent_at, very_remaining, platform), appeal.response_due_at
    )
    appeal.paused_at, appeal.paused_remaining_days = None, None
    appeal.save(
        update_fields=[
            "state",
            "response_due_at",
            "very_overdue_at",
            "paused_at",
            "paused_remaining_days",
            "updated_at",
        ]
    )
    event(
        appeal,
        "round.information_sent",
        actor,
        remaining_business_days=remaining,
        response_due=appeal.response_due_at.isoformat(),
    )
    schedule.on_information_sent(appeal)
    return appeal
