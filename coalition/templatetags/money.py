"""Money in templates, formatted for the viewer's language (coalition/rules/money.py):

    {% load money %}
    {{ amount|money:currency }}     exact: "US$1,234.56" / "1,234.56美元" (organisers, the owner)
    {{ cell|disclosed }}            a figure after the disclosure rule (coalition/rules/disclosure.py):
                                    "about US$130,000", "23", or the plain reason it is hidden

An empty amount renders as "" rather than failing the page.
"""

from __future__ import annotations

from decimal import Decimal, InvalidOperation

from django import template

from coalition.rules.disclosure import Cell, describe
from coalition.rules.money import format_money, is_active_currency

register = template.Library()


@register.filter
def money(amount, currency: str = "") -> str:
    if amount in (None, ""):
        return ""
    try:
        value = Decimal(str(amount))
    except InvalidOperation:
        return ""
    if not is_active_currency(currency):
        # A code stored before currencies were checked: the number, then the code as stored.
        return f"{value:,.2f} {currency}".strip()
    return format_money(value, currency)


@register.filter
def disclosed(cell) -> str:
    if not isinstance(cell, Cell):
        return ""
    return describe(cell)
