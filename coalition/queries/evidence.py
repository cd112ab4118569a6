"""Who may see which evidence (docs/domain.md, permissions), the per-category checklists, and the
custody log.

Organisers and staff see every file of the grievance; a member sees their own files and the
"all members" files of others; everyone else sees none. A member who left still sees (and may
withdraw) the files they brought: they remain theirs.
"""

from __future__ import annotations

from dataclasses import dataclass

from django.db.models import Count, Q, QuerySet
from django.utils.translation import gettext as _

from coalition.categories import CHECKLISTS, EvidenceKind
from coalition.models import AuditEvent, Evidence, Grievance, Membership
from coalition.queries.sellers import is_staff, seller_of


@dataclass(frozen=True)
class Viewer:
    """One user's standing towards a grievance's evidence, looked up once per request."""

    membership: Membership | None  # in any state: a member who left still owns their files
    organiser: bool  # organisers and staff

    @property
    def active_member(self) -> bool:
        return self.membership is not None and self.membership.is_active

    def owns(self, evidence: Evidence) -> bool:
        return self.membership is not None and evidence.membership_id == self.membership.pk

    def may_see_log(self, evidence: Evidence) -> bool:
        return self.organiser or self.owns(evidence)


def viewer_of(user, grievance: Grievance) -> Viewer:
    seller = seller_of(user)
    membership = (
        Membership.objects.filter(grievance=grievance, seller=seller)
        .select_related("seller")
        .first()
        if seller is not None
        else None
    )
    organiser = is_staff(user) or bool(membership and membership.is_organiser)
    return Viewer(membership=membership, organiser=organiser)


def visible_evidence(
    user, grievance: Grievance, *, include_withdrawn: bool = False, viewer: Viewer | None = None
) -> QuerySet[Evidence]:
    """The grievance's evidence this user may see, newest first. Withdrawn rows (no file, the
    hash and log kept) only with include_withdrawn, and only to organisers and their owner."""
    viewer = viewer or viewer_of(user, grievance)
    qs = Evidence.objects.filter(grievance=grievance).select_related(
        "membership__seller", "redacted_of"
    )
    live = Q(withdrawn_at__isnull=True)
    if viewer.organiser:
        return qs if include_withdrawn else qs.filter(live)
    if viewer.membership is None:
        return qs.none()
    own = Q(membership=viewer.membership)
    if not include_withdrawn:
        own &= live
    if not viewer.active_member:
        return qs.filter(own)
    return qs.filter(own | (live & Q(visibility=Evidence.Visibility.MEMBERS)))


def own_live_evidence(viewer: Viewer):
    """The viewer's own files still in the grievance (what a redacted copy may be of)."""
    if not viewer.active_member:
        return None
    return Evidence.objects.filter(
        membership=viewer.membership, withdrawn_at__isnull=True
    ).order_by("-uploaded_at")


def uploader_name(evidence: Evidence, viewer: Viewer) -> str:
    """Who brought a file, as this viewer may know it: organisers see every name, members the
    names of those who consented to be named."""
    if viewer.owns(evidence):
        return _("You")
    if viewer.organiser or evidence.membership.consent_to_name:
        return evidence.membership.seller.display_name
    return _("A member")


def custody_log(evidence: Evidence) -> QuerySet[AuditEvent]:
    """Every upload, view, download, withdrawal and visibility change of one file, oldest first."""
    return (
        AuditEvent.objects.filter(
            grievance_id=evidence.grievance_id, subject=f"evidence:{evidence.pk}"
        )
        .select_related("actor__seller")
        .order_by("created_at", "id")
    )


def named_in_log(grievance_id: int, actor_ids: set[int]) -> set[int]:
    """Users among `actor_ids` whose names the custody log shows to members: organisers and
    members who consented to be named (the member list's rule)."""
    return set(
        Membership.objects.filter(grievance_id=grievance_id, seller__user_id__in=actor_ids)
        .filter(Q(role=Membership.Role.ORGANISER) | Q(consent_to_name=True))
        .values_list("seller__user_id", flat=True)
    )


# --- checklists ----------------------------------------------------------------------------


@dataclass(frozen=True)
class ChecklistItem:
    kind: str
    label: str
    members_with: int | None  # members with at least one live file of this kind; None: not shown
    mine: bool | None  # the viewer's own case has one; None: the viewer has no case here

    @property
    def state(self) -> str:
        return {True: "done", False: "missing"}.get(self.mine, "expected")


@dataclass(frozen=True)
class Checklist:
    grievance_id: int
    items: list[ChecklistItem]
    member_count: int | None  # None when counts are not shown to this viewer
    has_case: bool

    @property
    def show_counts(self) -> bool:
        return self.member_count is not None

    @property
    def done_count(self) -> int:
        return sum(1 for item in self.items if item.mine)

    @property
    def missing(self) -> list[ChecklistItem]:
        return [item for item in self.items if item.mine is False]

    @property
    def complete(self) -> bool:
        return self.has_case and not self.missing


def checklist_status(
    grievance: Grievance, viewer=None, *, organiser: bool | None = None
) -> Checklist:
    """The category's expected evidence kinds: done / missing for the viewer's own case, and how
    many members have each kind (for members and organisers). One query, whatever the size.

    `viewer` is a Membership (the page already has it), a User, or None (anonymous). Pass
    `organiser=True` for staff or an organiser when the membership alone does not say so.
    """
    membership, organiser = _checklist_viewer(grievance, viewer, organiser)
    kinds = CHECKLISTS.get(grievance.category, ())
    if membership is None and not organiser:
        items = [ChecklistItem(k, EvidenceKind(k).label, None, None) for k in kinds]
        return Checklist(grievance.pk, items, None, False)
    live = Q(evidence__withdrawn_at__isnull=True)
    counts = {"members": Count("id", distinct=True)}
    for i, kind in enumerate(kinds):
        counts[f"n{i}"] = Count("id", filter=live & Q(evidence__kind=kind), distinct=True)
        if membership is not None:
            counts[f"m{i}"] = Count(
                "id", filter=live & Q(evidence__kind=kind, pk=membership.pk), distinct=True
            )
    row = grievance.memberships.active().aggregate(**counts)
    items = [
        ChecklistItem(
            k, EvidenceKind(k).label, row[f"n{i}"], bool(row[f"m{i}"]) if membership else None
        )
        for i, k in enumerate(kinds)
    ]
    return Checklist(grievance.pk, items, row["members"], membership is not None)


def _checklist_viewer(
    grievance: Grievance, viewer, organiser: bool | None
) -> tuple[Membership | None, bool]:
    if isinstance(viewer, Membership):
        membership = viewer if viewer.is_active and viewer.grievance_id == grievance.pk else None
        return membership, bool(organiser) or bool(membership and membership.is_organiser)
    if isinstance(viewer, Viewer):
        membership = viewer.membership if viewer.active_member else None
        return membership, viewer.organiser
    seller = seller_of(viewer)
    membership = (
        Membership.objects.active().filter(grievance=grievance, seller=seller).first()
        if seller is not None
        else None
    )
    staff_or_organiser = is_staff(viewer) or bool(membership and membership.is_organiser)
    return membership, bool(organiser) or staff_or_organiser


def kinds_by_member(grievance: Grievance) -> dict[int, set[str]]:
    """Each member's live evidence kinds (membership id -> kinds), for an organiser's member list
    showing every case's checklist. One query."""
    found: dict[int, set[str]] = {}
    rows = (
        Evidence.objects.filter(grievance=grievance, withdrawn_at__isnull=True)
        .order_by()  # the model's ordering would otherwise defeat DISTINCT
        .values_list("membership_id", "kind")
        .distinct()
    )
    for membership_id, kind in rows:
        found.setdefault(membership_id, set()).add(kind)
    return found
