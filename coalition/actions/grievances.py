"""Registering, editing, closing, hiding and merging grievances."""

from __future__ import annotations

from datetime import date

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from coalition.actions.guards import assign, require_organiser
from coalition.actions.search import index_grievance
from coalition.actions.sellers import ensure_seller
from coalition.actions.tallies import add_to_tally, reconcile_grievance, refresh_released
from coalition.actions.timeline import record_event
from coalition.errors import ActionRefused
from coalition.models import Grievance, Membership, Platform
from coalition.queries.memberships import can_organise


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
    add_to_tally(grievance.pk, members=1, verified=1)
    refresh_released(grievance)
    index_grievance(grievance)
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
    require_organiser(grievance, actor)
    changed = assign(grievance, fields, EDITABLE_GRIEVANCE_FIELDS)
    if changed:
        grievance.save(update_fields=[*changed, "updated_at"])
        if SEARCHED_FIELDS & set(changed):
            index_grievance(grievance)
        record_event(grievance, "grievance.edited", actor=actor, fields=sorted(changed))
    return grievance


SEARCHED_FIELDS = {"title", "summary", "demands"}  # what the stored search document is made of

GRIEVANCE_MOVES = {
    Grievance.State.OPEN: {Grievance.State.RESOLVED, Grievance.State.CLOSED},
    Grievance.State.RESOLVED: {Grievance.State.OPEN},
    Grievance.State.CLOSED: {Grievance.State.OPEN},
    Grievance.State.MERGED: set(),
}


@transaction.atomic
def set_grievance_state(grievance: Grievance, state: str, *, actor) -> Grievance:
    require_organiser(grievance, actor)
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
    index_grievance(into)  # the duplicate's title now finds the coalition it joined
    reconcile_grievance(duplicate)  # members moved: both recounted (a merge is rare)
    reconcile_grievance(into)
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
