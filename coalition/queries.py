"""Read-side querysets and permission questions for the coalition app (DESIGN.md §5).

Every view and API viewset scopes its queryset with one of these, so "who may see what" lives here.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from decimal import Decimal

from django.db import connection
from django.db.models import Count, IntegerField, OuterRef, Q, QuerySet, Subquery, Sum
from django.db.models.functions import Coalesce

from coalition.models import Grievance, Membership, Platform, Seller, Store

# Aggregate amounts and store counts are shown to non-organisers only from this many contributors,
# so that no single member's figures can be worked out from the totals.
AGGREGATE_MIN_CONTRIBUTORS = 5


def seller_of(user) -> Seller | None:
    if not getattr(user, "is_authenticated", False):
        return None
    try:
        return user.seller
    except Seller.DoesNotExist:
        return None


def is_staff(user) -> bool:
    return bool(getattr(user, "is_authenticated", False) and user.is_staff)


def active_member_count() -> Coalesce:
    """Active members of the outer grievance, as a correlated subquery: one index lookup per row
    shown, instead of a join and GROUP BY over every membership of every grievance."""
    members = (
        Membership.objects.filter(grievance=OuterRef("pk"))
        .exclude(state=Membership.State.WITHDRAWN)
        .order_by()
        .values("grievance")
        .annotate(n=Count("id"))
        .values("n")[:1]
    )
    return Coalesce(Subquery(members, output_field=IntegerField()), 0)


def reachable_grievances(user, key: str | None = None) -> QuerySet[Grievance]:
    """Grievances this user may open: public ones, unlisted ones with their share key (`key`, from
    the link), and any their own membership gives access to; hidden ones only for members and staff."""
    qs = Grievance.objects.select_related("platform")
    if is_staff(user):
        return qs
    by_link = Q(visibility=Grievance.Visibility.PUBLIC)
    if key:
        by_link |= Q(share_key=key)
    reachable = Q(hidden=False) & by_link
    seller = seller_of(user)
    if seller is not None:
        # A subquery, not a join: a join here would also constrain later member-count annotations.
        mine = Membership.objects.active().filter(seller=seller).values("grievance_id")
        reachable |= Q(pk__in=mine)
    return qs.filter(reachable)


def listed_grievances(user) -> QuerySet[Grievance]:
    """Grievances shown in lists and search: public ones, plus unlisted ones the user belongs to."""
    qs = reachable_grievances(user).exclude(state=Grievance.State.MERGED)
    seller = seller_of(user)
    if is_staff(user):
        return qs
    if seller is None:
        return qs.filter(visibility=Grievance.Visibility.PUBLIC)
    mine = Membership.objects.active().filter(seller=seller).values("grievance_id")
    return qs.filter(Q(visibility=Grievance.Visibility.PUBLIC) | Q(pk__in=mine))


def with_member_count(qs: QuerySet[Grievance]) -> QuerySet[Grievance]:
    return qs.annotate(member_count=active_member_count())


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


def own_stores(user) -> QuerySet[Store]:
    seller = seller_of(user)
    if seller is None:
        return Store.objects.none()
    return Store.objects.filter(seller=seller).select_related("platform")


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
    contributed figures, or to organisers and staff (DESIGN.md §5)."""
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


def similar_grievances(
    platform: Platform | int | None, title: str, text: str = "", *, user=None, limit: int = 5
):
    """Open grievances on the same platform that look like this one, best first.

    PostgreSQL: full-text rank plus pg_trgm similarity on the title. Elsewhere (the embedded SQLite
    default) a plainer word match on title and summary.
    """
    title = (title or "").strip()
    if len(title) < 3 or platform is None:
        return []
    qs = listed_grievances(user).filter(state=Grievance.State.OPEN, hidden=False, platform=platform)
    if connection.vendor == "postgresql":
        return list(_similar_postgres(qs, title, text)[:limit])
    return list(_similar_plain(qs, title)[:limit])


def _similar_postgres(qs, title: str, text: str):
    from django.contrib.postgres.search import (
        SearchQuery,
        SearchRank,
        SearchVector,
        TrigramSimilarity,
    )

    # The "english" configuration drops stop words, so "of" in "Unheard-of" cannot match every
    # summary; Chinese text passes through it unstemmed.
    vector = SearchVector("title", weight="A", config="english") + SearchVector(
        "summary", weight="B", config="english"
    )
    words = _significant_words(f"{title} {text}")
    if not words:
        return qs.none()
    query = SearchQuery(" | ".join(words), search_type="raw", config="english")
    return (
        with_member_count(qs)
        .annotate(rank=SearchRank(vector, query), trigram=TrigramSimilarity("title", title))
        .filter(Q(trigram__gt=0.2) | Q(rank__gt=0.05))
        .order_by("-trigram", "-rank", "-created_at")
    )


def _significant_words(text: str) -> list[str]:
    """Words worth matching on, safe to join into a raw tsquery (letters and digits only)."""
    return list(dict.fromkeys(w.lower() for w in re.findall(r"\w{3,}", text)))[:16]


def _similar_plain(qs, title: str):
    words = _significant_words(title)[:8]
    cond = Q()
    for w in words:
        cond |= Q(title__icontains=w) | Q(summary__icontains=w)
    return with_member_count(qs.filter(cond)).order_by("-created_at") if words else qs.none()


def search_grievances(qs: QuerySet[Grievance], q: str) -> QuerySet[Grievance]:
    q = (q or "").strip()
    if not q:
        return qs
    if connection.vendor == "postgresql":
        from django.contrib.postgres.search import SearchQuery, SearchVector

        vector = SearchVector("title", "summary", "demands", config="simple")
        return qs.annotate(_sv=vector).filter(
            Q(_sv=SearchQuery(q, search_type="websearch", config="simple")) | Q(title__icontains=q)
        )
    return qs.filter(Q(title__icontains=q) | Q(summary__icontains=q) | Q(demands__icontains=q))


__all__ = [
    "AGGREGATE_MIN_CONTRIBUTORS",
    "aggregates",
    "can_organise",
    "listed_grievances",
    "membership_of",
    "own_stores",
    "reachable_grievances",
    "search_grievances",
    "seller_of",
    "similar_grievances",
    "visible_members",
    "with_member_count",
]
