"""Joining, updating one's case, leaving; verifying and promoting members; stepping down."""

from __future__ import annotations

from decimal import Decimal

from django.db import IntegrityError, connection, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from coalition.actions.guards import assign, require_organiser, require_owner
from coalition.actions.sellers import ensure_seller
from coalition.actions.tallies import (
    NONE,
    count_change,
    counts_of,
    refresh_released,
    touches_released,
)
from coalition.actions.timeline import record_event
from coalition.errors import ActionRefused
from coalition.models import Grievance, Membership, Seller

CASE_FIELDS = {
    "store",
    "incident_date",
    "amount_withheld",
    "amount_fined",
    "currency",
    "statement",
    "consent_to_name",
}


@transaction.atomic
def join_grievance(grievance: Grievance, *, actor, **case) -> Membership:
    """Join with one's case details. Joining again while a member changes nothing; after leaving,
    joining reactivates the same membership."""
    seller = ensure_seller(actor)
    grievance = _locked_for_join(grievance.pk)
    if not grievance.is_open:
        raise ActionRefused(_("This grievance is not open for new members."))
    _check_case(seller, grievance, case)
    # Locked: two rejoins at once must count once (the share lock above lets joins overlap).
    existing = (
        Membership.objects.select_for_update().filter(grievance=grievance, seller=seller).first()
    )
    if existing is not None and existing.is_active:
        return existing
    if existing is not None:
        assign(existing, case, CASE_FIELDS)
        existing.state, existing.role, existing.withdrawn_at = (
            Membership.State.JOINED,
            Membership.Role.MEMBER,
            None,
        )
        existing.save()
        count_change(grievance.pk, NONE, counts_of(existing))
        record_event(grievance, "membership.rejoined", actor=actor, membership=existing.pk)
        return existing
    try:
        with transaction.atomic():
            membership = Membership.objects.create(
                grievance=grievance, seller=seller, **_clean_case(case)
            )
    except IntegrityError:  # a concurrent duplicate request won; it changes nothing
        return Membership.objects.get(grievance=grievance, seller=seller)
    count_change(grievance.pk, NONE, counts_of(membership))
    record_event(grievance, "membership.joined", actor=actor, membership=membership.pk)
    return membership


def _locked_for_join(pk: int) -> Grievance:
    """The grievance, share-locked on PostgreSQL: joins run side by side, while a merge or a
    state change (which lock or update the row) waits for them and they for it. SQLite
    serialises writers anyway."""
    if connection.vendor != "postgresql":
        return Grievance.objects.get(pk=pk)
    table = connection.ops.quote_name(Grievance._meta.db_table)
    found = list(Grievance.objects.raw(f"SELECT * FROM {table} WHERE id = %s FOR SHARE", [pk]))
    if not found:
        raise Grievance.DoesNotExist
    return found[0]


@transaction.atomic
def update_case(membership: Membership, *, actor, **case) -> Membership:
    require_owner(membership.seller, actor)
    _check_case(membership.seller, membership.grievance, case)
    # What the counters know is the row as stored: read it under a lock, not the caller's copy.
    current = Membership.objects.select_for_update().get(pk=membership.pk)
    membership.state, membership.store_id = current.state, current.store_id
    before = counts_of(current)
    changed = assign(membership, case, CASE_FIELDS)
    if changed:
        membership.save(update_fields=changed)
        after = counts_of(membership)
        count_change(membership.grievance_id, before, after)
        if touches_released(before, after):
            refresh_released(membership.grievance)
        record_event(
            membership.grievance,
            "membership.updated",
            actor=actor,
            membership=membership.pk,
            fields=sorted(changed),
        )
    return membership


@transaction.atomic
def leave_grievance(grievance: Grievance, *, actor) -> Membership:
    seller = ensure_seller(actor)
    membership = (
        Membership.objects.active()
        .select_for_update()
        .filter(grievance=grievance, seller=seller)
        .first()
    )
    if membership is None:
        raise ActionRefused(_("You are not a member of this grievance."))
    if membership.is_organiser and _other_organisers(grievance, membership).count() == 0:
        raise ActionRefused(
            _("You are the last organiser. Make another member co-organiser before you leave.")
        )
    before = counts_of(membership)
    membership.state, membership.withdrawn_at = Membership.State.WITHDRAWN, timezone.now()
    membership.save(update_fields=["state", "withdrawn_at"])
    count_change(grievance.pk, before, NONE)
    if touches_released(before, NONE):
        refresh_released(grievance)
    record_event(grievance, "membership.left", actor=actor, membership=membership.pk)
    return membership


@transaction.atomic
def verify_member(membership: Membership, *, actor) -> Membership:
    require_organiser(membership.grievance, actor)
    # Read afresh under a lock: two organisers verifying at once must count one verification.
    membership.state = (
        Membership.objects.select_for_update().values_list("state", flat=True).get(pk=membership.pk)
    )
    if membership.state != Membership.State.JOINED:
        if membership.state == Membership.State.VERIFIED:
            return membership
        raise ActionRefused(_("Only a current member can be verified."))
    before = counts_of(membership)
    membership.state, membership.verified_at = Membership.State.VERIFIED, timezone.now()
    membership.save(update_fields=["state", "verified_at"])
    count_change(membership.grievance_id, before, counts_of(membership))
    refresh_released(membership.grievance)
    record_event(
        membership.grievance,
        "membership.verified",
        actor=actor,
        membership=membership.pk,
        member=membership.seller.display_name,
    )
    return membership


BULK_LIMIT = 500  # members one bulk action may touch: one page of the member list at most


@transaction.atomic
def verify_members(grievance: Grievance, membership_ids: list[int], *, actor) -> int:
    """Verify the chosen members who are waiting for it, in one UPDATE and one timeline entry
    (fifty "verified a member" lines would flood the timeline). Members already verified,
    withdrawn or of another grievance are left alone. Returns how many were verified."""
    require_organiser(grievance, actor)
    if len(membership_ids) > BULK_LIMIT:
        raise ActionRefused(
            _("Choose at most %(n)s members at a time.") % {"n": BULK_LIMIT}, field="members"
        )
    waiting = Membership.objects.select_for_update().filter(
        grievance=grievance, pk__in=membership_ids, state=Membership.State.JOINED
    )
    ids = list(waiting.values_list("pk", flat=True))
    if not ids:
        return 0
    Membership.objects.filter(pk__in=ids).update(
        state=Membership.State.VERIFIED, verified_at=timezone.now()
    )
    count_change(grievance.pk, NONE, (0, len(ids), 0))
    refresh_released(grievance)
    record_event(
        grievance, "membership.bulk_verified", actor=actor, count=len(ids), memberships=ids
    )
    return len(ids)


@transaction.atomic
def promote_member(membership: Membership, *, actor) -> Membership:
    require_organiser(membership.grievance, actor)
    if not membership.is_active:
        raise ActionRefused(_("Only a current member can become an organiser."))
    if membership.role == Membership.Role.ORGANISER:
        return membership
    membership.role = Membership.Role.ORGANISER
    membership.save(update_fields=["role"])
    record_event(
        membership.grievance,
        "membership.promoted",
        actor=actor,
        membership=membership.pk,
        member=membership.seller.display_name,
    )
    return membership


@transaction.atomic
def step_down(membership: Membership, *, actor) -> Membership:
    """An organiser hands over: allowed only while another organiser remains."""
    require_owner(membership.seller, actor)
    if not membership.is_organiser:
        return membership
    # Lock every organiser row so two organisers stepping down at once cannot leave none.
    list(membership.grievance.memberships.organisers().select_for_update())
    if _other_organisers(membership.grievance, membership).count() == 0:
        raise ActionRefused(_("A grievance always needs an organiser. Promote someone else first."))
    membership.role = Membership.Role.MEMBER
    membership.save(update_fields=["role"])
    record_event(
        membership.grievance, "membership.stepped_down", actor=actor, membership=membership.pk
    )
    return membership


def _other_organisers(grievance: Grievance, membership: Membership):
    return grievance.memberships.organisers().exclude(pk=membership.pk).select_for_update()


def _check_case(seller: Seller, grievance: Grievance, case: dict) -> None:
    store = case.get("store")
    if store is not None and (
        store.seller_id != seller.pk or store.platform_id != grievance.platform_id
    ):
        raise ActionRefused(
            _("Choose one of your own stores on %(platform)s.")
            % {"platform": grievance.platform.name},
            field="store",
        )
    for f in ("amount_withheld", "amount_fined"):
        if case.get(f) is not None and Decimal(case[f]) < 0:
            raise ActionRefused(_("Amounts cannot be negative."), field=f)
    if case.get("incident_date") and case["incident_date"] > timezone.localdate():
        raise ActionRefused(_("The incident date cannot be in the future."), field="incident_date")


def _clean_case(case: dict) -> dict:
    return {k: v for k, v in case.items() if k in CASE_FIELDS and v is not None}
