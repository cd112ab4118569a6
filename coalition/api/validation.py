"""What input serializers share: they validate only (writes belong to coalition/actions/), list
errors come flat, and the caller is found in the context."""

from __future__ import annotations

from typing import Any

from django.core.exceptions import ValidationError as DjangoValidationError
from rest_framework import serializers

from coalition.rules.dates import validate_plausible_date
from coalition.rules.money import validate_currency


class ValidateOnly:
    # Mixin for input serializers: writes belong to coalition.actions. (A comment, not a
    # docstring: drf-spectacular would show a docstring as every input schema's description.)

    def create(self, validated_data):
        raise NotImplementedError("Call a coalition action with validated_data instead.")

    def update(self, instance, validated_data):
        raise NotImplementedError("Call a coalition action with validated_data instead.")


class FlatListField(serializers.ListField):
    """A ListField whose item errors are a flat list of messages, as every API error's
    `errors[field]` is, rather than DRF's {index: [message]}."""

    def run_child_validation(self, data: list) -> list:
        try:
            return super().run_child_validation(data)
        except serializers.ValidationError as exc:
            detail = exc.detail if isinstance(exc.detail, dict) else {0: exc.detail}
            raise serializers.ValidationError(
                [str(m) for messages in detail.values() for m in messages]
            ) from exc


def caller(serializer: serializers.Serializer) -> Any:
    """The requesting user; None when the schema generator builds the serializer without one."""
    return getattr(serializer.context.get("request"), "user", None)


class CurrencyField(serializers.CharField):
    """An ISO 4217 code in use today (coalition/rules/money.py): " usd " → "USD"; an invented
    "ZZZ" is a 400 naming the field."""

    def __init__(self, **kwargs):
        kwargs.setdefault("max_length", 3)
        kwargs.setdefault("help_text", "ISO 4217 currency code, such as USD, CNY or EUR.")
        super().__init__(**kwargs)

    def to_internal_value(self, data):
        if isinstance(data, str):
            data = data.strip().upper()
        value = super().to_internal_value(data)
        try:
            validate_currency(value)
        except DjangoValidationError as exc:
            raise serializers.ValidationError(exc.messages) from exc
        return value


class PlausibleDateField(serializers.DateField):
    """A date something happened: on or after 2000-01-01 and not in the future
    (coalition/rules/dates.py)."""

    def __init__(self, **kwargs):
        super().__init__(**kwargs)
        self.validators.append(validate_plausible_date)
