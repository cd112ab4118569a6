"""Figures derived from members' private data, as the API gives them: one shape for every viewer.

A figure is a cell (coalition/rules/disclosure.py): `released`, `value` (a string, null when
hidden), `currency` (null for counts) and `text`, what the page prints. Non-organisers get the
cell after the disclosure rule (docs/privacy.md); organisers and staff get exact values
(`exact: true`) and, in `public`, what everyone else reads.

Schema texts (help_text) are English only, as the rest of the API's: they are for developers.
"""

from __future__ import annotations

from rest_framework import serializers

from coalition.queries.memberships import Aggregates
from coalition.rules.disclosure import Cell, public_data
from coalition.rules.money import format_amount, format_money, is_active_currency


def cell_data(cell: Cell, *, exact: bool) -> dict:
    """The API form of a cell. `exact` cells are organisers' figures, said exactly."""
    if not exact:
        return public_data(cell)
    if cell.currency is None:
        text = format_amount(cell.value or 0)
    elif is_active_currency(cell.currency):
        text = format_money(cell.value or 0, cell.currency)
    else:
        text = f"{cell.value} {cell.currency}"
    return {
        "released": True,
        "value": None if cell.value is None else str(cell.value),
        "currency": cell.currency,
        "text": text,
    }


class CellSerializer(serializers.Serializer):
    released = serializers.BooleanField(
        help_text="False when the figure is hidden to protect members; `text` says why."
    )
    value = serializers.CharField(
        allow_null=True, help_text="The figure (rounded unless you organise); null when hidden."
    )
    currency = serializers.CharField(allow_null=True, help_text="ISO 4217 code; null for counts.")
    text = serializers.CharField(help_text="The figure as the page says it, or why it is hidden.")


class CurrencyFiguresSerializer(serializers.Serializer):
    currency = serializers.CharField()
    withheld = CellSerializer()
    fined = CellSerializer()


class PublicAggregatesSerializer(serializers.Serializer):
    stores = CellSerializer()
    currencies = CurrencyFiguresSerializer(many=True)


class AggregatesSerializer(serializers.Serializer):
    """Member counts are exact for everyone; the store count and the amounts go through the
    disclosure rule unless you organise (`exact`)."""

    member_count = serializers.IntegerField()
    verified_count = serializers.IntegerField()
    exact = serializers.BooleanField()
    disclosed = serializers.BooleanField()
    contributor_count = serializers.IntegerField(
        allow_null=True, help_text="Organisers only: verified members who shared an amount."
    )
    stores = CellSerializer()
    currencies = CurrencyFiguresSerializer(many=True)
    public = PublicAggregatesSerializer(
        allow_null=True, help_text="Organisers only: what everyone else reads."
    )

    def to_representation(self, instance: Aggregates) -> dict:
        return aggregates_data(instance)


def _figures(agg: Aggregates) -> dict:
    return {
        "stores": cell_data(agg.stores, exact=agg.exact),
        "currencies": [
            {
                "currency": row.currency,
                "withheld": cell_data(row.withheld, exact=agg.exact),
                "fined": cell_data(row.fined, exact=agg.exact),
            }
            for row in agg.currencies
        ],
    }


def aggregates_data(agg: Aggregates) -> dict:
    return {
        "member_count": agg.member_count,
        "verified_count": agg.verified_count,
        "exact": agg.exact,
        "disclosed": agg.disclosed,
        "contributor_count": agg.contributor_count if agg.exact else None,
        **_figures(agg),
        "public": _figures(agg.public) if agg.exact and agg.public else None,
    }
