"""Public marketplace profiles."""

from __future__ import annotations

from drf_spectacular.utils import extend_schema, extend_schema_field, extend_schema_view
from rest_framework import mixins, serializers
from rest_framework.permissions import AllowAny
from rest_framework.viewsets import GenericViewSet

from coalition.api.errors import error_responses as errors
from coalition.models import Platform
from coalition.rules.jurisdictions import REGIME_CHOICES


class PlatformSerializer(serializers.ModelSerializer):
    # Null, not "", when a platform has none: "" is not a valid email address or URL.
    appeal_email = serializers.SerializerMethodField()
    portal_url = serializers.SerializerMethodField()
    legal_regimes = serializers.ListField(
        child=serializers.ChoiceField(choices=REGIME_CHOICES),
        read_only=True,
        help_text="The laws letters and the escalation ladder may cite for this platform.",
    )

    class Meta:
        model = Platform
        fields = [
            "id",
            "slug",
            "name",
            "appeal_email",
            "portal_url",
            "holiday_country",
            "holiday_subdivision",
            "time_zone",
            "response_business_days",
            "chase_business_days",
            "round_cap",
            "appeal_window_days",
            "max_unfulfillable_refund_rate",
            "max_chargeback_rate",
            "min_fulfilment_rate",
            "notes",
            "legal_regimes",
        ]
        read_only_fields = fields

    @extend_schema_field(serializers.EmailField(allow_null=True))
    def get_appeal_email(self, obj: Platform) -> str | None:
        return obj.appeal_email or None

    @extend_schema_field(serializers.URLField(allow_null=True))
    def get_portal_url(self, obj: Platform) -> str | None:
        return obj.portal_url or None


class PlatformSummarySerializer(serializers.ModelSerializer):
    class Meta:
        model = Platform
        fields = ["id", "slug", "name"]
        read_only_fields = fields


@extend_schema(tags=["platforms"])
@extend_schema_view(
    list=extend_schema(
        summary="Marketplace profiles",
        responses={200: PlatformSerializer(many=True), **errors(404)},
    ),
    retrieve=extend_schema(
        summary="One marketplace profile", responses={200: PlatformSerializer, **errors(404)}
    ),
)
class PlatformViewSet(mixins.ListModelMixin, mixins.RetrieveModelMixin, GenericViewSet):
    """Public marketplace profiles, by slug."""

    queryset = Platform.objects.order_by("name")  # public to everyone: nothing to scope
    serializer_class = PlatformSerializer
    permission_classes = [AllowAny]
    filter_backends: list = []
    lookup_field = "slug"
    lookup_value_regex = r"[-a-zA-Z0-9_]+"
