"""The organiser's board and "my cases": the two overviews across grievances."""

from __future__ import annotations

from typing import Any

from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils import timezone

from appeals.pages.board import board_rows
from appeals.pages.my_cases import CaseItem
from appeals.pages.my_cases import my_cases as my_cases_of
from appeals.queries.clocks import clock_label, clock_of
from appeals.queries.rounds import organised_grievances
from appeals.queries.rounds import standings as standings_of
from coalition.queries.sellers import is_staff


@login_required
def board(request: HttpRequest) -> HttpResponse:
    rows = board_rows(request.user)
    organised = organised_grievances(request.user)
    with_rounds = {row.grievance.pk for row in rows}
    return render(
        request,
        "appeals/board.html",
        {
            "rows": rows,
            "organises": bool(organised) or is_staff(request.user),
            # Grievances with no round yet: the board's nudge to draft round 1.
            "no_round_yet": [g for g in organised if g.pk not in with_rounds and g.is_open],
            "overdue_count": sum(
                1 for row in rows if row.clock.state in {"overdue", "very_overdue"}
            ),
            "now": timezone.now(),
        },
    )


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
