"""Which grievances a user may open, list and find."""

from __future__ import annotations

import re
from typing import Any

from django.db import connection
from django.db.models import Count, IntegerField, OuterRef, Q, QuerySet, Subquery
from django.db.models.functions import Coalesce

from coalition.models import Grievance, Membership, Platform
from coalition.queries.sellers import is_staff, seller_of


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
    # PostgreSQL only: django.contrib.postgres needs psycopg, which the SQLite default may lack.
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
        # PostgreSQL only, as in _similar_postgres.
        from django.contrib.postgres.search import SearchQuery, SearchVector

        vector = SearchVector("title", "summary", "demands", config="simple")
        return qs.annotate(_sv=vector).filter(
            Q(_sv=SearchQuery(q, search_type="websearch", config="simple")) | Q(title__icontains=q)
        )
    return qs.filter(Q(title__icontains=q) | Q(summary__icontains=q) | Q(demands__icontains=q))


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
