"""Members' own appeals added up: how many were filed, how they ended, what came back.

What came back is members' private data: organisers and staff read the exact sums (`exact=True`);
everyone else reads each currency's cell after the disclosure rule (coalition/rules/disclosure.py,
docs/privacy.md). The counts of appeals filed and of outcomes are shown as they are.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from decimal import Decimal

from django.db.models import QuerySet

from appeals.models import Appeal, Submission
from coalition.models import Grievance, Membership
from coalition.rules.disclosure import Cell, Contribution, release_money_by_currency


@dataclass
class Totals:
    """Members' own appeals: how many were filed, how they ended, what came back per currency."""

    filed: int = 0
    outcomes: dict[str, int] = field(default_factory=dict)
    recovered: list[Cell] = field(default_factory=list)  # one per currency, sorted by code
    exact: bool = False  # the cells are organisers' exact sums, not released figures

    @property
    def pending(self) -> int:
        return self.outcomes.get(Submission.Outcome.PENDING, 0)

    @property
    def outcome_rows(self) -> list[tuple[str, str, int]]:
        """(value, label, count) for every outcome with at least one appeal, in choice order."""
        return [
            (v, str(label), self.outcomes[v])
            for v, label in Submission.Outcome.choices
            if self.outcomes.get(v)
        ]

    def recovered_in(self, currency: str) -> Cell | None:
        return next((c for c in self.recovered if c.currency == currency), None)


def _totals(qs: QuerySet[Submission], *, exact: bool) -> Totals:
    rows = list(
        qs.order_by().values(
            "membership_id", "membership__state", "outcome", "currency", "amount_recovered"
        )
    )
    totals = Totals(filed=len(rows), exact=exact)
    for r in rows:
        totals.outcomes[r["outcome"]] = totals.outcomes.get(r["outcome"], 0) + 1
    with_money = [r for r in rows if r["amount_recovered"]]
    if exact:
        sums: dict[str, Decimal] = {}
        for r in with_money:
            sums[r["currency"]] = sums.get(r["currency"], Decimal(0)) + r["amount_recovered"]
        contributors = {
            code: len({r["membership_id"] for r in with_money if r["currency"] == code})
            for code in sums
        }
        totals.recovered = [
            Cell(True, sums[code], contributors[code], code) for code in sorted(sums)
        ]
    else:
        cells = release_money_by_currency(
            Contribution(
                r["membership_id"],
                r["amount_recovered"],
                r["membership__state"] == Membership.State.VERIFIED,
                r["currency"],
            )
            for r in with_money
        )
        totals.recovered = list(cells.values())
    return totals


def round_totals(appeal: Appeal, *, exact: bool) -> Totals:
    return _totals(Submission.objects.filter(appeal=appeal), exact=exact)


def grievance_totals(grievance: Grievance, *, exact: bool) -> Totals:
    return _totals(Submission.objects.filter(appeal__grievance=grievance), exact=exact)
