"""The escalation ladder above the rounds, as a pure rule: which rungs a platform's legal regimes
open, what each needs first, and the windows and clocks each runs on (dates from
appeals/deadlines.py).

Rounds are the first rung. Above them:

| rung | opened by | needs first | window / clock |
|---|---|---|---|
| internal complaint | P2B Art. 11, DSA Art. 20 | a round the platform received | DSA: at least 6 months from the decision (Art. 20(1)) |
| mediation | P2B Art. 12 | the internal complaint | — |
| out-of-court settlement | DSA Art. 21 | the internal complaint | the body decides within 90 days, up to 180 (Art. 21(4)) |
| authority | DSA Art. 53 (Digital Services Coordinator), FTC Act s. 5, PRC E-Commerce Law Art. 60 (12315 / SAMR) | a round the platform received | — |
| representative action | P2B Art. 14 | the internal complaint | — |

P2B rungs exist only where P2B applies, i.e. for a grievance with a verified seller established in
the EU (coalition/rules/jurisdictions.py): the caller passes the regimes that apply. Nothing here
touches the database (docs/domain.md "Letters, legal regimes and the ladder").
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import date
from typing import Literal

from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _

from appeals import deadlines

ROUNDS = "platform_appeal"
INTERNAL_COMPLAINT = "internal_complaint"
MEDIATION = "mediation"
OUT_OF_COURT = "out_of_court"
REGULATOR = "regulator"
REPRESENTATIVE_ACTION = "representative_action"

# Reminders to organisers before a window closes, in days.
REMINDER_DAYS_BEFORE = (14, 3)

RungState = Literal["climbed", "open", "locked", "closed", "not_applicable"]


@dataclass(frozen=True)
class Basis:
    regime: str
    citation: str | Promise
    body: str | Promise = ""  # where to turn, e.g. "the FTC"


@dataclass(frozen=True)
class Rung:
    key: str
    label: str | Promise
    bases: tuple[Basis, ...]
    needs: str  # ROUNDS or another rung's key


RUNGS: tuple[Rung, ...] = (
    Rung(
        INTERNAL_COMPLAINT,
        _("Internal complaint"),
        (
            Basis("eu_p2b", _("EU P2B Regulation 2019/1150, Art. 11")),
            Basis("eu_dsa", _("EU Digital Services Act 2022/2065, Art. 20")),
        ),
        ROUNDS,
    ),
    Rung(
        MEDIATION,
        _("Mediation"),
        (
            Basis(
                "eu_p2b",
                _("EU P2B Regulation 2019/1150, Art. 12"),
                _("a mediator named in the platform's terms"),
            ),
        ),
        INTERNAL_COMPLAINT,
    ),
    Rung(
        OUT_OF_COURT,
        _("Out-of-court settlement"),
        (
            Basis(
                "eu_dsa",
                _("EU Digital Services Act 2022/2065, Art. 21"),
                _("a certified out-of-court dispute settlement body"),
            ),
        ),
        INTERNAL_COMPLAINT,
    ),
    Rung(
        REGULATOR,
        _("Complaint to an authority"),
        (
            Basis(
                "eu_dsa",
                _("EU Digital Services Act 2022/2065, Art. 53"),
                _("the Digital Services Coordinator"),
            ),
            Basis("us_ftc", _("US FTC Act, Section 5"), _("the Federal Trade Commission")),
            Basis(
                "cn_ecommerce",
                _("PRC E-Commerce Law, Art. 60"),
                _("the market regulator (12315 / SAMR)"),
            ),
        ),
        ROUNDS,
    ),
    Rung(
        REPRESENTATIVE_ACTION,
        _("Representative action"),
        (
            Basis(
                "eu_p2b",
                _("EU P2B Regulation 2019/1150, Art. 14"),
                _("a representative organisation or public body"),
            ),
        ),
        INTERNAL_COMPLAINT,
    ),
)
BY_KEY = {rung.key: rung for rung in RUNGS}


@dataclass(frozen=True)
class RungStatus:
    rung: Rung
    state: RungState
    bases: tuple[Basis, ...] = ()
    window_closes: date | None = None  # the last day to climb, where a law sets one
    needs: str = ""  # when locked: ROUNDS or the rung to climb first
    reminders: tuple[date, ...] = field(default=())

    @property
    def key(self) -> str:
        return self.rung.key


def ladder(
    regimes: Iterable[str],
    *,
    rounds_received: int,
    climbed: Iterable[str],
    decision: date | None,
    today: date,
    profile: deadlines.ClockProfile,
) -> list[RungStatus]:
    """Every rung above the rounds and where it stands for a grievance today."""
    regimes, done = set(regimes), set(climbed)
    statuses = []
    for rung in RUNGS:
        bases = tuple(b for b in rung.bases if b.regime in regimes)
        if not bases:
            statuses.append(RungStatus(rung, "not_applicable"))
            continue
        if rung.key in done:
            statuses.append(RungStatus(rung, "climbed", bases))
            continue
        closes = window_closes(rung.key, regimes, decision, profile)
        met = rounds_received > 0 if rung.needs == ROUNDS else rung.needs in done
        if closes is not None and today > closes:
            state: RungState = "closed"
        else:
            state = "open" if met else "locked"
        reminders = tuple(reminder_dates(closes)) if closes is not None else ()
        statuses.append(
            RungStatus(rung, state, bases, closes, "" if met else rung.needs, reminders)
        )
    return statuses


def window_closes(
    key: str, regimes: set[str], decision: date | None, profile: deadlines.ClockProfile
) -> date | None:
    """The last day a rung can be climbed, or None where no law sets one.

    The internal complaint under the DSA: at least six months after the decision (Art. 20(1)).
    Under P2B alone (no DSA) no window is set, so none is shown."""
    if key == INTERNAL_COMPLAINT and "eu_dsa" in regimes and decision is not None:
        return deadlines.dsa_complaint_window_closes(decision, profile)
    return None


def decision_due(
    key: str, filed: date, profile: deadlines.ClockProfile
) -> tuple[date | None, date | None]:
    """A climbed rung's own clock: (due, due at the latest). Out-of-court settlement: 90 days, up
    to 180 for highly complex disputes (DSA Art. 21(4)); the others set none."""
    if key == OUT_OF_COURT:
        return (
            deadlines.dsa_settlement_decision_due(filed, profile),
            deadlines.dsa_settlement_decision_due(filed, profile, complex=True),
        )
    return None, None


def reminder_dates(closes: date) -> list[date]:
    return [date.fromordinal(closes.toordinal() - days) for days in REMINDER_DAYS_BEFORE]


def current(climbed_in_order: list[str]) -> str:
    """The rung the grievance stands on: the last one climbed, else the rounds."""
    return climbed_in_order[-1] if climbed_in_order else ROUNDS
