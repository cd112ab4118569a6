"""Fields and widgets the coalition forms (and appeals') share: money, currencies, dates, several
files in one input."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from coalition.rules.dates import validate_plausible_date
from coalition.rules.money import validate_currency

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


class CurrencyField(forms.CharField):
    """An ISO 4217 code in use today (coalition/rules/money.py): " usd " cleans to "USD", an
    invented "ZZZ" is a field error naming it."""

    def to_python(self, value):
        return super().to_python(value).strip().upper()

    def validate(self, value):
        super().validate(value)
        if value:
            validate_currency(value)


def currency_field(*, required: bool = False, datalist: str = "", **kwargs) -> forms.CharField:
    """A currency code, checked against ISO 4217 (see CurrencyField)."""
    attrs = {"size": 4, "autocomplete": "off", "class": "input-currency"}
    if datalist:
        attrs["list"] = datalist
    return CurrencyField(
        label=_("Currency"),
        max_length=3,
        required=required,
        help_text=_("Three letters, e.g. USD, CNY, EUR."),
        widget=forms.TextInput(attrs=attrs),
        **kwargs,
    )


def date_input() -> forms.DateInput:
    return forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")


def plausible_date_field(label, *, required: bool = False, **kwargs) -> forms.DateField:
    """A date something happened: not before 2000, not in the future (coalition/rules/dates.py)."""
    return forms.DateField(
        label=label,
        required=required,
        widget=date_input(),
        validators=[validate_plausible_date],
        **kwargs,
    )


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
