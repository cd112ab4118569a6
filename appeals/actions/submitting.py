"""Submitting a round: the move to "submitted" that starts the platform's clock, and the one place
a round is emailed to the platform."""

from __future__ import annotations

from datetime import datetime, timedelta

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from appeals import deadlines, emails, schedule, states
from appeals.actions._common import event, lock, require_organiser
from appeals.actions.packets import record_packet_hash
from appeals.models import Appeal, Notification
from appeals.outbox import service as outbox
from appeals.queries.rounds import organisers_of
from coalition.errors import ActionRefused


@transaction.atomic
def submit_round(
    appeal: Appeal,
    *,
    actor,
    case_reference: str = "",
    message_id: str = "",
    submitted_at: datetime | None = None,
) -> Appeal:
    """Mark the round as sent and start the platform's clock, fix its packet's fingerprint, and
    email it to the platform when it goes by email. By portal an organiser records the case
    reference the portal gave. An email round is emailed here (`email_round`), whether an
    organiser submits it or the auto_submit job does; a caller that already sent it passes the
    email's `message_id` instead."""
    appeal = lock(appeal)
    require_organiser(appeal.grievance, actor)
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
    to_email = appeal.channel == Appeal.Channel.EMAIL and not message_id
    if to_email:
        _check_can_email(appeal)
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
    event(
        appeal,
        "round.submitted",
        actor,
        channel=appeal.channel,
        case_reference=appeal.case_reference,
        response_due=appeal.response_due_at.isoformat(),
    )
    # The packet's fingerprint is fixed at submission, so what the platform got can be verified.
    record_packet_hash(appeal, actor=actor)
    if to_email:
        email_round(appeal)
    schedule.on_submitted(appeal)
    return appeal


def email_round(appeal: Appeal) -> str:
    """Write the round's email to the platform's appeal address (the letter with its annexes, the
    packet's fingerprint and link; the packet attached when small enough, see
    appeals/documents/storage.py) into the outbox, with the organisers in copy and as Reply-To,
    and keep its Message-ID on the round. Returns the Message-ID.

    Call it inside the submitting transaction, after the packet was recorded: the email goes out
    only if the round really moved to submitted."""
    _check_can_email(appeal)
    row = emails.round_submission(appeal, organisers_of(appeal))
    outbox.enqueue([row])
    # If the row existed already (same key), the stored one is what goes out.
    message_id = (
        Notification.objects.filter(dedupe_key=row.dedupe_key)
        .values_list("message_id", flat=True)
        .get()
    )
    Appeal.objects.filter(pk=appeal.pk).update(message_id=message_id)
    appeal.message_id = message_id
    return message_id


def _check_can_email(appeal: Appeal) -> None:
    if not appeal.grievance.platform.appeal_email:
        raise ActionRefused(
            _(
                "This platform has no appeal email address, so the round cannot be emailed. Submit it through the portal."
            ),
            field="channel",
        )
