"""Health checks of the caller's own stores, and the grievances that fight the suspensions their
risks lead to."""

from __future__ import annotations

from typing import Any

from django.db.models import QuerySet

from coalition.models import Grievance, HealthCheck
from coalition.queries.grievances import listed_grievances, with_member_count
from coalition.queries.sellers import own_stores
from coalition.rules.thresholds import Risk, matching_categories


def own_health_checks(user: Any) -> QuerySet[HealthCheck]:
    """Health checks of this user's own stores (nobody else's)."""
    return HealthCheck.objects.filter(store__in=own_stores(user))


def matching_grievances(platform: Any, risks: list[Risk], *, user: Any, limit: int = 5) -> QuerySet:
    """Open grievances on the store's platform whose category fights the suspensions these risks
    lead to, biggest first."""
    categories = matching_categories(risks)
    if not categories:
        return Grievance.objects.none()
    qs = listed_grievances(user).filter(
        platform=platform, state=Grievance.State.OPEN, hidden=False, category__in=categories
    )
    return with_member_count(qs).order_by("-member_count", "-created_at")[:limit]


def earlier_check(store: Any, start: Any, end: Any) -> HealthCheck | None:
    """The store's check of exactly this period, if one was saved before."""
    return HealthCheck.objects.filter(store=store, period_start=start, period_end=end).first()
