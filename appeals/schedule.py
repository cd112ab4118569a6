"""Scheduling and cancelling follow-ups when a round or a submission changes (docs/domain.md
"Follow-ups and reminders"). The actions (appeals/actions) call the `on_*` hooks inside their
transaction; each only writes or cancels FollowUp rows, and withdraws outbox rows that stopped
applying while they waited for the recipient's morning — it never writes an email. The dispatcher
(appeals/dispatch) runs follow-ups when due (appeals/jobs.py); each job checks again that it still
applies, because a hook may cancel a follow-up the moment it is claimed.

One row per occurrence, named by a unique key, so scheduling twice changes nothing:

| kind                   | key                                          | due                                  |
|------------------------|----------------------------------------------|--------------------------------------|
| signing_reminder       | signing_reminder:<round>:opened / :deadline  | opening + 2 days; deadline - 24 h    |
| auto_submit            | auto_submit:<round>                          | the round's scheduled send time      |
| member_submit_reminder | member_submit_reminder:<round>:submitted / :later | at submission; + 3 days         |
| response_chase         | response_chase:<round>:<n>                   | deadlines.next_chase (one at a time) |
| overdue_alert          | overdue_alert:<round>:due-<stamp> / very-<stamp> | just after response due / very overdue |
| outcome_check          | outcome_check:<submission>:<date>            | 10 business days later, 09:00 local  |
| next_round             | next_round:<round>                           | when a partial grant or rejection is recorded |
| summons                | summons:<round>                              | when signing opens                   |
| signing_reminder (now) | signing_reminder:<round>:now-<stamp>         | when an organiser asks (once per 24 h) |
| decision_notice        | decision_notice:<round>:<response>           | when a decision or request is recorded |
| announcement           | announcement:<announcement>                  | when an organiser announces          |
| climb_notice           | climb_notice:<climb>                         | when organisers climb a ladder rung  |
| ladder_window_reminder | ladder_window_reminder:<grievance>:<rung>:<days> | 14 and 3 days before a rung's window closes, 09:00 |

Rescheduling a key that was cancelled or failed revives it (the hook knows it applies again);
a key that ran stays done, so nothing is ever sent twice for one occurrence.
"""

from __future__ import annotations

from datetime import datetime, time, timedelta
from typing import Any
from zoneinfo import ZoneInfo

from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext as _

from appeals import deadlines, ladder, states
from appeals.models import (
    Announcement,
    Appeal,
    FollowUp,
    PlatformResponse,
    Signature,
    Submission,
)
from appeals.outbox import service as outbox
from coalition.mail import safe_zone
from coalition.models import Membership

K, F = FollowUp.Kind, FollowUp.State
S = Appeal.State

FIRST_SIGNING_REMINDER = timedelta(days=2)  # after signing opens
LAST_SIGNING_REMINDER = timedelta(hours=24)  # before the signing deadline
# The summons goes out when signing opens; a reminder closer to it than this would only repeat it.
MIN_GAP_AFTER_SUMMONS = timedelta(hours=12)
SUBMIT_REMINDER_AGAIN = timedelta(days=3)  # after submission, for those who have not logged theirs
OUTCOME_CHECK_BUSINESS_DAYS = 10
OUTCOME_CHECK_TIME = time(9, 0)  # in the member's time zone
# Alerts fire just after the due moment: a round is overdue only once `now > due` (states.py).
AFTER_DUE = timedelta(seconds=1)


# --- the hooks (called by appeals/actions inside their transaction) --------------------------


def on_signing_opened(appeal: Appeal) -> None:
    """Summon every verified member at once; schedule signing reminders: 2 days after opening,
    and 24 h before the signing deadline.

    Safe to call again when the deadline changes: both slots follow the new times (the summons
    went out once and stays). When the two would fall within a day of each other only the last
    call is kept; a round too short for a reminder well after the summons gets the summons only."""
    opened, deadline = appeal.signing_opened_at or timezone.now(), appeal.signing_deadline
    schedule(K.SUMMONS, f"summons:{appeal.pk}", opened, appeal=appeal)
    last = deadline - LAST_SIGNING_REMINDER if deadline else None
    if last is not None and last < opened + MIN_GAP_AFTER_SUMMONS:
        last = None
    first: datetime | None = opened + FIRST_SIGNING_REMINDER
    if deadline is not None and first > (last or deadline) - timedelta(days=1):
        first = None
    for slot, due in (("opened", first), ("deadline", last)):
        key = f"signing_reminder:{appeal.pk}:{slot}"
        if due is None:
            _cancel(Q(key=key))
        else:
            schedule(K.SIGNING_REMINDER, key, due, appeal=appeal, data={"slot": slot})


# What a member's signature makes moot while it waits for the member's morning. On PostgreSQL
# the co-sign statement (appeals/actions/signing.py) withdraws these rows itself, with this reason.
MOOT_ONCE_SIGNED = (K.SIGNING_REMINDER, K.SUMMONS)


def signed_meanwhile() -> str:
    return _("signed meanwhile")


def on_signed(signature: Signature) -> None:
    """A member signed: the reminder jobs skip signers when they run; a reminder already written
    and waiting for the member's morning is withdrawn here."""
    user_id = Membership.objects.filter(pk=signature.membership_id).values_list(
        "seller__user", flat=True
    )
    _withdraw(
        Q(kind__in=MOOT_ONCE_SIGNED, appeal=signature.appeal_id, recipient__in=user_id),
        signed_meanwhile(),
    )


def on_signing_closed(appeal: Appeal) -> None:
    """Cancel signing reminders; schedule (or move, or cancel) the automatic submission of an
    email round with a send time. Also called when a ready round's channel or send time changes."""
    _cancel(Q(appeal=appeal, kind__in=[K.SIGNING_REMINDER, K.SUMMONS]))
    _withdraw(Q(appeal=appeal, kind__in=[K.SIGNING_REMINDER, K.SUMMONS]), _("signing closed"))
    key = f"auto_submit:{appeal.pk}"
    automatic = appeal.state == S.READY and appeal.channel == Appeal.Channel.EMAIL
    if automatic and appeal.scheduled_submit_at is not None:
        schedule(K.AUTO_SUBMIT, key, appeal.scheduled_submit_at, appeal=appeal)
    else:
        _cancel(Q(key=key))


def on_submitted(appeal: Appeal) -> None:
    """Schedule member submit reminders (now and +3 days), the first chase and the overdue and
    very-overdue alerts. (The round's own email to the platform is written by the submit action.)"""
    _cancel(Q(appeal=appeal, kind__in=[K.SIGNING_REMINDER, K.SUMMONS, K.AUTO_SUBMIT]))
    _withdraw(
        Q(appeal=appeal, kind__in=[K.SIGNING_REMINDER, K.SUMMONS]), _("the round was submitted")
    )
    submitted = appeal.submitted_at or timezone.now()
    now = timezone.now()
    schedule(
        K.MEMBER_SUBMIT_REMINDER,
        f"member_submit_reminder:{appeal.pk}:submitted",
        min(submitted, now),
        appeal=appeal,
        data={"slot": "submitted"},
    )
    later = submitted + SUBMIT_REMINDER_AGAIN
    if later > now:  # a round recorded days late gets one reminder, not two at once
        schedule(
            K.MEMBER_SUBMIT_REMINDER,
            f"member_submit_reminder:{appeal.pk}:later",
            later,
            appeal=appeal,
            data={"slot": "later"},
        )
    # Chase slots count from the submission; a round recorded late skips the slots already past.
    schedule_chase(appeal, start=submitted, now=max(submitted, now))
    _schedule_overdue(appeal)


def on_response_recorded(appeal: Appeal, response: PlatformResponse) -> None:
    """Cancel chases and overdue alerts; on a partial grant or a rejection prompt the next round;
    tell the members what came back (a decision, or a request for information). An
    acknowledgement leaves the round submitted, so its clock and chases run on."""
    if appeal.state == S.SUBMITTED:
        return
    schedule(
        K.DECISION_NOTICE,
        f"decision_notice:{appeal.pk}:{response.pk}",
        timezone.now(),
        appeal=appeal,
        data={"response": response.pk, "classification": response.classification},
    )
    _cancel(Q(appeal=appeal, kind__in=[K.RESPONSE_CHASE, K.OVERDUE_ALERT]))
    _withdraw(
        Q(appeal=appeal, kind__in=[K.RESPONSE_CHASE, K.OVERDUE_ALERT]), _("the platform answered")
    )
    if appeal.state != S.RESPONDED:
        return  # information requested: the clock is paused until it is sent
    if states.answered_with_partial_or_rejection(appeal):
        schedule(K.NEXT_ROUND, f"next_round:{appeal.pk}", timezone.now(), appeal=appeal)
    elif appeal.outcome == Appeal.Outcome.GRANTED:
        _cancel(Q(appeal=appeal, kind=K.MEMBER_SUBMIT_REMINDER))
        _withdraw(Q(appeal=appeal, kind=K.MEMBER_SUBMIT_REMINDER), _("the round was granted"))


def on_information_sent(appeal: Appeal) -> None:
    """The clock restarted: chase again from now, and alert on the new due moments."""
    now = timezone.now()
    schedule_chase(appeal, start=now, now=now)
    _schedule_overdue(appeal)


def on_remind_now(appeal: Appeal, now: datetime) -> FollowUp:
    """An organiser asked to remind those who have not signed, now (the action allows it once
    per round per 24 h). The emails count as the round's first reminder: a member reached now is
    not reminded again by the one two days after opening (the last call still goes)."""
    return schedule(
        K.SIGNING_REMINDER,
        f"signing_reminder:{appeal.pk}:now-{stamp(now)}",
        now,
        appeal=appeal,
        data={"slot": "now"},
    )


def on_announced(announcement: Announcement) -> FollowUp:
    """Send an organisers' announcement to its audience, in chunks (appeals/jobs.py)."""
    return schedule(
        K.ANNOUNCEMENT,
        f"announcement:{announcement.pk}",
        announcement.created_at or timezone.now(),
        appeal=announcement.appeal,
        data={"announcement": announcement.pk},
    )


def on_withdrawn(appeal: Appeal) -> None:
    """Cancel every pending follow-up of the round and withdraw its waiting emails."""
    _cancel(Q(appeal=appeal))
    _withdraw(Q(appeal=appeal), _("the round was withdrawn"))


def on_submission_logged(submission: Submission) -> None:
    """Schedule the outcome check 10 business days after the member's own submission, at 09:00
    in the member's time zone (a new date moves it), and stop reminding them to file."""
    membership = submission.membership
    _withdraw(
        Q(
            appeal=submission.appeal_id,
            kind=K.MEMBER_SUBMIT_REMINDER,
            recipient=membership.seller.user_id,
        ),
        _("the member logged their appeal"),
    )
    key = f"outcome_check:{submission.pk}:{submission.submitted_on:%Y%m%d}"
    _cancel(Q(submission=submission, kind=K.OUTCOME_CHECK) & ~Q(key=key))
    if submission.outcome != Submission.Outcome.PENDING:
        return
    platform = submission.appeal.grievance.platform
    day = deadlines.add_business_days(
        submission.submitted_on, OUTCOME_CHECK_BUSINESS_DAYS, platform
    )
    due = datetime.combine(
        day, OUTCOME_CHECK_TIME, tzinfo=ZoneInfo(safe_zone(membership.seller.time_zone))
    )
    schedule(K.OUTCOME_CHECK, key, due, appeal=submission.appeal, submission=submission)


def on_outcome_reported(submission: Submission) -> None:
    """Cancel the outcome check (or re-schedule it if the outcome went back to pending)."""
    if submission.outcome == Submission.Outcome.PENDING:
        on_submission_logged(submission)
        return
    _cancel(Q(submission=submission, kind=K.OUTCOME_CHECK))
    _withdraw(
        Q(kind=K.OUTCOME_CHECK, dedupe_key__startswith=f"outcome_check:{submission.pk}:"),
        _("outcome reported"),
    )


# --- building blocks (also used by the jobs) --------------------------------------------------


def schedule(
    kind: str,
    key: str,
    due: datetime,
    *,
    appeal: Appeal | None = None,
    submission: Submission | None = None,
    data: dict[str, Any] | None = None,
) -> FollowUp:
    """Create the follow-up `key`, or move it. A cancelled or failed one is revived; one that is
    running or done is left alone (an occurrence runs once)."""
    data = data or {}
    follow_up, created = FollowUp.objects.get_or_create(
        key=key,
        defaults={
            "kind": kind,
            "due_at": due,
            "appeal": appeal,
            "submission": submission,
            "data": data,
        },
    )
    if created or follow_up.state in {F.RUNNING, F.DONE}:
        return follow_up
    if follow_up.state == F.SCHEDULED and follow_up.due_at == due and follow_up.data == data:
        return follow_up
    revived = follow_up.state != F.SCHEDULED
    changes: dict[str, Any] = {
        "state": F.SCHEDULED,
        "due_at": due,
        "data": data,
        "finished_at": None,
    }
    if revived:
        changes.update(attempts=0, last_error="")
    # Conditional on the state we read: a dispatcher that claimed it meanwhile keeps it.
    FollowUp.objects.filter(pk=follow_up.pk, state=follow_up.state).update(**changes)
    return follow_up


def schedule_chase(appeal: Appeal, *, start: datetime, now: datetime) -> FollowUp | None:
    """Schedule the next chase of a submitted round, counting chase slots from `start` (the
    submission, or the moment requested information was sent)."""
    due = deadlines.next_chase(start, now, appeal.chases_sent, appeal.grievance.platform)
    if due is None:
        return None
    number = appeal.chases_sent + 1
    return schedule(
        K.RESPONSE_CHASE,
        f"response_chase:{appeal.pk}:{number}",
        due,
        appeal=appeal,
        data={"n": number, "from": start.isoformat()},
    )


def stamp(moment: datetime) -> str:
    """A due moment as it appears in keys: the alert for a moved due date is a new occurrence."""
    return moment.astimezone(ZoneInfo("UTC")).strftime("%Y%m%dT%H%M%S")


def _schedule_overdue(appeal: Appeal) -> None:
    keys = []
    for slot, due in (("due", appeal.response_due_at), ("very", appeal.very_overdue_at)):
        if due is None:
            continue
        key = f"overdue_alert:{appeal.pk}:{slot}-{stamp(due)}"
        keys.append(key)
        schedule(
            K.OVERDUE_ALERT,
            key,
            due + AFTER_DUE,
            appeal=appeal,
            data={"slot": slot, "stamp": stamp(due)},
        )
    _cancel(Q(appeal=appeal, kind=K.OVERDUE_ALERT) & ~Q(key__in=keys))


def _cancel(where: Q) -> int:
    return FollowUp.objects.filter(where, state=F.SCHEDULED).update(
        state=F.CANCELLED, finished_at=timezone.now()
    )


def _withdraw(where: Q, reason: str) -> int:
    return outbox.withdraw_pending(where, reason)


def on_climbed(climb, windows) -> None:
    """The members hear of the climb now; organisers are reminded before each window of the
    rungs still open closes. `windows` are appeals.ladder.RungStatus rows (key, window_closes)."""
    grievance = climb.grievance
    schedule(K.CLIMB_NOTICE, f"climb_notice:{climb.pk}", timezone.now(), data={"climb": climb.pk})
    schedule_window_reminders(grievance, windows)


def schedule_window_reminders(grievance, windows) -> None:
    """One reminder 14 and 3 days before each open rung's window closes (appeals/ladder.py),
    at 09:00 in the platform's time zone; reminders already in the past are skipped."""
    now = timezone.now()
    for status in windows:
        if status.state not in {"open", "locked"} or status.window_closes is None:
            continue
        for days, day in zip(ladder.REMINDER_DAYS_BEFORE, status.reminders, strict=True):
            zone = ZoneInfo(grievance.platform.time_zone or "UTC")
            due = datetime.combine(day, time(9, 0), tzinfo=zone)
            if due <= now:
                continue
            schedule(
                K.LADDER_WINDOW_REMINDER,
                f"ladder_window_reminder:{grievance.pk}:{status.key}:{days}",
                due,
                data={
                    "grievance": grievance.pk,
                    "rung": status.key,
                    "closes": status.window_closes.isoformat(),
                    "days": days,
                },
            )
