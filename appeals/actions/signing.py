"""Signing a round: organisers open and close it, members sign and take their signature back."""

from __future__ import annotations

from datetime import datetime

from allauth.account.models import EmailAddress
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from appeals import schedule, states
from appeals.actions._common import check_future, event, lock, require_member, require_organiser
from appeals.models import Appeal, Signature
from coalition.errors import ActionRefused

S = Appeal.State


@transaction.atomic
def open_signing(appeal: Appeal, *, actor, deadline: datetime | None = None) -> Appeal:
    appeal = lock(appeal)
    require_organiser(appeal.grievance, actor)
    appeal.state = states.check_move(appeal, "open_signing")
    if not appeal.grievance.is_open:
        raise ActionRefused(
            _("This grievance is not open, so its rounds cannot collect signatures.")
        )
    if deadline is not None:
        check_future(deadline, "signing_deadline")
        appeal.signing_deadline = deadline
    if appeal.signing_deadline is not None and appeal.signing_deadline <= timezone.now():
        raise ActionRefused(
            _("The signing deadline has passed. Choose a new one."), field="deadline"
        )
    appeal.signing_opened_at = timezone.now()
    appeal.save(update_fields=["state", "signing_opened_at", "signing_deadline", "updated_at"])
    deadline_iso = appeal.signing_deadline.isoformat() if appeal.signing_deadline else None
    event(appeal, "round.signing_opened", actor, deadline=deadline_iso)
    schedule.on_signing_opened(appeal)
    return appeal


@transaction.atomic
def close_signing(appeal: Appeal, *, actor) -> Appeal:
    # FOR UPDATE (not NO KEY UPDATE) on purpose: it conflicts with the KEY SHARE lock a concurrent
    # signature insert takes on this row, so a signature is either in before closing or refused.
    appeal = lock(appeal)
    require_organiser(appeal.grievance, actor)
    appeal.state = states.check_move(appeal, "close_signing")
    appeal.save(update_fields=["state", "updated_at"])
    event(
        appeal,
        "round.signing_closed",
        actor,
        signatures=Signature.objects.filter(appeal=appeal).counted().count(),
    )
    schedule.on_signing_closed(appeal)
    return appeal


@transaction.atomic
def sign(appeal: Appeal, *, actor, consent_to_name: bool | None = None) -> Signature:
    """Co-sign a round. Signing again changes nothing (no error, no second event); signing after
    withdrawing reactivates the same row. `consent_to_name` defaults to the membership's consent.

    The returned signature carries `newly_signed` (True when this call made it count), so the API
    can answer 201 or 200. Safe under concurrency: the unique constraint decides between racing
    requests, and the loser returns the winner's row.
    """
    membership = require_member(
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
    event(appeal, "round.signed", actor, membership=membership.pk)
    schedule.on_signed(signature)
    signature.newly_signed = True
    return signature


@transaction.atomic
def withdraw_signature(appeal: Appeal, *, actor) -> Signature | None:
    """Take one's signature back while the round has not been sent. Returns None when there was
    nothing to withdraw (withdrawing twice is not an error)."""
    membership = require_member(
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
    event(appeal, "round.signature_withdrawn", actor, membership=membership.pk)
    return signature
