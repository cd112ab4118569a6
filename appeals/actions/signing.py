"""Signing a round: organisers open and close it, members sign and take their signature back."""

from __future__ import annotations

from datetime import datetime

from allauth.account.models import EmailAddress
from django.db import IntegrityError, connection, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from appeals import schedule, states
from appeals.actions._common import check_future, event, lock, require_member, require_organiser
from appeals.models import Appeal, Signature
from coalition.errors import ActionRefused
from coalition.models import Membership, Seller

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
def sign(
    appeal: Appeal,
    *,
    actor,
    consent_to_name: bool | None = None,
    consent_to_store_id: bool = False,
) -> Signature:
    """Co-sign a round. Signing again changes nothing (no error, no second event); signing after
    withdrawing reactivates the same row. `consent_to_name` defaults to the membership's consent;
    `consent_to_store_id` (give the platform my store ID in the annex) is asked separately and
    defaults to no.

    The returned signature carries `newly_signed` (True when this call made it count), so the API
    can answer 201 or 200. Safe under concurrency: the unique constraint decides between racing
    requests, and the loser returns the winner's row.
    """
    if connection.vendor == "postgresql":
        signature = sign_in_one_statement(
            appeal, actor, consent_to_name=consent_to_name, consent_to_store_id=consent_to_store_id
        )
        if signature.newly_signed:
            event(appeal, "round.signed", actor, membership=signature.membership_id)
            schedule.on_signed(signature)
        return signature
    membership = require_member(
        appeal.grievance, actor, _("Only members of this grievance can sign its rounds.")
    )
    if appeal.state != S.SIGNING:
        raise _not_open(appeal)
    if not EmailAddress.objects.filter(user=actor, verified=True).exists():
        raise _email_unverified()
    consent = membership.consent_to_name if consent_to_name is None else bool(consent_to_name)
    signature = Signature.objects.filter(appeal=appeal, membership=membership).first()
    if signature is not None and signature.withdrawn_at is None:
        signature.newly_signed = False
        return signature
    store_id = bool(consent_to_store_id)
    if signature is not None:
        signature.withdrawn_at, signature.consent_to_name = None, consent
        signature.consent_to_store_id = store_id
        signature.save(update_fields=["withdrawn_at", "consent_to_name", "consent_to_store_id"])
    else:
        try:
            with transaction.atomic():  # a savepoint, so a lost race leaves the transaction usable
                signature = Signature.objects.create(
                    appeal=appeal,
                    membership=membership,
                    consent_to_name=consent,
                    consent_to_store_id=store_id,
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


def _not_open(appeal: Appeal) -> ActionRefused:
    return ActionRefused(
        _("Round %(n)s is not open for signing.") % {"n": appeal.number}, code="wrong_state"
    )


def _email_unverified() -> ActionRefused:
    return ActionRefused(
        _(
            "Confirm your email address first: only signatures of members with a confirmed email "
            "address count. Open the link in the email we sent you, or ask for a new one in your "
            "account settings."
        ),
        code="email_unverified",
    )


def _tables() -> dict[str, str]:
    quote = connection.ops.quote_name
    return {
        name: quote(model._meta.db_table)
        for name, model in {
            "membership": Membership,
            "seller": Seller,
            "appeal": Appeal,
            "email": EmailAddress,
            "signature": Signature,
        }.items()
    }


# PostgreSQL: who may sign, whether the round is open, whether the email is confirmed, and the
# insert (or the reactivation of a withdrawn signature) in one statement. `a` takes the KEY SHARE
# lock the signature's foreign key would take anyway, and in READ COMMITTED a round that a
# concurrent close_signing (FOR UPDATE) moved on is re-checked and drops out: a signature is
# either in before the close or refused. `cur` is the active signature as it was before this
# statement: a repeat. All of a's, m's and e's rows are there when `s` returns nothing and `cur`
# is empty only if a concurrent request inserted the row first (it waited on ours, then found
# it): that one is read afterwards.
_SIGN = """
WITH m AS (
    SELECT mem.id, mem.consent_to_name, mem.state FROM {membership} mem JOIN {seller} sel ON sel.id = mem.seller_id
    WHERE mem.grievance_id = %(grievance)s AND sel.user_id = %(user)s AND mem.state <> %(withdrawn)s
), a AS (
    SELECT id FROM {appeal} WHERE id = %(appeal)s AND state = %(signing)s FOR KEY SHARE
), e AS (
    SELECT EXISTS (SELECT 1 FROM {email} WHERE user_id = %(user)s AND verified) AS ok
), s AS (
    INSERT INTO {signature} AS sig
        (appeal_id, membership_id, consent_to_name, consent_to_store_id, signed_at)
    SELECT a.id, m.id, COALESCE(%(consent)s, m.consent_to_name), %(store)s, %(now)s
    FROM a, m, e WHERE e.ok
    ON CONFLICT (appeal_id, membership_id) DO UPDATE SET withdrawn_at = NULL,
        consent_to_name = EXCLUDED.consent_to_name, consent_to_store_id = EXCLUDED.consent_to_store_id
        WHERE sig.withdrawn_at IS NOT NULL
    RETURNING sig.id, sig.signed_at, sig.consent_to_name, sig.consent_to_store_id
), cur AS (
    SELECT x.id, x.signed_at, x.consent_to_name, x.consent_to_store_id FROM {signature} x
    WHERE x.appeal_id = %(appeal)s AND x.membership_id = (SELECT id FROM m) AND x.withdrawn_at IS NULL
)
SELECT (SELECT id FROM m), (SELECT state FROM m), (SELECT count(*) FROM a), (SELECT ok FROM e),
    s.id, s.signed_at, s.consent_to_name, s.consent_to_store_id,
    cur.id, cur.signed_at, cur.consent_to_name, cur.consent_to_store_id
FROM (SELECT 1) one LEFT JOIN s ON true LEFT JOIN cur ON true
"""


def sign_in_one_statement(
    appeal: Appeal, actor, *, consent_to_name: bool | None, consent_to_store_id: bool
) -> Signature:
    """`sign` on PostgreSQL: one round trip in the usual case (see _SIGN)."""
    params = {
        "grievance": appeal.grievance_id,
        "user": actor.pk,
        "withdrawn": Membership.State.WITHDRAWN,
        "appeal": appeal.pk,
        "signing": S.SIGNING,
        "consent": consent_to_name if consent_to_name is None else bool(consent_to_name),
        "store": bool(consent_to_store_id),
        "now": timezone.now(),
    }
    with connection.cursor() as cursor:
        cursor.execute(_SIGN.format(**_tables()), params)
        membership_id, state, is_open, email_ok, *row = cursor.fetchone()
    if membership_id is None:
        raise ActionRefused(
            _("Only members of this grievance can sign its rounds."), code="forbidden"
        )
    if not is_open:
        raise _not_open(appeal)
    if not email_ok:
        raise _email_unverified()
    new, current = row[:4], row[4:]
    if new[0] is None and current[0] is None:  # a concurrent first signature won
        signature = Signature.objects.select_related("membership").get(
            appeal=appeal, membership_id=membership_id
        )
        signature.newly_signed = False
        return signature
    sid, signed_at, consent, store_id = new if new[0] is not None else current
    signature = Signature(
        id=sid, appeal=appeal, membership_id=membership_id, signed_at=signed_at,
        consent_to_name=consent, consent_to_store_id=store_id, withdrawn_at=None,
    )  # fmt: skip
    # What the answer says of the membership (whether the signature counts) came with the row.
    signature.membership = Membership(
        id=membership_id, grievance_id=appeal.grievance_id, state=state
    )
    signature.newly_signed = new[0] is not None
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
