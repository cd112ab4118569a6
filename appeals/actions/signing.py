"""Signing a round: organisers open and close it, members sign and take their signature back."""

from __future__ import annotations

import re
from datetime import datetime
from functools import cache

from allauth.account.models import EmailAddress
from django.db import IntegrityError, connection, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from appeals import schedule, states
from appeals.actions._common import (
    SUBJECT_PREFIX,
    check_future,
    event,
    lock,
    require_member,
    require_organiser,
)
from appeals.models import Appeal, Notification, Signature
from coalition.actions import rates
from coalition.actions.timeline import recorded
from coalition.errors import ActionRefused
from coalition.models import AuditEvent, Membership, Seller
from coalition.sql import StatementActor, fetch_one

S = Appeal.State
SIGNED = "round.signed"  # the timeline verb


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


def sign(
    appeal: Appeal | int,
    *,
    actor,
    consent_to_name: bool | None = None,
    consent_to_store_id: bool = False,
    rate: rates.Window | None = None,
) -> Signature:
    """Co-sign a round (an Appeal, or its id: the API's co-sign does not load the round first).
    Signing again changes nothing (no error, no second event); signing after withdrawing
    reactivates the same row. `consent_to_name` defaults to the membership's consent;
    `consent_to_store_id` (give the platform my store ID in the annex) is asked separately and
    defaults to no.

    The returned signature carries `newly_signed` (True when this call made it count), so the API
    can answer 201 or 200. Safe under concurrency: the unique constraint decides between racing
    requests, and the loser returns the winner's row.

    `rate`: the caller's rate-limit window (coalition/actions/rates.py) to count this co-sign
    in first; rates.Exceeded, and nothing else done, when that goes beyond its limit.

    On PostgreSQL all of it (the count, checks, signature, timeline event, withdrawal of a
    waiting reminder) is one statement, atomic on its own (see _SIGN); `actor` may then be a
    `StatementActor` (coalition/sql.py), whose user the statement finds too. The public answers
    a new signature changes go stale after it (coalition/cache.py `bump_committed`).
    """
    if connection.vendor == "postgresql":
        signature = sign_in_one_statement(
            appeal if isinstance(appeal, int) else appeal.pk,
            actor,
            consent_to_name=consent_to_name,
            consent_to_store_id=consent_to_store_id,
            rate=rate,
        )
        if signature.newly_signed:
            recorded(signature.membership.grievance_id, SIGNED, committed=True)
        return signature
    if rate is not None:
        rates.check(rate)
    if isinstance(actor, StatementActor):
        actor = actor.user()
    if isinstance(appeal, int):
        appeal = Appeal.objects.select_related("grievance").filter(pk=appeal).first()
        if appeal is None:  # refused as on PostgreSQL, where no round means no membership
            raise _not_a_member()
    with transaction.atomic():
        return _sign_with_the_orm(appeal, actor, consent_to_name, consent_to_store_id)


def _sign_with_the_orm(
    appeal: Appeal, actor, consent_to_name: bool | None, consent_to_store_id: bool
) -> Signature:
    """`sign` on databases other than PostgreSQL (SQLite under `make run`'s embedded default)."""
    membership = require_member(appeal.grievance, actor, _members_only())
    if appeal.state != S.SIGNING:
        raise _not_open(appeal.number)
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
    event(appeal, SIGNED, actor, membership=membership.pk)
    schedule.on_signed(signature)
    signature.newly_signed = True
    return signature


def _members_only() -> str:
    return _("Only members of this grievance can sign its rounds.")


def _not_a_member() -> ActionRefused:
    return ActionRefused(_members_only(), code="forbidden")


def _not_open(number: int) -> ActionRefused:
    return ActionRefused(
        _("Round %(n)s is not open for signing.") % {"n": number}, code="wrong_state"
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


@cache
def _sign_sql(actor_sql: str | None, counted: bool) -> str:
    """The co-sign statement: for a user, or (`actor_sql`) for a `StatementActor`, whose user
    it finds itself; `counted`: that also counts the request in its rate-limit window."""
    return _SIGN.format(
        user_cte=f"u AS ({actor_sql}), " if actor_sql else "",
        user="(SELECT id FROM u)" if actor_sql else "%(user)s::bigint",
        rate_cte=f"rate AS ({rates.upsert_sql()}), " if counted else "",
        within_rate="AND (SELECT hits FROM rate) <= %(rate_limit)s::int" if counted else "",
        hits="(SELECT hits FROM rate)" if counted else "NULL::int",
        **_tables(),
        **{name: _literal(value) for name, value in _constants().items()},
    )


def _constants() -> dict[str, object]:
    """What every co-sign statement compares with or writes alike, written into it as literals:
    fewer values to send and convert on each call."""
    return {
        "withdrawn": Membership.State.WITHDRAWN,
        "signing": S.SIGNING,
        "verb": SIGNED,
        "subject": SUBJECT_PREFIX,
        "suppressed": Notification.State.SUPPRESSED,
        "pending": Notification.State.PENDING,
        "moot": "{" + ",".join(schedule.MOOT_ONCE_SIGNED) + "}",
    }


def _literal(value: object) -> str:
    """A string constant of the code (a state, a verb) as an SQL literal; never user input."""
    text = str(value)
    if not re.fullmatch(r"[A-Za-z0-9_.:{},]*", text):
        raise ValueError(f"not a plain constant: {text!r}")
    return f"'{text}'"


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
            "event": AuditEvent,
            "notification": Notification,
        }.items()
    }


# PostgreSQL: the whole co-sign in one statement, so one round trip and its own transaction.
# - `rate` counts the request in the caller's rate-limit window (coalition/actions/rates.py),
#   when the caller asked; a request beyond the limit does nothing else.
# - `r` is the round; `m` the signer's active membership of its grievance; `e` whether the
#   signer's email is confirmed; `cur` the signer's active signature as it was before: a repeat.
# - `a` takes the KEY SHARE lock the signature's foreign key would take anyway. In READ COMMITTED
#   a round that a concurrent close_signing (FOR UPDATE) moved on is re-checked and drops out, so
#   a signature is either in before the close or refused. It is read only when there is
#   something to insert: a repeat locks nothing and writes only its count, to a table that keeps
#   no write-ahead log, so its commit waits for no disk.
# - `s` inserts the signature (or reactivates a withdrawn one) and returns it only when this
#   statement made it count.
# - `ev` writes the "round.signed" timeline entry and `w` withdraws the signer's reminders still
#   waiting for their morning (appeals/schedule.py MOOT_ONCE_SIGNED); both only for a new `s`.
# When `s` and `cur` are both empty for a member with a confirmed email on an open round, a
# concurrent request inserted the row first (ours waited on it, then found it): that one is
# read afterwards.
_SIGN = """
WITH {user_cte}{rate_cte}r AS (
    SELECT id, grievance_id, number, state FROM {appeal} WHERE id = %(appeal)s
), m AS (
    SELECT mem.id, mem.consent_to_name, mem.state FROM {membership} mem JOIN {seller} sel ON sel.id = mem.seller_id
    WHERE mem.grievance_id = (SELECT grievance_id FROM r) AND sel.user_id = {user} AND mem.state <> {withdrawn}
), e AS (
    SELECT EXISTS (SELECT 1 FROM {email} WHERE user_id = {user} AND verified) AS ok
), cur AS (
    SELECT x.id, x.signed_at, x.consent_to_name, x.consent_to_store_id FROM {signature} x
    WHERE x.appeal_id = %(appeal)s AND x.membership_id = (SELECT id FROM m) AND x.withdrawn_at IS NULL
), a AS (
    SELECT id FROM {appeal} WHERE id = %(appeal)s AND state = {signing} FOR KEY SHARE
), s AS (
    INSERT INTO {signature} AS sig
        (appeal_id, membership_id, consent_to_name, consent_to_store_id, signed_at)
    SELECT a.id, m.id, COALESCE(%(consent)s::boolean, m.consent_to_name), %(store)s, %(now)s
    FROM a, m
    WHERE (SELECT ok FROM e) AND NOT EXISTS (SELECT 1 FROM cur)
        AND (SELECT state FROM r) = {signing} {within_rate}
    ON CONFLICT (appeal_id, membership_id) DO UPDATE SET withdrawn_at = NULL,
        consent_to_name = EXCLUDED.consent_to_name, consent_to_store_id = EXCLUDED.consent_to_store_id
        WHERE sig.withdrawn_at IS NOT NULL
    RETURNING sig.id, sig.signed_at, sig.consent_to_name, sig.consent_to_store_id, sig.membership_id
), ev AS (
    INSERT INTO {event} (grievance_id, actor_id, verb, subject, data, created_at)
    SELECT r.grievance_id, {user}, {verb}, {subject} || r.number::text,
        jsonb_build_object('membership', s.membership_id), %(now)s
    FROM s, r
), w AS (
    UPDATE {notification} SET state = {suppressed}, last_error = %(reason)s
    WHERE appeal_id = %(appeal)s AND recipient_id = {user} AND kind = ANY({moot}::text[])
        AND state = {pending} AND EXISTS (SELECT 1 FROM s)
)
SELECT {user}, (SELECT grievance_id FROM r), (SELECT number FROM r),
    (SELECT id FROM m), (SELECT state FROM m),
    CASE WHEN (SELECT state FROM r) IS DISTINCT FROM {signing} THEN false
         WHEN EXISTS (SELECT 1 FROM cur) THEN true
         ELSE EXISTS (SELECT 1 FROM a) END,
    (SELECT ok FROM e), {hits},
    s.id, s.signed_at, s.consent_to_name, s.consent_to_store_id,
    cur.id, cur.signed_at, cur.consent_to_name, cur.consent_to_store_id
FROM (SELECT 1) one LEFT JOIN s ON true LEFT JOIN cur ON true
"""


def sign_in_one_statement(
    appeal_id: int,
    actor,
    *,
    consent_to_name: bool | None,
    consent_to_store_id: bool,
    rate: rates.Window | None = None,
) -> Signature:
    """`sign` on PostgreSQL: one round trip in the usual case (see _SIGN). For a
    `StatementActor` (the co-sign's API token) the statement finds the user too; when it finds
    none, the actor is looked up on its own, which refuses it or (a token made meanwhile) signs
    for the user it finds, without counting the request again."""
    params = {
        "appeal": appeal_id,
        "consent": consent_to_name if consent_to_name is None else bool(consent_to_name),
        "store": bool(consent_to_store_id),
        "now": timezone.now(),
        "reason": schedule.signed_meanwhile(),
    }
    if isinstance(actor, StatementActor):
        actor_sql, actor_params = actor.user_sql()
        params.update(actor_params)
    else:
        actor_sql, params["user"] = None, actor.pk
    if rate is not None:
        params.update(rate.params(), rate_limit=rate.limit)
    # Planned once per connection (coalition/sql.py).
    user_id, grievance_id, number, membership_id, state, is_open, email_ok, hits, *row = fetch_one(
        _sign_sql(actor_sql, rate is not None), params
    )
    if rate is not None and hits > rate.limit:
        raise rates.Exceeded(rate)
    if user_id is None:  # a StatementActor whose credential found no user
        return sign_in_one_statement(
            appeal_id,
            actor.user(),
            consent_to_name=consent_to_name,
            consent_to_store_id=consent_to_store_id,
        )
    if membership_id is None:
        raise _not_a_member()
    if not is_open:
        raise _not_open(number)
    if not email_ok:
        raise _email_unverified()
    new, current = row[:4], row[4:]
    # What the answer says of the membership (whether the signature counts) came with the row;
    # its other fields are left deferred, loaded if asked for.
    membership = _loaded(Membership, id=membership_id, grievance_id=grievance_id, state=state)
    if new[0] is None and current[0] is None:  # a concurrent first signature won
        signature = Signature.objects.get(appeal_id=appeal_id, membership_id=membership_id)
        signature.membership = membership
        signature.newly_signed = False
        return signature
    sid, signed_at, consent, store_id = new if new[0] is not None else current
    signature = _loaded(
        Signature, id=sid, appeal_id=appeal_id, membership_id=membership_id, signed_at=signed_at,
        consent_to_name=consent, consent_to_store_id=store_id, withdrawn_at=None,
    )  # fmt: skip
    signature.membership = membership
    signature.newly_signed = new[0] is not None
    return signature


def _loaded(model, **values):
    """A row of `model` as the ORM would load it (`from_db`: positional, no defaults computed;
    fields not given are deferred). Building a Membership by keyword took as long as the
    co-sign's statement took to send and read."""
    names = [f.attname for f in model._meta.concrete_fields if f.attname in values]
    return model.from_db(connection.alias, names, [values[name] for name in names])


@transaction.atomic
def withdraw_signature(appeal: Appeal, *, actor) -> Signature | None:
    """Take one's signature back while the round has not been sent. Returns None when there was
    nothing to withdraw (withdrawing twice is not an error)."""
    membership = require_member(appeal.grievance, actor, _members_only())
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
