"""The rounds section of coalition's grievance page: coalition never imports appeals, so appeals
adds its rounds to that page through coalition's section hook (AppealsConfig.ready)."""

from __future__ import annotations

from typing import Any

from django.http import HttpRequest
from django.utils import timezone

from appeals import states
from appeals.models import Appeal
from appeals.queries.clocks import clock_label, clock_of, legal_windows_for
from appeals.queries.rounds import rounds_for
from appeals.queries.totals import grievance_totals
from appeals.views.announcements import grievance_announcement_section
from appeals.views.ladder import grievance_ladder_section
from coalition.models import Grievance, Membership
from coalition.pages.sections import register_grievance_section

S = Appeal.State


def grievance_rounds_section(
    request: HttpRequest, *, grievance: Grievance, membership: Membership | None, organiser: bool
) -> dict[str, Any]:
    """Context for templates/appeals/_grievance_rounds.html on the grievance page."""
    now = timezone.now()
    rounds = list(rounds_for(request.user, grievance))
    rows = []
    for appeal in rounds:
        clock = clock_of(appeal, now)
        rows.append({"appeal": appeal, "clock": clock, "clock_label": clock_label(appeal, clock)})
    return {
        "round_rows": rows,
        "rounds_insider": organiser or membership is not None,
        "can_draft": organiser and grievance.is_open and _next_round_allowed(rounds, now),
        "next_number": (rounds[-1].number + 1) if rounds else 1,
        "appeal_totals": grievance_totals(grievance, exact=organiser) if rounds else None,
        "windows": [
            {"window": w, "passed": w.closes < timezone.localdate()}
            for w in legal_windows_for(grievance)
        ],
    }


def _next_round_allowed(rounds: list[Appeal], now) -> bool:
    """Whether to offer "draft the next round": a private mirror of the rule in
    appeals.actions.drafting.draft_round (which stays the judge and explains a refusal)."""
    if not rounds:
        return True
    if rounds[-1].state in states.UNSENT_STATES:
        return False
    sent = [r for r in rounds if r.state != S.WITHDRAWN]
    if not sent:
        return True
    return states.calls_for_next_round(sent[-1], now)


def register_grievance_sections() -> None:
    """Called from AppealsConfig.ready(): coalition never imports appeals, so appeals adds its
    rounds to the grievance page through coalition's section hook. Registering twice is harmless."""
    register_grievance_section("appeals/_grievance_rounds.html", grievance_rounds_section, order=10)
    register_grievance_section("appeals/_ladder.html", grievance_ladder_section, order=11)
    register_grievance_section(
        "appeals/_grievance_announcement.html", grievance_announcement_section, order=5
    )
