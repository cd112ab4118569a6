"""Which grievances a user may open, list and find."""

from __future__ import annotations

from typing import Any

from django.db.models import Count, IntegerField, OuterRef, Q, QuerySet, Subquery
from django.db.models.functions import Coalesce

from coalition.models import Grievance, Membership, Platform
from coalition.queries.search import search_grievances
from coalition.queries.sellers import is_staff, seller_of
from coalition.queries.tallies import kept_member_count


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
    """Each grievance's active members, from its kept counters (coalition/queries/tallies.py):
    a few rows per grievance whatever its size, not a count over its memberships."""
    return qs.annotate(member_count=kept_member_count())


def merge_candidates(user, grievance: Grievance) -> QuerySet[Grievance]:
    """Open grievances on the same platform that this user organises too (staff: all)."""
    qs = Grievance.objects.filter(
        platform_id=grievance.platform_id, state=Grievance.State.OPEN, hidden=False
    )
    qs = qs.exclude(pk=grievance.pk)
    if not is_staff(user):
        seller = seller_of(user)
        qs = qs.filter(
            pk__in=Membership.objects.organisers().filter(seller=seller).values("grievance_id")
        )
    return with_member_count(qs).order_by("title")


def similar_grievances(
    platform: Platform | int | None, title: str, text: str = "", *, user=None, limit: int = 5
):
    """Open grievances on the same platform that look like this one, best first: the one search
    (coalition/queries/search.py) on the title being typed. `text` (the summary) is not matched:
    any shared summary word would make every grievance look similar."""
    title = (title or "").strip()
    if len(title) < 3 or platform is None:
        return []
    qs = listed_grievances(user).filter(state=Grievance.State.OPEN, hidden=False, platform=platform)
    return list(with_member_count(search_grievances(qs, title))[:limit])


def filtered_grievances(qs: QuerySet[Grievance], filters: dict[str, Any]) -> QuerySet[Grievance]:
    """The grievance list's filters (platform, category, state) and its search words."""
    if filters.get("platform"):
        qs = qs.filter(platform=filters["platform"])
    if filters.get("category"):
        qs = qs.filter(category=filters["category"])
    if filters.get("state"):
        qs = qs.filter(state=filters["state"])
    return search_grievances(qs, filters.get("q", ""))


def open_counts_by_category(qs: QuerySet[Grievance]) -> dict[str, int]:
    """How many of these grievances there are per category."""
    return dict(qs.order_by().values_list("category").annotate(n=Count("id")))
