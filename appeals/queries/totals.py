"""Members' own appeals added up: how many were filed, how they ended, what came back."""

from __future__ import annotations

from dataclasses import dataclass, field
from decimal import Decimal

from django.db.models import Count, QuerySet, Sum

from appeals.models import Appeal, Submission
from coalition.models import Grievance


@dataclass
class Totals:
    """Members' own appeals: how many were filed, how they ended, what came back per currency."""

    filed: int = 0
    outcomes: dict[str, int] = field(default_factory=dict)
    recovered: dict[str, Decimal] = field(default_factory=dict)

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


def _totals(qs: QuerySet[Submission]) -> Totals:
    rows = (
        qs.order_by()
        .values("outcome", "currency")
        .annotate(n=Count("id"), amount=Sum("amount_recovered"))
    )
    return _totals_from_rows(rows)


def _totals_from_rows(rows) -> Totals:
    totals = Totals()
    for r in rows:
        totals.filed += r["n"]
        totals.outcomes[r["outcome"]] = totals.outcomes.get(r["outcome"], 0) + r["n"]
        if r["amount"]:
            totals.recovered[r["currency"]] = (
                totals.recovered.get(r["currency"], Decimal("0")) + r["amount"]
            )
    totals.recovered = dict(sorted(totals.recovered.items()))
    return totals


def round_totals(appeal: Appeal) -> Totals:
    return _totals(Submission.objects.filter(appeal=appeal))


def grievance_totals(grievance: Grievance) -> Totals:
    return _totals(Submission.objects.filter(appeal__grievance=grievance))
