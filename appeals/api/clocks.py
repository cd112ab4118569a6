"""A round's response clock as the API shows it (rounds and board rows)."""

from __future__ import annotations

from django.utils.translation import gettext_lazy as _
from rest_framework import serializers

# Named choice set for the schema (SPECTACULAR_SETTINGS["ENUM_NAME_OVERRIDES"]).
CLOCK_STATES = ["on_time", "due_today", "overdue", "very_overdue", "none"]


class ClockSerializer(serializers.Serializer):
    state = serializers.ChoiceField(
        choices=CLOCK_STATES,
        help_text=_(
            "Where the platform's response clock stands; none unless the round is waiting."
        ),
    )
    business_days = serializers.IntegerField(
        help_text=_("Business days left (on time) or late (overdue).")
    )
    label = serializers.CharField(help_text=_("The clock in words, e.g. “due in 3 business days”."))
