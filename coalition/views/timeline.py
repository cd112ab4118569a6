"""A grievance's whole timeline, paginated and filterable by round and kind; the grievance page
shows only its latest entries."""

from __future__ import annotations

from django.core.paginator import Paginator
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render

from coalition.forms.timeline import TimelineFilterForm
from coalition.pages.grievances import reachable_grievance, timeline_rows
from coalition.queries.memberships import can_organise, membership_of
from coalition.queries.timeline import filtered_timeline

PAGE_SIZE = 50


def grievance_timeline(request: HttpRequest, pk: int) -> HttpResponse:
    grievance = reachable_grievance(request, pk)
    membership = membership_of(request.user, grievance)
    organiser = can_organise(request.user, grievance, membership)
    form = TimelineFilterForm(request.GET or None)
    context = {"grievance": grievance, "form": form, "events": [], "page_obj": None}
    if form.is_bound and not form.is_valid():
        # A bad filter is the visitor's mistake: say which, never show the unfiltered timeline.
        return render(request, "coalition/timeline.html", context, status=400)
    data = form.cleaned_data if form.is_bound else {}
    events = filtered_timeline(
        grievance, round_number=data.get("round"), kind=data.get("kind") or ""
    )
    page = Paginator(events, PAGE_SIZE).get_page(request.GET.get("page"))
    context["page_obj"] = page
    context["events"] = timeline_rows(
        grievance, page.object_list, organiser=organiser, member=membership is not None
    )
    return render(request, "coalition/timeline.html", context)
