"""Drafting a round, editing it, re-drafting its letter from the templates, and withdrawing it."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from appeals import schedule, states
from appeals.actions._common import (
    check_channel_reaches,
    check_choice,
    check_future,
    check_goal,
    event,
    is_user,
    lock,
    require_organiser,
)
from appeals.documents.letters import other_language, render_letter
from appeals.models import Appeal
from appeals.models.rounds import new_reply_token, reply_address_for
from coalition.errors import ActionRefused
from coalition.models import Evidence, Grievance

S = Appeal.State

DRAFT_FIELDS = {"subject", "letter", "language", "translation_subject", "translation"}
UNSENT_FIELDS = {"channel", "signature_goal", "scheduled_submit_at"}
SIGNING_FIELDS = {"signing_deadline"}
EDITABLE_FIELDS = DRAFT_FIELDS | UNSENT_FIELDS | SIGNING_FIELDS


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
    require_organiser(grievance, actor)
    if not grievance.is_open:
        raise ActionRefused(_("This grievance is not open, so no new round can be drafted."))
    check_choice(channel, Appeal.Channel, "channel")
    check_channel_reaches(grievance.platform, channel)
    check_choice(language, Appeal.Language, "language")
    check_goal(signature_goal)
    reason = (reason or "").strip()
    latest = grievance.rounds.order_by("-number").first()
    last_sent = _last_sent_round(grievance, latest)
    _check_next_round_allowed(latest, last_sent)
    needs_reason = _why_confirmation_needed(grievance, last_sent, channel)
    if needs_reason and not reason:
        raise ActionRefused(needs_reason, field="reason", code="confirmation_required")
    number = latest.number + 1 if latest else 1
    # Round N+1 is drafted afresh, not copied from round N: it cites the earlier rounds and says
    # what is new since (appeals/documents/letters.py).
    token = new_reply_token()
    letters = _both_letters(grievance, language, number, reply_address_for(token))
    appeal = Appeal.objects.create(
        grievance=grievance,
        number=number,
        previous=latest,
        reply_token=token,
        demands=grievance.demands,
        language=language,
        **letters,
        channel=channel,
        signature_goal=signature_goal,
        new_round_reason=reason if needs_reason else "",
        created_by=actor if is_user(actor) else None,
    )
    data: dict[str, Any] = {"channel": channel, "language": language}
    if latest is not None:
        data["previous_round"] = latest.number
    if needs_reason:
        data["reason"] = reason
    event(appeal, "round.drafted", actor, **data)
    return appeal


def _both_letters(grievance: Grievance, language: str, number: int, reply_address: str) -> dict:
    """Subject and letter in the round's language, and the signers' translation."""
    subject, letter = render_letter(
        grievance, language=language, round_number=number, reply_address=reply_address
    )
    t_subject, translation = render_letter(
        grievance,
        language=other_language(language),
        round_number=number,
        reply_address=reply_address,
    )
    return {
        "subject": subject[:200],
        "letter": letter,
        "translation_subject": t_subject[:200],
        "translation": translation,
    }


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
    appeal = lock(appeal)
    require_organiser(appeal.grievance, actor)
    unknown = set(fields) - EDITABLE_FIELDS
    if unknown:
        raise TypeError(f"cannot edit {sorted(unknown)}")
    changed = [name for name, value in fields.items() if getattr(appeal, name) != value]
    for name in changed:
        _check_editable(appeal, name)
        _check_field_value(appeal, name, fields[name])
        setattr(appeal, name, fields[name])
    if "language" in changed and not {"letter", "translation", "subject"} & set(fields):
        # The platform's version and the signers' translation change places with the language.
        appeal.letter, appeal.translation = appeal.translation or appeal.letter, appeal.letter
        appeal.subject, appeal.translation_subject = (
            appeal.translation_subject or appeal.subject,
            appeal.subject,
        )
        changed += ["letter", "translation", "subject", "translation_subject"]
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
    event(appeal, "round.edited", actor, fields=sorted(changed))
    # Reminders follow the new times: the hooks reschedule (or cancel) what they scheduled.
    if appeal.state == S.SIGNING and "signing_deadline" in changed:
        schedule.on_signing_opened(appeal)
    if appeal.state == S.READY and {"channel", "scheduled_submit_at"} & set(changed):
        schedule.on_signing_closed(appeal)
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
    if name in {"subject", "letter"} and not (value or "").strip():
        raise ActionRefused(_("This cannot be empty."), field=name)
    if name == "language":
        check_choice(value, Appeal.Language, name)
    if name == "channel":
        check_choice(value, Appeal.Channel, name)
        check_channel_reaches(appeal.grievance.platform, value)
    if name == "signature_goal":
        check_goal(value)
    if name in {"signing_deadline", "scheduled_submit_at"}:
        check_future(value, name)


@transaction.atomic
def regenerate_letter(appeal: Appeal, *, actor) -> Appeal:
    """Re-draft subject and letter from the category template with today's figures (draft only)."""
    appeal = lock(appeal)
    require_organiser(appeal.grievance, actor)
    if appeal.state != S.DRAFT:
        raise ActionRefused(
            _("The letter can only be re-drafted while the round is a draft."), field="letter"
        )
    letters = _both_letters(appeal.grievance, appeal.language, appeal.number, appeal.reply_address)
    for name, value in letters.items():
        setattr(appeal, name, value)
    appeal.demands = appeal.grievance.demands
    appeal.needs_redraft = False
    appeal.save(update_fields=[*letters, "demands", "needs_redraft", "updated_at"])
    event(appeal, "round.letter_regenerated", actor)
    return appeal


@transaction.atomic
def withdraw_round(appeal: Appeal, *, actor, reason: str = "") -> Appeal:
    appeal = lock(appeal)
    require_organiser(appeal.grievance, actor)
    appeal.state = states.check_move(appeal, "withdraw")
    appeal.save(update_fields=["state", "updated_at"])
    event(appeal, "round.withdrawn", actor, reason=(reason or "").strip())
    schedule.on_withdrawn(appeal)
    return appeal
