"""The organiser's board and "my cases": the two overviews across grievances."""

from __future__ import annotations

from typing import Any

from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils import timezone

from appeals.forms.board import BoardFilterForm
from appeals.pages.board import OVERDUE_STATES, board_rows
from appeals.pages.my_cases import CaseItem
from appeals.pages.my_cases import my_cases as my_cases_of
from appeals.queries.clocks import clock_label, clock_of
from appeals.queries.rounds import organised_grievances
from appeals.queries.rounds import standings as standings_of
from coalition.queries.sellers import is_staff

BOARD_PAGE_SIZE = 50


@login_required
def board(request: HttpRequest) -> HttpResponse:
    form = BoardFilterForm(request.GET or None)
    organised = organised_grievances(request.user)
    context: dict[str, Any] = {
        "form": form,
        "organises": bool(organised) or is_staff(request.user),
        "rows": [],
        "now": timezone.now(),
    }
    if form.is_bound and not form.is_valid():
        return render(request, "appeals/board.html", context, status=400)
    filters = form.cleaned_data if form.is_bound else {}
    rows = board_rows(request.user, filters=filters)
    # Ordered by urgency in Python (the clocks), so the page is cut from the ordered list.
    page = Paginator(rows, BOARD_PAGE_SIZE).get_page(request.GET.get("page"))
    with_rounds = {row.grievance.pk for row in rows}
    context.update(
        rows=page.object_list,
        page_obj=page,
        filtered=any(filters.values()),
        # Grievances with no round yet: the board's nudge to draft round 1.
        no_round_yet=[]
        if any(filters.values())
        else [g for g in organised if g.pk not in with_rounds and g.is_open],
        overdue_count=sum(1 for row in rows if row.clock.state in OVERDUE_STATES),
    )
    return render(request, "appeals/board.html", context)


@login_required
def my_cases(request: HttpRequest) -> HttpResponse:
    items = my_cases_of(request.user)
    standings = standings_of(request.user)
    now = timezone.now()
    return render(
        request,
        "appeals/my_cases.html",
        {
            "todo": [item for item in items if item.is_todo],
            "status": [_status_row(item, standings, now) for item in items if not item.is_todo],
        },
    )


def _status_row(item: CaseItem, standings: dict, now) -> dict[str, Any]:
    standing = standings.get(item.grievance.pk)
    row: dict[str, Any] = {"item": item, "membership": standing.membership if standing else None}
    if item.appeal is not None:
        row["clock"] = clock_of(item.appeal, now)
        row["clock_label"] = clock_label(item.appeal, row["clock"])
    return row
