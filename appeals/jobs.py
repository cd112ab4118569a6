"""What each follow-up kind does when it is due: one function per kind, run by appeals/dispatch.

A job runs as the system: it checks that it still applies (raising NotApplicable, which cancels
the follow-up, when the round moved on), calls the actions it needs (appeals/actions), writes its
emails (appeals/emails.py) to the outbox and returns the timeline event the dispatcher records
when it marks the follow-up done.

Most jobs run inside one transaction together with that "done" mark. The fan-outs (FAN_OUTS:
signing_reminder, member_submit_reminder, summons, decision_notice, announcement) can reach every
member of a large coalition, so they write recipients in chunks, each chunk its own
transaction whose emails start sending as soon as it commits; a fan-out interrupted half-way is simply run again later, and the dedupe keys skip the
members already written. Recipients are read by primary-key ranges, never all at once.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date, datetime
from typing import Any

from django.db import transaction
from django.db.models import Exists, OuterRef, QuerySet
from django.utils import timezone
from django.utils.dateparse import parse_datetime

from appeals import emails, schedule, states
from appeals.actions import drafting, submitting
from appeals.models import (
    Announcement,
    Appeal,
    Climb,
    FollowUp,
    Notification,
    PlatformResponse,
    Signature,
    Submission,
)
from appeals.models.responses import UNCLASSIFIED
from appeals.outbox import service as outbox
from appeals.queries import audiences
from appeals.queries.rounds import organisers_of
from coalition.errors import ActionRefused
from coalition.models import Grievance, Membership

S = Appeal.State
FAN_OUT_CHUNK = 500  # recipients rendered, written and committed together


class NotApplicable(Exception):
    """The follow-up no longer applies (the round moved on); the dispatcher cancels it."""


class LostClaim(Exception):
    """Another dispatcher owns this follow-up now (ours was presumed dead and re-queued)."""


@dataclass
class Event:
    """A timeline entry the dispatcher writes in the transaction that marks the follow-up done."""

    appeal: Appeal
    verb: str
    data: dict[str, Any] = field(default_factory=dict)


# --- the jobs ---------------------------------------------------------------------------------


def signing_reminder(follow_up: FollowUp, now: datetime) -> Event:
    """Remind every active member who has not signed (and can: confirmed email) to co-sign."""
    appeal = _appeal(follow_up)
    if appeal.state != S.SIGNING:
        raise NotApplicable("signing is not open")
    slot = follow_up.data.get("slot", "opened")
    signed = Signature.objects.filter(appeal=appeal).counted().count()
    unsigned = audiences.not_signed(appeal, _reachable(appeal))
    # An organiser's "remind now" counts as the round's first reminder (schedule.on_remind_now).
    email_slot = "opened" if slot == "now" else slot
    count = fan_out(
        follow_up, unsigned, emails.signing_reminders(appeal, email_slot, signed=signed, now=now)
    )
    return Event(appeal, "round.reminded_to_sign", {"slot": slot, "members": count})


def summons(follow_up: FollowUp, now: datetime) -> Event:
    """Signing opened: summon every verified member who has not signed yet, at once (each held
    for their daytime by the outbox)."""
    appeal = _appeal(follow_up)
    if appeal.state != S.SIGNING:
        raise NotApplicable("signing is not open")
    signed = Signature.objects.filter(appeal=appeal).counted().count()
    members = audiences.not_signed(appeal, audiences.verified_members(appeal.grievance_id))
    count = fan_out(follow_up, members, emails.summonses(appeal, signed=signed, now=now))
    return Event(appeal, "round.members_summoned", {"members": count})


def decision_notice(follow_up: FollowUp, now: datetime) -> Event:
    """Tell every member what the platform answered and what happens next — if the round still
    stands where this answer left it (a later answer sends its own notice)."""
    appeal = _appeal(follow_up)
    response = PlatformResponse.objects.filter(
        pk=follow_up.data.get("response"), appeal=appeal
    ).first()
    if response is None or not _still_stands(appeal, response):
        raise NotApplicable("the round moved on since this answer")
    count = fan_out(
        follow_up,
        _reachable(appeal),
        emails.decision_notices(appeal, response, next_step=_next_step(appeal), now=now),
    )
    return Event(
        appeal,
        "round.members_informed",
        {"classification": response.classification, "members": count},
    )


def announcement(follow_up: FollowUp, now: datetime) -> None:
    """Send an organisers' announcement to its audience (the action recorded it on the
    timeline); the audience is read when it runs, so a member who signed meanwhile is not told
    they have not."""
    item = (
        Announcement.objects.select_related("grievance__platform", "appeal", "created_by__seller")
        .filter(pk=follow_up.data.get("announcement"))
        .first()
    )
    if item is None:
        raise NotApplicable("the announcement is gone")
    members = audiences.audience_of(item.grievance, item.audience, item.appeal)
    fan_out(follow_up, members, emails.announcements(item, now=now))
    return None


def _still_stands(appeal: Appeal, response: PlatformResponse) -> bool:
    # Acknowledgements decide nothing, and a reply nobody has classified yet decides nothing yet.
    latest = appeal.responses.exclude(
        classification__in=[PlatformResponse.Classification.ACKNOWLEDGED, UNCLASSIFIED]
    )
    if latest.order_by("-received_at", "-pk").values_list("pk", flat=True).first() != response.pk:
        return False
    if response.classification == PlatformResponse.Classification.INFO_REQUESTED:
        return appeal.state == S.INFO_REQUESTED
    return appeal.state == S.RESPONDED and appeal.outcome == response.classification


def _next_step(appeal: Appeal) -> str:
    """What the organisers propose after a partial grant or a rejection."""
    if not states.answered_with_partial_or_rejection(appeal):
        return ""
    if appeal.grievance.rounds.filter(number__gt=appeal.number).exclude(state=S.WITHDRAWN).exists():
        return "round_drafted"
    sent = appeal.grievance.rounds.filter(submitted_at__isnull=False).count()
    return "escalate" if sent >= appeal.grievance.platform.round_cap else "next_round"


def auto_submit(follow_up: FollowUp, now: datetime) -> None:
    """Submit a ready email round at its send time: the submit action emails it to the platform's
    appeal address and marks it submitted, in this transaction (the email goes out only if the
    round moved)."""
    appeal = _appeal(follow_up)
    if (
        appeal.state != S.READY
        or appeal.channel != Appeal.Channel.EMAIL
        or appeal.scheduled_submit_at is None
    ):
        raise NotApplicable("the round is not a ready email round with a send time")
    if appeal.scheduled_submit_at > now:
        raise NotApplicable("the send time moved later")  # on_signing_closed moved the follow-up
    submitting.submit_round(appeal, actor=None)
    return None  # submit_round writes the timeline event


def member_submit_reminder(follow_up: FollowUp, now: datetime) -> Event:
    """Ask every signer who has not logged their own portal appeal to file it and log it."""
    appeal = _appeal(follow_up)
    if appeal.state not in states.SENT_STATES or appeal.outcome == Appeal.Outcome.GRANTED:
        raise NotApplicable("the round is not out, or it was granted")
    slot = follow_up.data.get("slot", "submitted")
    signers = (
        _reachable(appeal)
        .filter(
            Exists(
                Signature.objects.filter(
                    appeal=appeal, membership=OuterRef("pk"), withdrawn_at__isnull=True
                )
            )
        )
        .exclude(Exists(Submission.objects.filter(appeal=appeal, membership=OuterRef("pk"))))
    )
    count = fan_out(follow_up, signers, emails.member_submit_reminders(appeal, slot, now=now))
    return Event(appeal, "round.reminded_to_file", {"slot": slot, "members": count})


def response_chase(follow_up: FollowUp, now: datetime) -> Event:
    """Chase the platform (email rounds: a follow-up citing the first submission; portal rounds:
    the organisers are asked to chase by hand), then schedule the next chase."""
    appeal = _appeal(follow_up)
    number = int(follow_up.data.get("n", appeal.chases_sent + 1))
    if appeal.state != S.SUBMITTED:
        raise NotApplicable("the platform answered or asked for information")
    if appeal.chases_sent >= number:
        raise NotApplicable("this chase went out already")
    organisers = organisers_of(appeal)
    if appeal.channel == Appeal.Channel.EMAIL:
        outbox.enqueue([emails.platform_chase(appeal, number, organisers, now=now)])
    else:
        outbox.enqueue(emails.organiser_chase(m, appeal, number, now=now) for m in organisers)
    Appeal.objects.filter(pk=appeal.pk).update(chases_sent=number)
    appeal.chases_sent = number
    start = parse_datetime(follow_up.data.get("from", "")) or appeal.submitted_at
    schedule.schedule_chase(appeal, start=start, now=now)
    verb = "round.chased" if appeal.channel == Appeal.Channel.EMAIL else "round.chase_due"
    return Event(appeal, verb, {"number": number})


def overdue_alert(follow_up: FollowUp, now: datetime) -> Event:
    """Tell the organisers the platform's answer is overdue, or very overdue (then the email also
    asks for the next round, so organisers get one message, not two at the same minute)."""
    appeal = _appeal(follow_up)
    slot = follow_up.data.get("slot", "due")
    due = appeal.response_due_at if slot == "due" else appeal.very_overdue_at
    if appeal.state != S.SUBMITTED or due is None:
        raise NotApplicable("the round is not waiting for an answer")
    if schedule.stamp(due) != follow_up.data.get("stamp"):
        raise NotApplicable("the clock moved (information was requested and sent)")
    if not states.is_overdue(appeal, now):
        raise NotApplicable("not overdue at this moment")
    if slot == "due" and states.is_very_overdue(appeal, now):
        # Recorded late, both alerts are due at once: only the most advanced one goes out.
        raise NotApplicable("the very-overdue alert supersedes it")
    label = schedule.stamp(due)
    outbox.enqueue(
        emails.overdue_alert(m, appeal, slot, label, now=now) for m in organisers_of(appeal)
    )
    verb = "round.very_overdue" if slot == "very" else "round.overdue"
    return Event(appeal, verb, {"due": due.isoformat()})


def outcome_check(follow_up: FollowUp, now: datetime) -> Event:
    """Ask a member how their own appeal ended."""
    submission = (
        Submission.objects.select_related("membership__seller__user", "appeal__grievance__platform")
        .filter(pk=follow_up.submission_id)
        .first()
    )
    if submission is None or submission.outcome != Submission.Outcome.PENDING:
        raise NotApplicable("the outcome is known")
    if not submission.membership.is_active:
        raise NotApplicable("the member left")
    outbox.enqueue([emails.outcome_check(submission, now=now)])
    return Event(submission.appeal, "submission.outcome_asked", {"submission": submission.pk})


def next_round(follow_up: FollowUp, now: datetime) -> Event:
    """Ask the organisers to prepare the next round after a partial grant or a rejection.

    With auto-rounds on, round N+1 is drafted first (from round N's letter) for them to review —
    unless the round would need an organiser's reason (nothing new, or the round cap reached):
    a blind resubmission is what platforms ignore, so then they are only asked."""
    appeal = _appeal(follow_up)
    answered = states.answered_with_partial_or_rejection(appeal)
    if not answered or not appeal.grievance.is_open:
        raise NotApplicable("no next round is called for")
    later = appeal.grievance.rounds.filter(number__gt=appeal.number).exclude(state=S.WITHDRAWN)
    if later.exists():
        raise NotApplicable("the next round exists")
    drafted = _auto_draft(appeal)
    outbox.enqueue(
        emails.next_round(m, appeal, now=now, drafted=drafted) for m in organisers_of(appeal)
    )
    if drafted is not None:
        return Event(appeal, "round.next_round_drafted", {"round": drafted.number})
    return Event(appeal, "round.next_round_prompted", {"outcome": appeal.outcome})


def _auto_draft(appeal: Appeal) -> Appeal | None:
    if not appeal.grievance.auto_rounds:
        return None
    try:
        # A savepoint: a refused draft must not spoil the prompt that still goes out.
        with transaction.atomic():
            return drafting.draft_round(
                appeal.grievance,
                actor=None,
                channel=appeal.channel,
                language=appeal.language,
                signature_goal=appeal.signature_goal,
            )
    except ActionRefused:
        return None


def climb_notice(follow_up: FollowUp, now: datetime) -> None:
    """Tell every reachable member that the coalition climbed a rung (the action recorded the
    climb on the timeline)."""
    climb = (
        Climb.objects.select_related("grievance__platform")
        .filter(pk=follow_up.data.get("climb"))
        .first()
    )
    if climb is None:
        raise NotApplicable("the climb is gone")
    fan_out(
        follow_up,
        audiences.reachable_members(climb.grievance_id),
        emails.climb_notices(climb, now=now),
    )


def ladder_window_reminder(follow_up: FollowUp, now: datetime) -> None:
    """Remind the organisers that a rung's window closes soon — unless they climbed it."""
    grievance = Grievance.objects.filter(pk=follow_up.data.get("grievance")).first()
    rung = follow_up.data.get("rung", "")
    if grievance is None or not grievance.is_open:
        raise NotApplicable("the grievance is closed")
    if grievance.climbs.filter(rung=rung).exists():
        raise NotApplicable("the rung was climbed")
    closes = date.fromisoformat(follow_up.data["closes"])
    organisers = (
        Membership.objects.organisers().filter(grievance=grievance).select_related("seller__user")
    )
    outbox.enqueue(
        emails.ladder_window_reminder(
            m,
            grievance,
            rung=rung,
            closes=closes,
            slot=str(follow_up.data.get("days", "")),
            now=now,
        )
        for m in organisers
    )


JOBS: dict[str, Callable[[FollowUp, datetime], Event | None]] = {
    FollowUp.Kind.SIGNING_REMINDER: signing_reminder,
    FollowUp.Kind.AUTO_SUBMIT: auto_submit,
    FollowUp.Kind.MEMBER_SUBMIT_REMINDER: member_submit_reminder,
    FollowUp.Kind.RESPONSE_CHASE: response_chase,
    FollowUp.Kind.OVERDUE_ALERT: overdue_alert,
    FollowUp.Kind.OUTCOME_CHECK: outcome_check,
    FollowUp.Kind.NEXT_ROUND: next_round,
    FollowUp.Kind.SUMMONS: summons,
    FollowUp.Kind.DECISION_NOTICE: decision_notice,
    FollowUp.Kind.ANNOUNCEMENT: announcement,
    FollowUp.Kind.CLIMB_NOTICE: climb_notice,
    FollowUp.Kind.LADDER_WINDOW_REMINDER: ladder_window_reminder,
}
# These commit chunk by chunk instead of running in the dispatcher's transaction.
FAN_OUTS = frozenset(
    {
        FollowUp.Kind.SIGNING_REMINDER,
        FollowUp.Kind.MEMBER_SUBMIT_REMINDER,
        FollowUp.Kind.SUMMONS,
        FollowUp.Kind.DECISION_NOTICE,
        FollowUp.Kind.ANNOUNCEMENT,
        FollowUp.Kind.CLIMB_NOTICE,
    }
)


# --- building blocks --------------------------------------------------------------------------


def fan_out(
    follow_up: FollowUp,
    recipients: QuerySet[Membership],
    build: Callable[[Membership], Notification],
    *,
    chunk: int = FAN_OUT_CHUNK,
) -> int:
    """Write one email per membership, `chunk` memberships per transaction, in primary-key order.

    Each chunk also renews the follow-up's claim (claimed_at), so a long fan-out is never taken
    for a dead one; if the claim was lost, it stops."""
    rows = recipients.select_related("seller__user").order_by("pk")
    last, count = 0, 0
    while True:
        members = list(rows.filter(pk__gt=last)[:chunk])
        if not members:
            return count
        with transaction.atomic():
            outbox.enqueue(build(m) for m in members)
            still_mine = FollowUp.objects.filter(
                pk=follow_up.pk, state=FollowUp.State.RUNNING, attempts=follow_up.attempts
            ).update(claimed_at=timezone.now())
            if not still_mine:
                raise LostClaim(follow_up.key)
        count += len(members)
        last = members[-1].pk


def _appeal(follow_up: FollowUp) -> Appeal:
    appeal = (
        Appeal.objects.select_related("grievance__platform").filter(pk=follow_up.appeal_id).first()
    )
    if appeal is None:
        raise NotApplicable("the round is gone")
    return appeal


def _reachable(appeal: Appeal) -> QuerySet[Membership]:
    """Active members of the round's grievance with a confirmed email address (the only ones
    whose signatures count, and the only addresses we may write to unprompted)."""
    return audiences.reachable_members(appeal.grievance_id)


__all__ = ["FAN_OUTS", "JOBS", "Event", "LostClaim", "NotApplicable", "fan_out"]
