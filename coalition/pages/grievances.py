"""The grievance pages' view-models: finding a grievance for a viewer (404 / 403), its share link,
the timeline with names as the viewer may know them, the state buttons, the home page tiles."""

from __future__ import annotations

from typing import Any

from django.core.exceptions import PermissionDenied
from django.db.models import QuerySet
from django.http import HttpRequest
from django.shortcuts import get_object_or_404
from django.utils.http import urlencode
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from coalition.actions.grievances import GRIEVANCE_MOVES
from coalition.categories import Category
from coalition.models import Grievance, Membership
from coalition.queries.grievances import open_counts_by_category, reachable_grievances
from coalition.queries.memberships import can_organise, named_among, organiser_seller_ids
from coalition.queries.sellers import is_staff
from coalition.rules.verbs import describe, round_number

TIMELINE_PREVIEW = 10  # entries on the grievance page; the rest on its timeline page


# One plain sentence per category for the home page's "What happened to you?" tiles.
CATEGORY_HINTS = {
    Category.IP_CLAIM_AGAINST_SELLER: gettext_lazy(
        "A rights owner complained about your listings and the platform took them down or suspended your store."
    ),
    Category.COUNTERFEIT_INFRINGER: gettext_lazy(
        "Other stores copy your products or brand and the platform does nothing."
    ),
    Category.REFUND_DISPUTE: gettext_lazy(
        "Buyers were refunded at your cost without a clear reason."
    ),
    Category.FUNDS_WITHHELD: gettext_lazy("Your payouts are frozen or held back."),
    Category.DUPLICATE_LISTING: gettext_lazy("Your store was suspended for duplicate listings."),
    Category.ACCOUNT_LINKING: gettext_lazy(
        "Your store was tied to another account by device, network or IP, and closed."
    ),
    Category.FULFILMENT_PERFORMANCE: gettext_lazy(
        "Late shipments, refund or fulfilment rates led to a penalty or suspension."
    ),
    Category.OFF_PLATFORM: gettext_lazy("You were accused of steering buyers off the platform."),
    Category.MISLEADING_AUTHORIZATION: gettext_lazy(
        "Your brand authorisation was called false or misleading."
    ),
    Category.POLICY_CHANGE: gettext_lazy("The platform changed its rules without fair notice."),
    Category.OTHER: gettext_lazy("Something else the platform did to you."),
}


def home_tiles(listed: QuerySet[Grievance]) -> list[dict[str, Any]]:
    """The home page's "What happened to you?" tiles: each category with its open grievances."""
    open_counts = open_counts_by_category(listed)
    return [
        {
            "value": c.value,
            "label": c.label,
            "hint": CATEGORY_HINTS.get(c, ""),
            "open": open_counts.get(c.value, 0),
        }
        for c in Category
    ]


def share_key(request: HttpRequest) -> str | None:
    """An unlisted grievance's secret, carried in its share link as ?key=."""
    return request.GET.get("key") or None


def reachable_grievance(request: HttpRequest, pk: int) -> Grievance:
    """The grievance this viewer may open (an unlisted one with its share key), or 404."""
    return get_object_or_404(reachable_grievances(request.user, share_key(request)), pk=pk)


def organised_grievance(request: HttpRequest, pk: int) -> Grievance:
    """The grievance, for its organisers (and staff) only: 404 if unreachable, 403 otherwise."""
    grievance = reachable_grievance(request, pk)
    if not can_organise(request.user, grievance):
        raise PermissionDenied(_("Only the grievance's organisers can do this."))
    return grievance


def with_key(url: str, key: str | None) -> str:
    return f"{url}?{urlencode({'key': key})}" if key else url


def share_url(request: HttpRequest, grievance: Grievance, membership) -> str:
    """Members and staff can pass an unlisted grievance on; its link carries the share key."""
    if grievance.visibility != Grievance.Visibility.UNLISTED:
        return ""
    if membership is None and not is_staff(request.user):
        return ""
    return with_key(request.build_absolute_uri(grievance.get_absolute_url()), grievance.share_key)


def timeline_rows(
    grievance: Grievance, events, *, organiser: bool, member: bool
) -> list[dict[str, Any]]:
    """Events with who did them and the round they are about. Names follow the member list's
    rule (docs/domain.md, permissions): everyone for organisers, consenting members for members;
    anyone else reads "A member" or "An organiser". `events` is one page of the timeline."""
    events = list(events)
    actors = {e.actor_id for e in events if e.actor_id}
    named = named_among(grievance, actors, organiser=organiser) if organiser or member else set()
    organisers = organiser_seller_ids(grievance)
    return [
        {
            "event": e,
            "label": describe(e),
            "actor": _actor_name(e.actor, named, organisers, organiser),
            "round": round_number(e.subject),
        }
        for e in events
    ]


def _actor_name(user, named: set[int], organisers: set[int], organiser: bool) -> str:
    if user is None:
        return _("Coalition")
    seller = getattr(user, "seller", None)
    if seller is not None and (organiser or user.pk in named):
        return seller.display_name
    if seller is not None and seller.pk in organisers:
        return _("An organiser")
    if user.is_staff:
        return _("Coalition staff")
    return _("A member")


def next_states(grievance: Grievance) -> list[dict[str, str]]:
    labels = {
        Grievance.State.RESOLVED: _("Mark resolved"),
        Grievance.State.CLOSED: _("Close"),
        Grievance.State.OPEN: _("Reopen"),
    }
    moves = GRIEVANCE_MOVES.get(grievance.state, set())
    return [{"state": s.value, "label": labels[s]} for s in labels if s in moves]


def member_name(membership: Membership) -> str:
    return membership.seller.display_name
