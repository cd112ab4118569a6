"""What input serializers share: they validate only (writes belong to coalition/actions/), list
errors come flat, and the caller is found in the context."""

from __future__ import annotations

from typing import Any

from rest_framework import serializers


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
