"""View-model of a round's organiser page: who looks after it and the organisers' internal notes
(never shown to members or the platform), and of an organiser's calendar feed."""

from __future__ import annotations

from django.core.exceptions import PermissionDenied
from django.utils.translation import gettext as _

from appeals.models import Appeal, RoundNote
from appeals.queries.rounds import organisers_of, reachable_round
from coalition.queries.memberships import can_organise


def organised_round(user, pk: int) -> Appeal:
    """The round for its grievance's organisers and staff: 404 for those who may not know it
    exists, 403 for its members."""
    appeal = reachable_round(user, pk)
    if not can_organise(user, appeal.grievance):
        raise PermissionDenied(_("Only the grievance's organisers can do this."))
    return appeal


def round_notes(appeal: Appeal) -> list[RoundNote]:
    return list(appeal.organiser_notes.select_related("author__seller"))


def round_organisers(appeal: Appeal) -> list:
    return [m for m in organisers_of(appeal) if hasattr(m.seller, "user")]


def current_assignee(appeal: Appeal) -> int | None:
    # A reverse one-to-one with no row raises RelatedObjectDoesNotExist, an AttributeError.
    assignment = getattr(appeal, "assignment", None)
    return assignment.assignee_id if assignment else None
