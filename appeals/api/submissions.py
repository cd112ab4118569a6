"""Members' own appeals in a round, as /api/v1/appeals/<id>/submissions/ reads and writes them."""

from __future__ import annotations

from decimal import Decimal

from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from appeals.models import Submission
from coalition.api.validation import CurrencyField, PlausibleDateField


class SubmissionSerializer(serializers.ModelSerializer):
    """A member's own portal appeal. Organisers see every row; members only their own."""

    round = serializers.IntegerField(source="appeal_id", read_only=True)
    member = serializers.CharField(source="membership.seller.display_name", read_only=True)
    mine = serializers.SerializerMethodField()

    class Meta:
        model = Submission
        fields = [
            "id",
            "round",
            "member",
            "mine",
            "submitted_on",
            "ticket_reference",
            "outcome",
            "outcome_on",
            "amount_recovered",
            "currency",
            "created_at",
            "updated_at",
        ]
        read_only_fields = fields

    @extend_schema_field(OpenApiTypes.BOOL)
    def get_mine(self, submission: Submission) -> bool:
        return submission.membership_id == self.context.get("membership_id")


class SubmissionLogSerializer(serializers.Serializer):
    submitted_on = PlausibleDateField()
    ticket_reference = serializers.CharField(
        required=False, allow_blank=True, default="", max_length=120
    )


class OutcomeSerializer(serializers.Serializer):
    outcome = serializers.ChoiceField(choices=Submission.Outcome.choices)
    outcome_on = PlausibleDateField(required=False, allow_null=True, default=None)
    amount_recovered = serializers.DecimalField(
        max_digits=14,
        decimal_places=2,
        min_value=Decimal("0"),
        required=False,
        allow_null=True,
        default=None,
    )
    currency = CurrencyField(required=False, allow_null=True, default=None)
