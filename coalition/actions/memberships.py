"""Joining, updating one's case, leaving; verifying and promoting members; stepping down."""

from __future__ import annotations

from decimal import Decimal

from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from coalition.actions.guards import assign, require_organiser, require_owner
from coalition.actions.sellers import ensure_seller
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
    grievance = Grievance.objects.select_for_update().get(pk=grievance.pk)
    if not grievance.is_open:
        raise ActionRefused(_("This grievance is not open for new members."))
    _check_case(seller, grievance, case)
    existing = Membership.objects.filter(grievance=grievance, seller=seller).first()
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
        record_event(grievance, "membership.rejoined", actor=actor, membership=existing.pk)
        return existing
    try:
        with transaction.atomic():
            membership = Membership.objects.create(
                grievance=grievance, seller=seller, **_clean_case(case)
            )
    except IntegrityError:  # a concurrent duplicate request won; it changes nothing
        return Membership.objects.get(grievance=grievance, seller=seller)
    record_event(grievance, "membership.joined", actor=actor, membership=membership.pk)
    return membership


@transaction.atomic
def update_case(membership: Membership, *, actor, **case) -> Membership:
    require_owner(membership.seller, actor)
    _check_case(membership.seller, membership.grievance, case)
    changed = assign(membership, case, CASE_FIELDS)
    if changed:
        membership.save(update_fields=changed)
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
    membership.state, membership.withdrawn_at = Membership.State.WITHDRAWN, timezone.now()
    membership.save(update_fields=["state", "withdrawn_at"])
    record_event(grievance, "membership.left", actor=actor, membership=membership.pk)
    return membership


@transaction.atomic
def verify_member(membership: Membership, *, actor) -> Membership:
    require_organiser(membership.grievance, actor)
    if membership.state != Membership.State.JOINED:
        if membership.state == Membership.State.VERIFIED:
            return membership
        raise ActionRefused(_("Only a current member can be verified."))
    membership.state, membership.verified_at = Membership.State.VERIFIED, timezone.now()
    membership.save(update_fields=["state", "verified_at"])
    record_event(
        membership.grievance,
        "membership.verified",
        actor=actor,
        membership=membership.pk,
        member=membership.seller.display_name,
    )
    return membership


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
