"""A grievance's kept counters and released figures, read without summing its members.

The counters (coalition/models/tallies.py) and `Grievance.released_figures` are written by the
membership actions (coalition/actions/tallies.py) and checked by `manage.py reconcile`.
"""

from __future__ import annotations

from decimal import Decimal

from django.db.models import IntegerField, OuterRef, Subquery, Sum
from django.db.models.functions import Coalesce

from coalition.models import Grievance, GrievanceTally, Membership
from coalition.queries.memberships import Aggregates, CurrencyFigures, aggregates
from coalition.rules.disclosure import Cell


def kept_member_count() -> Coalesce:
    """The outer grievance's active members from its few counter rows, not its memberships."""
    total = (
        GrievanceTally.objects.filter(grievance=OuterRef("pk"))
        .order_by()
        .values("grievance")
        .annotate(n=Sum("members"))
        .values("n")[:1]
    )
    return Coalesce(Subquery(total, output_field=IntegerField()), 0)


def kept_counts(grievance: Grievance | int) -> dict[str, int]:
    """members, verified and stores (active memberships naming one), summed over the shards."""
    sums = GrievanceTally.objects.filter(grievance=grievance).aggregate(
        members=Sum("members"), verified=Sum("verified"), stores=Sum("stores")
    )
    return {k: v or 0 for k, v in sums.items()}


def recounted(grievance: Grievance | int) -> dict[str, int]:
    """The same three counts counted from the memberships (what `reconcile` compares with)."""
    active = Membership.objects.active().filter(grievance=grievance)
    return {
        "members": active.count(),
        "verified": active.filter(state=Membership.State.VERIFIED).count(),
        "stores": active.filter(store__isnull=False).count(),
    }


def public_aggregates(grievance: Grievance) -> Aggregates:
    """What anyone but organisers reads: the stored released figures with the kept counts, in
    one small query. Before anything was stored it falls back to computing them."""
    stored = grievance.released_figures
    if not stored:
        return aggregates(grievance, organiser=False)
    counts = kept_counts(grievance)
    return Aggregates(
        member_count=counts["members"],
        verified_count=counts["verified"],
        contributor_count=stored["contributor_count"],
        stores=_cell(stored["stores"]),
        currencies=[
            CurrencyFigures(row["currency"], _cell(row["withheld"]), _cell(row["fined"]))
            for row in stored["currencies"]
        ],
    )


def figures_to_store(public: Aggregates) -> dict:
    """The released part of `aggregates(..., organiser=False)` as `released_figures` keeps it."""
    return {
        "contributor_count": public.contributor_count,
        "stores": _cell_data(public.stores),
        "currencies": [
            {
                "currency": row.currency,
                "withheld": _cell_data(row.withheld),
                "fined": _cell_data(row.fined),
            }
            for row in public.currencies
        ],
    }


def _cell_data(cell: Cell) -> list:
    value = None if cell.value is None else str(cell.value)
    return [cell.released, value, cell.contributors, cell.currency, cell.suppressed_because]


def _cell(data: list) -> Cell:
    released, value, contributors, currency, why = data
    if value is not None:
        value = Decimal(value) if currency else int(value)
    return Cell(released, value, contributors, currency, why)
