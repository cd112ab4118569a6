"""What worked: a grievance's outcome analytics, and a platform's public scorecard."""

from __future__ import annotations

from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, render

from appeals.pages.analytics import analytics_page
from appeals.pages.scorecards import scorecard_page
from coalition.models import Platform
from coalition.pages.grievances import reachable_grievance, share_key, with_key


def grievance_analytics(request: HttpRequest, pk: int) -> HttpResponse:
    """Anyone who may open the grievance; organisers and staff read exact figures, everyone
    else released ones (docs/privacy.md)."""
    grievance = reachable_grievance(request, pk)
    page = analytics_page(request.user, grievance)
    grievance_url = with_key(grievance.get_absolute_url(), share_key(request))
    return render(request, "appeals/analytics.html", {"page": page, "grievance_url": grievance_url})


def platform_scorecard(request: HttpRequest, slug: str) -> HttpResponse:
    """Public: the platform's record in rounds of public grievances over the last 12 months."""
    platform = get_object_or_404(Platform, slug=slug)
    return render(request, "appeals/platform_scorecard.html", {"page": scorecard_page(platform)})
