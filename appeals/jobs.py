"""What each follow-up kind does when it is due: one function per kind, run by appeals/dispatch.

A job runs as the system: it checks that it still applies (raising NotApplicable, which cancels
the follow-up, when the round moved on), calls the actions it needs (appeals/actions), writes its
emails (appeals/emails.py) to the outbox and returns the timeline event the dispatcher records
when it marks the follow-up done.

Most jobs run inside one transaction together with that "done" mark. The two fan-outs
(signing_reminder, member_submit_reminder) can reach every member of a large coalition, so they
write recipients in chunks, each chunk its own transaction whose emails start sending as soon as it
commits; a fan-out interrupted half-way is simply run again later, and the dedupe keys skip the
members already written. Recipients are read by primary-key ranges, never all at once.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from allauth.account.models import EmailAddress
from django.db import transaction
from django.db.models import Exists, OuterRef, QuerySet
from django.utils import timezone
from django.utils.dateparse import parse_datetime

from appeals import emails, schedule, states
from appeals.actions import drafting, submitting
from appeals.models import Appeal, FollowUp, Notification, Signature, Submission
from appeals.outbox import service as outbox
from appeals.queries.rounds import organisers_of
from coalition.errors import ActionRefused
from coalition.models import Membership

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
    unsigned = _reachable(appeal).exclude(
        Exists(
            Signature.objects.filter(
                appeal=appeal, membership=OuterRef("pk"), withdrawn_at__isnull=True
            )
        )
    )
    count = fan_out(
        follow_up, unsigned, emails.signing_reminders(appeal, slot, signed=signed, now=now)
    )
    return Event(appeal, "round.reminded_to_sign", {"slot": slot, "members": count})


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


JOBS: dict[str, Callable[[FollowUp, datetime], Event | None]] = {
    FollowUp.Kind.SIGNING_REMINDER: signing_reminder,
    FollowUp.Kind.AUTO_SUBMIT: auto_submit,
    FollowUp.Kind.MEMBER_SUBMIT_REMINDER: member_submit_reminder,
    FollowUp.Kind.RESPONSE_CHASE: response_chase,
    FollowUp.Kind.OVERDUE_ALERT: overdue_alert,
    FollowUp.Kind.OUTCOME_CHECK: outcome_check,
    FollowUp.Kind.NEXT_ROUND: next_round,
}
# These commit chunk by chunk instead of running in the dispatcher's transaction.
FAN_OUTS = frozenset({FollowUp.Kind.SIGNING_REMINDER, FollowUp.Kind.MEMBER_SUBMIT_REMINDER})


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
    confirmed = EmailAddress.objects.filter(user=OuterRef("seller__user"), verified=True)
    return (
        Membership.objects.active().filter(grievance=appeal.grievance_id).filter(Exists(confirmed))
    )


__all__ = ["FAN_OUTS", "JOBS", "Event", "LostClaim", "NotApplicable", "fan_out"]
