"""Every write in the coalition app. Views, serializers, forms, admin and tasks call these.

Each action takes the acting user keyword-only, runs in one transaction, saves with
update_fields and writes a timeline event.
"""

from __future__ import annotations

from datetime import date
from decimal import Decimal

from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from coalition.errors import ActionRefused
from coalition.models import Grievance, Membership, Platform, Seller, Store
from coalition.queries import can_organise, seller_of
from coalition.timeline import record_event

# --- sellers and stores --------------------------------------------------------------------


def ensure_seller(user, *, display_name: str = "", language: str = "") -> Seller:
    """The user's seller profile, created on first need (sign-up, admin-made users)."""
    seller = seller_of(user)
    if seller is not None:
        return seller
    name = display_name or (user.email.split("@")[0] if user.email else user.get_username())
    seller, _created = Seller.objects.get_or_create(
        user=user, defaults={"display_name": name[:80], "language": language or Seller.Language.EN}
    )
    return seller


def update_profile(seller: Seller, *, actor, **fields) -> Seller:
    allowed = {"display_name", "language", "time_zone", "email_notifications"}
    _require_owner(seller, actor)
    changed = _assign(seller, fields, allowed)
    if changed:
        seller.save(update_fields=changed)
    return seller


@transaction.atomic
def create_store(
    *, actor, platform: Platform, name: str, platform_store_id: str, state: str = Store.State.ACTIVE
) -> Store:
    seller = ensure_seller(actor)
    if Store.objects.filter(
        seller=seller, platform=platform, platform_store_id=platform_store_id
    ).exists():
        raise ActionRefused(
            _("You already registered this store ID on this platform."), field="platform_store_id"
        )
    return Store.objects.create(
        seller=seller,
        platform=platform,
        name=name,
        platform_store_id=platform_store_id,
        state=state,
    )


@transaction.atomic
def update_store(store: Store, *, actor, **fields) -> Store:
    _require_owner(store.seller, actor)
    changed = _assign(store, fields, {"platform", "name", "platform_store_id", "state"})
    if changed:
        clash = Store.objects.filter(
            seller=store.seller, platform=store.platform, platform_store_id=store.platform_store_id
        ).exclude(pk=store.pk)
        if clash.exists():
            raise ActionRefused(
                _("You already registered this store ID on this platform."),
                field="platform_store_id",
            )
        store.save(update_fields=changed)
    return store


@transaction.atomic
def delete_store(store: Store, *, actor) -> None:
    _require_owner(store.seller, actor)
    store.delete()  # memberships keep their figures; their store link is set to null


# --- grievances ----------------------------------------------------------------------------


@transaction.atomic
def create_grievance(
    *,
    actor,
    platform: Platform,
    category: str,
    title: str,
    summary: str,
    demands: str,
    visibility: str = Grievance.Visibility.PUBLIC,
    infraction_date: date | None = None,
) -> Grievance:
    """Register a grievance; its creator becomes its first organiser."""
    seller = ensure_seller(actor)
    grievance = Grievance.objects.create(
        platform=platform,
        category=category,
        title=title.strip(),
        summary=summary.strip(),
        demands=demands.strip(),
        visibility=visibility,
        infraction_date=infraction_date,
        created_by=seller,
    )
    Membership.objects.create(
        grievance=grievance,
        seller=seller,
        role=Membership.Role.ORGANISER,
        state=Membership.State.VERIFIED,
        verified_at=timezone.now(),
    )
    record_event(grievance, "grievance.created", actor=actor, title=grievance.title)
    return grievance


EDITABLE_GRIEVANCE_FIELDS = {
    "auto_rounds",
    "title",
    "summary",
    "demands",
    "visibility",
    "category",
    "rung",
    "infraction_date",
}


@transaction.atomic
def update_grievance(grievance: Grievance, *, actor, **fields) -> Grievance:
    _require_organiser(grievance, actor)
    changed = _assign(grievance, fields, EDITABLE_GRIEVANCE_FIELDS)
    if changed:
        grievance.save(update_fields=[*changed, "updated_at"])
        record_event(grievance, "grievance.edited", actor=actor, fields=sorted(changed))
    return grievance


GRIEVANCE_MOVES = {
    Grievance.State.OPEN: {Grievance.State.RESOLVED, Grievance.State.CLOSED},
    Grievance.State.RESOLVED: {Grievance.State.OPEN},
    Grievance.State.CLOSED: {Grievance.State.OPEN},
    Grievance.State.MERGED: set(),
}


@transaction.atomic
def set_grievance_state(grievance: Grievance, state: str, *, actor) -> Grievance:
    _require_organiser(grievance, actor)
    if state not in GRIEVANCE_MOVES.get(grievance.state, set()):
        raise ActionRefused(
            _("A grievance that is %(current)s cannot become %(new)s.")
            % {"current": grievance.get_state_display(), "new": Grievance.State(state).label},
            field="state",
        )
    previous = grievance.state
    grievance.state = state
    grievance.save(update_fields=["state", "updated_at"])
    record_event(
        grievance, "grievance.state_changed", actor=actor, **{"from": previous, "to": state}
    )
    return grievance


@transaction.atomic
def hide_grievance(grievance: Grievance, *, actor, reason: str, hidden: bool = True) -> Grievance:
    if not getattr(actor, "is_staff", False):
        raise ActionRefused(_("Only staff can hide a grievance."))
    grievance.hidden = hidden
    grievance.hidden_reason = reason if hidden else ""
    grievance.save(update_fields=["hidden", "hidden_reason", "updated_at"])
    record_event(
        grievance,
        "grievance.hidden" if hidden else "grievance.unhidden",
        actor=actor,
        reason=reason,
    )
    return grievance


@transaction.atomic
def merge_grievances(duplicate: Grievance, *, into: Grievance, actor) -> Grievance:
    """Fold a duplicate coalition into another: its members move (keeping their role), the
    duplicate is marked merged and points at the target; both timelines record it."""
    duplicate, into = _lock_grievances(duplicate, into)
    if duplicate.pk == into.pk:
        raise ActionRefused(_("A grievance cannot be merged into itself."), field="into")
    if not (can_organise(actor, duplicate) and can_organise(actor, into)):
        raise ActionRefused(_("You must organise both grievances to merge them."), field="into")
    if duplicate.state == Grievance.State.MERGED or into.state != Grievance.State.OPEN:
        raise ActionRefused(
            _("Only an open grievance can receive a merge, and only once."), field="into"
        )
    if duplicate.platform_id != into.platform_id:
        raise ActionRefused(_("Both grievances must be about the same platform."), field="into")
    moved = 0
    existing = {m.seller_id: m for m in into.memberships.all()}
    for m in duplicate.memberships.active().select_for_update():
        target = existing.get(m.seller_id)
        if target is None:
            m.grievance = into
            m.save(update_fields=["grievance"])
            moved += 1
        elif not target.is_active:
            _copy_case(m, target)
            m.state = Membership.State.WITHDRAWN
            m.withdrawn_at = timezone.now()
            m.save(update_fields=["state", "withdrawn_at"])
            moved += 1
    duplicate.state = Grievance.State.MERGED
    duplicate.merged_into = into
    duplicate.save(update_fields=["state", "merged_into", "updated_at"])
    record_event(
        duplicate, "grievance.merged_into", actor=actor, into=into.pk, title=into.title, moved=moved
    )
    record_event(
        into,
        "grievance.merged_from",
        actor=actor,
        source=duplicate.pk,
        title=duplicate.title,
        moved=moved,
    )
    return into


def _lock_grievances(a: Grievance, b: Grievance) -> tuple[Grievance, Grievance]:
    # Lock in id order so two merges in opposite directions cannot deadlock.
    locked = {
        g.pk: g for g in Grievance.objects.select_for_update().filter(pk__in=sorted({a.pk, b.pk}))
    }
    return locked[a.pk], locked[b.pk]


def _copy_case(src: Membership, dst: Membership) -> None:
    for f in (
        "role",
        "store",
        "incident_date",
        "amount_withheld",
        "amount_fined",
        "currency",
        "statement",
        "consent_to_name",
    ):
        setattr(dst, f, getattr(src, f))
    dst.state = src.state
    dst.withdrawn_at = None
    dst.save()


# --- membership ----------------------------------------------------------------------------

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
        _assign(existing, case, CASE_FIELDS)
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
    _require_owner(membership.seller, actor)
    _check_case(membership.seller, membership.grievance, case)
    changed = _assign(membership, case, CASE_FIELDS)
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
    _require_organiser(membership.grievance, actor)
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
    _require_organiser(membership.grievance, actor)
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
    _require_owner(membership.seller, actor)
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


# --- helpers -------------------------------------------------------------------------------


def _other_organisers(grievance: Grievance, membership: Membership):
    return grievance.memberships.organisers().exclude(pk=membership.pk).select_for_update()


def _require_owner(seller: Seller, actor) -> None:
    if getattr(actor, "pk", None) != seller.user_id:
        raise ActionRefused(_("You can only change your own details."))


def _require_organiser(grievance: Grievance, actor) -> None:
    if not can_organise(actor, grievance):
        raise ActionRefused(_("Only the grievance's organisers can do this."))


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


def _assign(obj, fields: dict, allowed: set[str]) -> list[str]:
    """Set allowed fields that differ; return the names changed (for update_fields)."""
    changed = []
    for name, value in fields.items():
        if name not in allowed:
            raise TypeError(f"{name} cannot be set here")
        if value is None and name in {"amount_withheld", "amount_fined"}:
            value = Decimal("0")
        if getattr(obj, name) != value:
            setattr(obj, name, value)
            changed.append(name)
    return changed
