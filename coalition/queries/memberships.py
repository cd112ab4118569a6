"""A user's membership in a grievance, who they may see in it, and the figures shown to them."""

from __future__ import annotations

from dataclasses import dataclass, field
from decimal import Decimal

from django.db.models import Count, Q, QuerySet, Sum

from coalition.models import Grievance, Membership
from coalition.queries.sellers import is_staff, seller_of

# Aggregate amounts and store counts are shown to non-organisers only from this many contributors,
# so that no single member's figures can be worked out from the totals.
AGGREGATE_MIN_CONTRIBUTORS = 5


def membership_of(user, grievance: Grievance) -> Membership | None:
    """The user's active membership in this grievance, if any."""
    seller = seller_of(user)
    if seller is None:
        return None
    return (
        Membership.objects.active()
        .filter(grievance=grievance, seller=seller)
        .select_related("store")
        .first()
    )


def can_organise(user, grievance: Grievance, membership: Membership | None = None) -> bool:
    if is_staff(user):
        return True
    membership = membership if membership is not None else membership_of(user, grievance)
    return bool(membership and membership.is_organiser)


def visible_members(user, grievance: Grievance, *, organiser: bool) -> QuerySet[Membership]:
    """Organisers see every active member (with store IDs); members see those who consented to
    be named; everyone else sees nobody."""
    qs = (
        grievance.memberships.active()
        .select_related("seller", "store", "store__platform")
        .order_by("joined_at")
    )
    if organiser:
        return qs
    if membership_of(user, grievance) is None:
        return qs.none()
    return qs.filter(consent_to_name=True)


def organiser_seller_ids(grievance: Grievance) -> set[int]:
    """The sellers who organise this grievance now."""
    return set(grievance.memberships.organisers().values_list("seller_id", flat=True))


def earlier_membership(user, grievance: Grievance) -> Membership | None:
    """The user's membership in any state (someone who left and comes back)."""
    return Membership.objects.filter(grievance=grievance, seller__user=user).first()


@dataclass
class Aggregates:
    member_count: int = 0
    contributor_count: int = 0
    store_count: int = 0
    totals: dict[str, dict[str, Decimal]] = field(
        default_factory=dict
    )  # currency -> withheld/fined
    disclosed: bool = False  # whether store counts and amounts may be shown to this viewer

    @property
    def below_threshold(self) -> bool:
        return self.contributor_count < AGGREGATE_MIN_CONTRIBUTORS


def aggregates(grievance: Grievance, *, organiser: bool) -> Aggregates:
    """Member count always; store count and amounts per currency only when ≥ 5 members
    contributed figures, or to organisers and staff (docs/domain.md, permissions)."""
    active = grievance.memberships.active()
    contributed = Q(store__isnull=False) | Q(amount_withheld__gt=0) | Q(amount_fined__gt=0)
    head = active.aggregate(
        members=Count("id"),
        contributors=Count("id", filter=contributed),
        stores=Count("store", distinct=True),
    )
    result = Aggregates(
        member_count=head["members"],
        contributor_count=head["contributors"],
        store_count=head["stores"],
    )
    result.disclosed = organiser or not result.below_threshold
    if not result.disclosed:
        result.store_count = 0
        return result
    rows = (
        active.filter(Q(amount_withheld__gt=0) | Q(amount_fined__gt=0))
        .values("currency")
        .annotate(withheld=Sum("amount_withheld"), fined=Sum("amount_fined"))
        .order_by("currency")
    )
    result.totals = {r["currency"]: {"withheld": r["withheld"], "fined": r["fined"]} for r in rows}
    return result
