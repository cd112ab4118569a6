"""Every write in the appeals app (rounds, signatures, member submissions, platform responses).

Each action takes the acting user keyword-only, runs in one transaction, locks the round row when
it changes the round's state, saves with update_fields, writes a timeline event with
subject "round:<n>", then tells appeals/followups.py so reminders and chases follow the round.

`actor=None` means the system (a follow-up job: automatic submission, automatic next round). Views
and the API always pass `request.user`, so an anonymous visitor is refused, never mistaken for the
system. Member actions (sign, log a submission, report an outcome) need a real user.
"""

from __future__ import annotations

from datetime import date, datetime, timedelta
from decimal import Decimal, InvalidOperation
from typing import Any
from zoneinfo import ZoneInfo

from allauth.account.models import EmailAddress
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from appeals import deadlines, followups, states
from appeals.letters import render_letter
from appeals.models import Appeal, PlatformResponse, Signature, Submission
from appeals.packets import record_packet_hash
from coalition.errors import ActionRefused
from coalition.models import Evidence, Grievance, Membership
from coalition.queries import can_organise, seller_of
from coalition.timeline import record_event

S = Appeal.State
Classification = PlatformResponse.Classification


DRAFT_FIELDS = {"subject", "letter", "language"}
UNSENT_FIELDS = {"channel", "signature_goal", "scheduled_submit_at"}
SIGNING_FIELDS = {"signing_deadline"}
EDITABLE_FIELDS = DRAFT_FIELDS | UNSENT_FIELDS | SIGNING_FIELDS


# --- drafting -----------------------------------------------------------------------------


@transaction.atomic
def draft_round(
    grievance: Grievance,
    *,
    actor,
    channel: str = Appeal.Channel.PORTAL,
    language: str = Appeal.Language.EN,
    signature_goal: int = 10,
    reason: str = "",
) -> Appeal:
    """Draft round 1, or round N+1 once round N was answered with a partial grant or a rejection,
    or is overdue. A round that adds nothing new, or one past the platform's round cap for the
    channel, needs a reason (DSA Art. 23, "excessive contacts"); the reason is kept."""
    # Locking the grievance row serialises drafting, so two organisers cannot both draft round N+1.
    grievance = (
        Grievance.objects.select_for_update().select_related("platform").get(pk=grievance.pk)
    )
    _require_organiser(grievance, actor)
    if not grievance.is_open:
        raise ActionRefused(_("This grievance is not open, so no new round can be drafted."))
    _check_choice(channel, Appeal.Channel, "channel")
    _check_choice(language, Appeal.Language, "language")
    _check_goal(signature_goal)
    reason = (reason or "").strip()
    latest = grievance.rounds.order_by("-number").first()
    last_sent = _last_sent_round(grievance, latest)
    _check_next_round_allowed(latest, last_sent)
    needs_reason = _why_confirmation_needed(grievance, last_sent, channel)
    if needs_reason and not reason:
        raise ActionRefused(needs_reason, field="reason", code="confirmation_required")
    number = latest.number + 1 if latest else 1
    subject, letter = render_letter(
        grievance, language=language, round_number=number, previous=last_sent
    )
    if latest is not None and latest.language == language:
        letter = latest.letter  # round N+1 starts from the last letter the organisers wrote
    appeal = Appeal.objects.create(
        grievance=grievance,
        number=number,
        previous=latest,
        subject=subject[:200],
        letter=letter,
        language=language,
        channel=channel,
        signature_goal=signature_goal,
        new_round_reason=reason if needs_reason else "",
        created_by=actor if _is_user(actor) else None,
    )
    data: dict[str, Any] = {"channel": channel, "language": language}
    if latest is not None:
        data["previous_round"] = latest.number
    if needs_reason:
        data["reason"] = reason
    record_event(grievance, "round.drafted", actor=actor, subject=_subject(appeal), **data)
    return appeal


def _last_sent_round(grievance: Grievance, latest: Appeal | None) -> Appeal | None:
    """The round the rules compare against: the latest one that was not withdrawn."""
    if latest is None or latest.state != S.WITHDRAWN:
        return latest
    return grievance.rounds.exclude(state=S.WITHDRAWN).order_by("-number").first()


def _check_next_round_allowed(latest: Appeal | None, last_sent: Appeal | None) -> None:
    if latest is not None and latest.state in states.UNSENT_STATES:
        raise ActionRefused(
            _(
                "Round %(n)s has not been submitted yet. Submit or withdraw it before drafting another."
            )
            % {"n": latest.number}
        )
    if last_sent is None:
        return
    if states.calls_for_next_round(last_sent, timezone.now()):
        return
    if last_sent.state == S.RESPONDED:
        raise ActionRefused(
            _("Round %(n)s was granted; there is nothing left to appeal.") % {"n": last_sent.number}
        )
    if last_sent.state == S.INFO_REQUESTED:
        raise ActionRefused(
            _(
                "The platform asked for more information on round %(n)s. Send it and record that "
                "you did before drafting another round."
            )
            % {"n": last_sent.number}
        )
    raise ActionRefused(
        _(
            "Round %(n)s is waiting for the platform's answer, which is not overdue yet. A new round "
            "can be drafted once it is answered with a partial grant or a rejection, or is overdue."
        )
        % {"n": last_sent.number}
    )


def _why_confirmation_needed(grievance: Grievance, last_sent: Appeal | None, channel: str) -> str:
    """Why this round needs the organiser's reason, or "" when it does not."""
    platform = grievance.platform
    sent_on_channel = grievance.rounds.filter(channel=channel, submitted_at__isnull=False).count()
    if sent_on_channel >= platform.round_cap:
        return _(
            "%(platform)s has already received %(count)s rounds by %(channel)s from this coalition, "
            "which is its limit before we warn. Platforms may ignore or penalise repeated contacts "
            "(Amazon deactivates accounts for “excessive contacts”; the EU Digital Services Act, "
            "Art. 23, lets platforms suspend the handling of frequent, manifestly unfounded "
            "complaints). Say why this round is needed to go ahead."
        ) % {
            "platform": platform.name,
            "count": sent_on_channel,
            "channel": Appeal.Channel(channel).label,
        }
    if last_sent is not None and not _something_new_since(grievance, last_sent.submitted_at):
        return _(
            "Nothing new has come in since round %(n)s was submitted: no new members and no new "
            "evidence. Sending the same appeal again rarely helps and can count against the "
            "coalition (Amazon deactivates accounts for “excessive contacts”; the EU Digital "
            "Services Act, Art. 23, lets platforms ignore frequent, manifestly unfounded "
            "complaints). Add something new, or say why this round is needed to go ahead."
        ) % {"n": last_sent.number}
    return ""


def _something_new_since(grievance: Grievance, since: datetime | None) -> bool:
    """New members, or new evidence, since `since` (a round's submission)."""
    if since is None:
        return True
    members = grievance.memberships.active().filter(joined_at__gt=since)
    return members.exists() or _new_evidence_since(grievance, since)


def _new_evidence_since(grievance: Grievance, since: datetime) -> bool:
    """Evidence a member brought after `since` and still stands by (not withdrawn)."""
    return Evidence.objects.filter(
        grievance=grievance, uploaded_at__gt=since, withdrawn_at__isnull=True
    ).exists()


@transaction.atomic
def update_draft(appeal: Appeal, *, actor, **fields: Any) -> Appeal:
    """Edit a round. Letter, subject and language only while in draft; channel, signature goal and
    the automatic send time until it is submitted; the signing deadline until signing closes."""
    appeal = _lock(appeal)
    _require_organiser(appeal.grievance, actor)
    unknown = set(fields) - EDITABLE_FIELDS
    if unknown:
        raise TypeError(f"cannot edit {sorted(unknown)}")
    changed = [name for name, value in fields.items() if getattr(appeal, name) != value]
    for name in changed:
        _check_editable(appeal, name)
        _check_field_value(appeal, name, fields[name])
        setattr(appeal, name, fields[name])
    if appeal.channel == Appeal.Channel.PORTAL and appeal.scheduled_submit_at is not None:
        raise ActionRefused(
            _(
                "Only rounds sent by email can go out automatically. Clear the send time or choose email."
            ),
            field="scheduled_submit_at",
        )
    if not changed:
        return appeal
    appeal.save(update_fields=[*changed, "updated_at"])
    _event(appeal, "round.edited", actor, fields=sorted(changed))
    # Reminders follow the new times: the hooks reschedule (or cancel) what they scheduled.
    if appeal.state == S.SIGNING and "signing_deadline" in changed:
        followups.on_signing_opened(appeal)
    if appeal.state == S.READY and {"channel", "scheduled_submit_at"} & set(changed):
        followups.on_signing_closed(appeal)
    return appeal


def _check_editable(appeal: Appeal, name: str) -> None:
    if name in DRAFT_FIELDS and appeal.state not in states.EDITABLE_LETTER_STATES:
        raise ActionRefused(
            _(
                "The letter can only be changed while the round is a draft; signers have seen this one."
            ),
            field=name,
        )
    if name in UNSENT_FIELDS and appeal.state not in states.UNSENT_STATES:
        raise ActionRefused(
            _("This round has been submitted; it can no longer change."), field=name
        )
    if name in SIGNING_FIELDS and appeal.state not in {S.DRAFT, S.SIGNING}:
        raise ActionRefused(
            _("Signing is closed, so its deadline can no longer change."), field=name
        )


def _check_field_value(appeal: Appeal, name: str, value: Any) -> None:
    now = timezone.now()
    if name in {"subject", "letter"} and not (value or "").strip():
        raise ActionRefused(_("This cannot be empty."), field=name)
    if name == "language":
        _check_choice(value, Appeal.Language, name)
    if name == "channel":
        _check_choice(value, Appeal.Channel, name)
    if name == "signature_goal":
        _check_goal(value)
    if name in {"signing_deadline", "scheduled_submit_at"} and value is not None and value <= now:
        raise ActionRefused(_("Choose a moment in the future."), field=name)


@transaction.atomic
def regenerate_letter(appeal: Appeal, *, actor) -> Appeal:
    """Re-draft subject and letter from the category template with today's figures (draft only)."""
    appeal = _lock(appeal)
    _require_organiser(appeal.grievance, actor)
    if appeal.state != S.DRAFT:
        raise ActionRefused(
            _("The letter can only be re-drafted while the round is a draft."), field="letter"
        )
    subject, letter = render_letter(
        appeal.grievance,
        language=appeal.language,
        round_number=appeal.number,
        previous=_previous_sent(appeal),
    )
    appeal.subject, appeal.letter = subject[:200], letter
    appeal.save(update_fields=["subject", "letter", "updated_at"])
    _event(appeal, "round.letter_regenerated", actor)
    return appeal


def _previous_sent(appeal: Appeal) -> Appeal | None:
    return (
        appeal.grievance.rounds.filter(number__lt=appeal.number)
        .exclude(state=S.WITHDRAWN)
        .order_by("-number")
        .first()
    )


# --- signing ------------------------------------------------------------------------------


@transaction.atomic
def open_signing(appeal: Appeal, *, actor, deadline: datetime | None = None) -> Appeal:
    appeal = _lock(appeal)
    _require_organiser(appeal.grievance, actor)
    appeal.state = states.check_move(appeal, "open_signing")
    if not appeal.grievance.is_open:
        raise ActionRefused(
            _("This grievance is not open, so its rounds cannot collect signatures.")
        )
    if deadline is not None:
        _check_field_value(appeal, "signing_deadline", deadline)
        appeal.signing_deadline = deadline
    if appeal.signing_deadline is not None and appeal.signing_deadline <= timezone.now():
        raise ActionRefused(
            _("The signing deadline has passed. Choose a new one."), field="deadline"
        )
    appeal.signing_opened_at = timezone.now()
    appeal.save(update_fields=["state", "signing_opened_at", "signing_deadline", "updated_at"])
    deadline_iso = appeal.signing_deadline.isoformat() if appeal.signing_deadline else None
    _event(appeal, "round.signing_opened", actor, deadline=deadline_iso)
    followups.on_signing_opened(appeal)
    return appeal


@transaction.atomic
def close_signing(appeal: Appeal, *, actor) -> Appeal:
    # FOR UPDATE (not NO KEY UPDATE) on purpose: it conflicts with the KEY SHARE lock a concurrent
    # signature insert takes on this row, so a signature is either in before closing or refused.
    appeal = _lock(appeal)
    _require_organiser(appeal.grievance, actor)
    appeal.state = states.check_move(appeal, "close_signing")
    appeal.save(update_fields=["state", "updated_at"])
    _event(
        appeal,
        "round.signing_closed",
        actor,
        signatures=Signature.objects.filter(appeal=appeal).counted().count(),
    )
    followups.on_signing_closed(appeal)
    return appeal


@transaction.atomic
def sign(appeal: Appeal, *, actor, consent_to_name: bool | None = None) -> Signature:
    """Co-sign a round. Signing again changes nothing (no error, no second event); signing after
    withdrawing reactivates the same row. `consent_to_name` defaults to the membership's consent.

    The returned signature carries `newly_signed` (True when this call made it count), so the API
    can answer 201 or 200. Safe under concurrency: the unique constraint decides between racing
    requests, and the loser returns the winner's row.
    """
    membership = _require_member(
        appeal.grievance, actor, _("Only members of this grievance can sign its rounds.")
    )
    if appeal.state != S.SIGNING:
        raise ActionRefused(
            _("Round %(n)s is not open for signing.") % {"n": appeal.number}, code="wrong_state"
        )
    if not EmailAddress.objects.filter(user=actor, verified=True).exists():
        raise ActionRefused(
            _(
                "Confirm your email address first: only signatures of members with a confirmed email "
                "address count. Open the link in the email we sent you, or ask for a new one in your "
                "account settings."
            ),
            code="email_unverified",
        )
    consent = membership.consent_to_name if consent_to_name is None else bool(consent_to_name)
    signature = Signature.objects.filter(appeal=appeal, membership=membership).first()
    if signature is not None and signature.withdrawn_at is None:
        signature.newly_signed = False
        return signature
    if signature is not None:
        signature.withdrawn_at, signature.consent_to_name = None, consent
        signature.save(update_fields=["withdrawn_at", "consent_to_name"])
    else:
        try:
            with transaction.atomic():  # a savepoint, so a lost race leaves the transaction usable
                signature = Signature.objects.create(
                    appeal=appeal, membership=membership, consent_to_name=consent
                )
        except IntegrityError:
            signature = Signature.objects.get(appeal=appeal, membership=membership)
            signature.newly_signed = False
            return signature
    # Re-read the state after writing: a close that committed meanwhile wins (see close_signing).
    if not Appeal.objects.filter(pk=appeal.pk, state=S.SIGNING).exists():
        raise ActionRefused(
            _("Round %(n)s has just closed for signing.") % {"n": appeal.number}, code="wrong_state"
        )
    _event(appeal, "round.signed", actor, membership=membership.pk)
    followups.on_signed(signature)
    signature.newly_signed = True
    return signature


@transaction.atomic
def withdraw_signature(appeal: Appeal, *, actor) -> Signature | None:
    """Take one's signature back while the round has not been sent. Returns None when there was
    nothing to withdraw (withdrawing twice is not an error)."""
    membership = _require_member(
        appeal.grievance, actor, _("Only members of this grievance can sign its rounds.")
    )
    if appeal.state not in {S.SIGNING, S.READY}:
        raise ActionRefused(
            _(
                "Round %(n)s has already been submitted (or was never opened for signing); "
                "signatures can no longer change."
            )
            % {"n": appeal.number},
            code="wrong_state",
        )
    signature = (
        Signature.objects.select_for_update()
        .filter(appeal=appeal, membership=membership, withdrawn_at__isnull=True)
        .first()
    )
    if signature is None:
        return None
    signature.withdrawn_at = timezone.now()
    signature.save(update_fields=["withdrawn_at"])
    _event(appeal, "round.signature_withdrawn", actor, membership=membership.pk)
    return signature


# --- submitting and what comes back -------------------------------------------------------


@transaction.atomic
def submit_round(
    appeal: Appeal,
    *,
    actor,
    case_reference: str = "",
    message_id: str = "",
    submitted_at: datetime | None = None,
) -> Appeal:
    """Mark the round as sent and start the platform's clock. By portal an organiser records the
    case reference the portal gave; by email the system passes the message id."""
    appeal = _lock(appeal)
    _require_organiser(appeal.grievance, actor)
    new_state = states.check_move(appeal, "submit")
    case_reference = (case_reference or "").strip()
    if appeal.channel == Appeal.Channel.PORTAL and not case_reference:
        raise ActionRefused(
            _(
                "Enter the case reference the platform's portal gave you, so replies can be matched."
            ),
            field="case_reference",
        )
    now = timezone.now()
    submitted_at = submitted_at or now
    if submitted_at > now + timedelta(minutes=5):
        raise ActionRefused(_("The submission time cannot be in the future."), field="submitted_at")
    platform = appeal.grievance.platform
    appeal.state, appeal.submitted_at = new_state, submitted_at
    appeal.case_reference, appeal.message_id = case_reference[:120], (message_id or "")[:255]
    appeal.response_due_at = deadlines.response_due(submitted_at, platform)
    appeal.very_overdue_at = deadlines.very_overdue_at(submitted_at, platform)
    appeal.save(
        update_fields=[
            "state",
            "submitted_at",
            "case_reference",
            "message_id",
            "response_due_at",
            "very_overdue_at",
            "updated_at",
        ]
    )
    _event(
        appeal,
        "round.submitted",
        actor,
        channel=appeal.channel,
        case_reference=appeal.case_reference,
        response_due=appeal.response_due_at.isoformat(),
    )
    # The packet's fingerprint is fixed at submission, so what the platform got can be verified.
    record_packet_hash(appeal, actor=actor)
    followups.on_submitted(appeal)
    return appeal


@transaction.atomic
def record_response(
    appeal: Appeal, *, actor, received_at: datetime, channel: str, text: str, classification: str
) -> PlatformResponse:
    """Record what the platform said. A request for information pauses the clock; a decision
    (granted, partly granted, rejected) answers the round; an acknowledgement changes nothing."""
    appeal = _lock(appeal)
    _require_organiser(appeal.grievance, actor)
    _check_choice(classification, Classification, "classification")
    _check_choice(channel, PlatformResponse.Channel, "channel")
    if appeal.state not in states.RECORDABLE_STATES:
        states.check_move(appeal, "record_response")  # raises with the round's state in the message
    text = (text or "").strip()
    if not text:
        raise ActionRefused(_("Paste or summarise what the platform said."), field="text")
    _check_received_at(appeal, received_at)
    previous_state = appeal.state
    changed = _apply_response(appeal, received_at, classification)
    response = PlatformResponse.objects.create(
        appeal=appeal,
        received_at=received_at,
        channel=channel,
        text=text,
        classification=classification,
        recorded_by=actor if _is_user(actor) else None,
    )
    if changed:
        appeal.save(update_fields=[*changed, "updated_at"])
    _event(
        appeal,
        "round.response_recorded",
        actor,
        classification=classification,
        response=response.pk,
        **{"from": previous_state, "to": appeal.state},
    )
    followups.on_response_recorded(appeal, response)
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
    appeal = _lock(appeal)
    _require_organiser(appeal.grievance, actor)
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
    _event(
        appeal,
        "round.information_sent",
        actor,
        remaining_business_days=remaining,
        response_due=appeal.response_due_at.isoformat(),
    )
    followups.on_information_sent(appeal)
    return appeal


@transaction.atomic
def withdraw_round(appeal: Appeal, *, actor, reason: str = "") -> Appeal:
    appeal = _lock(appeal)
    _require_organiser(appeal.grievance, actor)
    appeal.state = states.check_move(appeal, "withdraw")
    appeal.save(update_fields=["state", "updated_at"])
    _event(appeal, "round.withdrawn", actor, reason=(reason or "").strip())
    followups.on_withdrawn(appeal)
    return appeal


# --- members' own submissions -------------------------------------------------------------


@transaction.atomic
def log_submission(
    appeal: Appeal, *, actor, submitted_on: date, ticket_reference: str = ""
) -> Submission:
    """Log one's own portal appeal for a submitted round. Logging again updates the same row.

    The returned row carries `newly_logged` (True when this call created it)."""
    membership = _require_member(
        appeal.grievance,
        actor,
        _("Only members of this grievance can log an appeal for its rounds."),
    )
    if appeal.state not in states.SENT_STATES:
        raise ActionRefused(
            _("Round %(n)s has not been submitted yet; log your own appeal once it has.")
            % {"n": appeal.number},
            code="wrong_state",
        )
    if submitted_on > _today_for(membership):
        raise ActionRefused(_("The date cannot be in the future."), field="submitted_on")
    ticket_reference = (ticket_reference or "").strip()[:120]
    submission = (
        Submission.objects.select_for_update().filter(appeal=appeal, membership=membership).first()
    )
    if submission is None:
        try:
            with transaction.atomic():
                submission = Submission.objects.create(
                    appeal=appeal,
                    membership=membership,
                    submitted_on=submitted_on,
                    ticket_reference=ticket_reference,
                    currency=membership.currency,
                )
        except IntegrityError:  # a concurrent first log won; update that one
            submission = Submission.objects.select_for_update().get(
                appeal=appeal, membership=membership
            )
        else:
            _event(appeal, "submission.logged", actor, submission=submission.pk)
            followups.on_submission_logged(submission)
            submission.newly_logged = True
            return submission
    values = {"submitted_on": submitted_on, "ticket_reference": ticket_reference}
    changed = [name for name, value in values.items() if getattr(submission, name) != value]
    for name in changed:
        setattr(submission, name, values[name])
    if changed:
        submission.save(update_fields=[*changed, "updated_at"])
        _event(appeal, "submission.updated", actor, submission=submission.pk)
        if "submitted_on" in changed:
            followups.on_submission_logged(submission)  # the outcome check follows the new date
    submission.newly_logged = False
    return submission


@transaction.atomic
def report_outcome(
    submission: Submission,
    *,
    actor,
    outcome: str,
    outcome_on: date | None = None,
    amount_recovered: Decimal | str | int | None = None,
    currency: str | None = None,
) -> Submission:
    """The member reports how their own appeal ended (their own submission only)."""
    submission = (
        Submission.objects.select_for_update()
        .select_related("appeal__grievance", "membership__seller")
        .get(pk=submission.pk)
    )
    if not _is_user(actor) or submission.membership.seller.user_id != actor.pk:
        raise ActionRefused(_("You can only report the outcome of your own appeal."))
    _check_choice(outcome, Submission.Outcome, "outcome")
    amount = _check_amount(amount_recovered, outcome)
    currency = (currency or submission.currency or "USD").strip().upper()
    if len(currency) != 3 or not currency.isalpha():
        raise ActionRefused(
            _("Use a three-letter currency code such as USD or CNY."), field="currency"
        )
    today = _today_for(submission.membership)
    if outcome == Submission.Outcome.PENDING:
        outcome_on = None
    else:
        outcome_on = outcome_on or today
        if outcome_on > today:
            raise ActionRefused(_("The date cannot be in the future."), field="outcome_on")
        if outcome_on < submission.submitted_on:
            raise ActionRefused(
                _("The outcome cannot come before you submitted the appeal."), field="outcome_on"
            )
    submission.outcome, submission.outcome_on = outcome, outcome_on
    submission.amount_recovered, submission.currency = amount, currency
    submission.save(
        update_fields=["outcome", "outcome_on", "amount_recovered", "currency", "updated_at"]
    )
    # Amounts stay out of the timeline: members can read it, and amounts are private (DESIGN §5).
    _event(
        submission.appeal,
        "submission.outcome_reported",
        actor,
        submission=submission.pk,
        outcome=outcome,
    )
    followups.on_outcome_reported(submission)
    return submission


def _check_amount(value: Decimal | str | int | None, outcome: str) -> Decimal:
    try:
        amount = Decimal(str(value)) if value not in (None, "") else Decimal("0")
    except InvalidOperation:
        raise ActionRefused(
            _("Enter an amount such as 1200.50."), field="amount_recovered"
        ) from None
    if amount < 0 or amount >= Decimal("1e12"):
        raise ActionRefused(_("Enter an amount of zero or more."), field="amount_recovered")
    nothing_back = {
        Submission.Outcome.DENIED,
        Submission.Outcome.NO_RESPONSE,
        Submission.Outcome.PENDING,
    }
    if amount and outcome in nothing_back:
        raise ActionRefused(
            _(
                "An appeal that is still pending, was denied or got no answer has not recovered anything yet."
            ),
            field="amount_recovered",
        )
    return amount.quantize(Decimal("0.01"))


# --- helpers ------------------------------------------------------------------------------


def _subject(appeal: Appeal) -> str:
    return f"round:{appeal.number}"


def _event(appeal: Appeal, verb: str, actor, **data: Any) -> None:
    """The round's timeline entry, under the subject "round:<n>"."""
    record_event(appeal.grievance, verb, actor=actor, subject=_subject(appeal), **data)


def _is_user(actor) -> bool:
    return bool(actor is not None and getattr(actor, "is_authenticated", False))


def _lock(appeal: Appeal) -> Appeal:
    """The round row, locked for the rest of the transaction, with a fresh state."""
    return (
        Appeal.objects.select_for_update(of=("self",))
        .select_related("grievance__platform")
        .get(pk=appeal.pk)
    )


def _require_organiser(grievance: Grievance, actor) -> None:
    if actor is None:
        return  # the system (a follow-up job)
    if not can_organise(actor, grievance):
        raise ActionRefused(_("Only the grievance's organisers can do this."), code="forbidden")


def _require_member(grievance: Grievance, actor, message: str) -> Membership:
    seller = seller_of(actor)
    membership = (
        Membership.objects.active().filter(grievance=grievance, seller=seller).first()
        if seller
        else None
    )
    if membership is None:
        raise ActionRefused(message, code="forbidden")
    return membership


def _check_choice(value: Any, choices, field: str) -> None:
    if value not in choices.values:
        raise ActionRefused(_("Choose one of the offered options."), field=field)


def _check_goal(goal: Any) -> None:
    if not isinstance(goal, int) or goal < 1 or goal > 1_000_000:
        raise ActionRefused(
            _("The signature goal must be a whole number of at least 1."), field="signature_goal"
        )


def _today_for(membership: Membership) -> date:
    """Today on the member's own calendar: a seller in Shanghai logs on their date, not UTC's."""
    try:
        zone = ZoneInfo(membership.seller.time_zone or "UTC")
    except (KeyError, ValueError):
        zone = ZoneInfo("UTC")
    return timezone.localdate(timezone=zone)


__all__ = [
    "close_signing",
    "draft_round",
    "information_sent",
    "log_submission",
    "open_signing",
    "record_response",
    "regenerate_letter",
    "report_outcome",
    "sign",
    "submit_round",
    "update_draft",
    "withdraw_round",
    "withdraw_signature",
]
