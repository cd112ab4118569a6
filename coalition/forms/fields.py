"""Fields and widgets the coalition forms (and appeals') share: money, currencies, dates, several
files in one input."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

# Offered as currency suggestions: where most sellers are.
COMMON_CURRENCIES = ("USD", "CNY", "EUR", "GBP", "HKD")


def amount_field(label) -> forms.DecimalField:
    """A non-negative money amount, as the models store it (14 digits, 2 decimals)."""
    return forms.DecimalField(
        label=label,
        required=False,
        min_value=Decimal("0"),
        max_digits=14,
        decimal_places=2,
        widget=forms.NumberInput(attrs={"step": "0.01", "min": "0", "inputmode": "decimal"}),
    )


def currency_field(*, required: bool = False, datalist: str = "", **kwargs) -> forms.CharField:
    """A three-letter currency code (the models validate the format)."""
    attrs = {"size": 4, "autocomplete": "off", "class": "input-currency"}
    if datalist:
        attrs["list"] = datalist
    return forms.CharField(
        label=_("Currency"),
        max_length=3,
        required=required,
        help_text=_("Three letters, e.g. USD, CNY, EUR."),
        widget=forms.TextInput(attrs=attrs),
        **kwargs,
    )


def date_input() -> forms.DateInput:
    return forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")


class MultipleFileInput(forms.ClearableFileInput):
    allow_multiple_selected = True


class MultipleFileField(forms.FileField):
    """Several files in one input; cleans to a list."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        kwargs.setdefault("widget", MultipleFileInput())
        super().__init__(*args, **kwargs)

    def clean(self, data: Any, initial: Any = None) -> list:
        files = [f for f in (data if isinstance(data, list | tuple) else [data]) if f]
        if not files:
            if self.required:
                raise forms.ValidationError(self.error_messages["required"], code="required")
            return []
        return [super(MultipleFileField, self).clean(f, initial) for f in files]
