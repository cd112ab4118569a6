"""The escalation ladder of one grievance as pages and the API show it: the current rung, every
rung's state with its window, and what the next one needs (rules in appeals/ladder.py)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from django.utils import timezone

from appeals import ladder
from appeals.models import Appeal, Climb
from appeals.queries.clocks import regimes_for
from coalition.models import Grievance


@dataclass(frozen=True)
class Ladder:
    grievance: Grievance
    current: str
    rungs: list[ladder.RungStatus]
    climbs: list[Climb]
    rounds_received: int
    decision: date | None

    @property
    def next_rung(self) -> ladder.RungStatus | None:
        """The first rung not yet climbed that applies (open first, else locked)."""
        for state in ("open", "locked"):
            for status in self.rungs:
                if status.state == state:
                    return status
        return None

    def status(self, key: str) -> ladder.RungStatus | None:
        return next((s for s in self.rungs if s.key == key), None)


def decision_date(grievance: Grievance, rounds: list[Appeal]) -> date | None:
    """The platform's decision the legal windows count from: its last answer to a round (a
    rejection or partial grant), else the date of its action on the grievance."""
    answered = [r for r in rounds if r.responded_at and r.outcome in {"rejected", "partial"}]
    if answered:
        return timezone.localtime(max(r.responded_at for r in answered)).date()
    return grievance.infraction_date


def ladder_for(grievance: Grievance, today: date | None = None) -> Ladder:
    rounds = list(grievance.rounds.filter(submitted_at__isnull=False))
    climbs = list(grievance.climbs.order_by("started_at", "pk"))
    decision = decision_date(grievance, rounds)
    rungs = ladder.ladder(
        regimes_for(grievance),
        rounds_received=len(rounds),
        climbed=[c.rung for c in climbs],
        decision=decision,
        today=today or timezone.localdate(),
        profile=grievance.platform,
    )
    return Ladder(
        grievance,
        ladder.current([c.rung for c in climbs]),
        rungs,
        climbs,
        len(rounds),
        decision,
    )
