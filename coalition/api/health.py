"""Store health checks: a store's figures for a period, with rates and risks against its
platform's limits. Only for the caller's own stores."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from django.db.models import QuerySet
from django.utils.translation import gettext_lazy as _
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import (
    OpenApiParameter,
    extend_schema,
    extend_schema_field,
    extend_schema_view,
)
from rest_framework import mixins, serializers, status
from rest_framework.decorators import action
from rest_framework.parsers import FormParser, JSONParser, MultiPartParser
from rest_framework.permissions import IsAuthenticated
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.viewsets import GenericViewSet

from coalition.actions.health import delete_health_check, record_health_check
from coalition.api.errors import error_responses as errors
from coalition.api.integers import query_id
from coalition.api.parameters import ID
from coalition.api.validation import PlausibleDateField, ValidateOnly, caller
from coalition.models import HealthCheck, Store
from coalition.queries.health import matching_grievances, own_health_checks
from coalition.queries.sellers import own_stores
from coalition.rules.csv_import import (
    DEFAULT_FULFILLED_VALUES,
    DEFAULT_REFUND_WORDS,
    ColumnMapping,
    figures_from_export,
    read_upload,
    split_values,
)
from coalition.rules.thresholds import MAX_COUNT, PART_FIELDS, Figures, Level, Risk, overall


class RiskSerializer(serializers.Serializer):
    metric = serializers.CharField()
    label = serializers.CharField()
    rate = serializers.DecimalField(
        max_digits=9, decimal_places=4, allow_null=True, coerce_to_string=True
    )
    limit = serializers.DecimalField(max_digits=5, decimal_places=2, allow_null=True)
    level = serializers.ChoiceField(choices=[lv.value for lv in Level])
    explanation = serializers.CharField()

    def to_representation(self, risk: Risk) -> dict[str, Any]:
        data = super().to_representation(risk)
        if risk.rate is not None:
            data["rate"] = str(risk.rate.quantize(Decimal("0.0001")))
        return data


class MatchingGrievanceSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    title = serializers.CharField()
    category = serializers.CharField()
    member_count = serializers.IntegerField()


class HealthCheckSerializer(serializers.ModelSerializer):
    risks = serializers.SerializerMethodField()
    overall = serializers.SerializerMethodField()

    class Meta:
        model = HealthCheck
        fields = [
            "id",
            "store",
            "period_start",
            "period_end",
            "orders",
            "unfulfillable_refunds",
            "fulfilled_orders",
            "chargebacks",
            "late_shipments",
            "source",
            "overall",
            "risks",
            "created_at",
            "updated_at",
        ]
        read_only_fields = fields

    @extend_schema_field(RiskSerializer(many=True))
    def get_risks(self, obj: HealthCheck) -> list[dict[str, Any]]:
        return RiskSerializer(self._risks(obj), many=True).data

    @extend_schema_field(
        serializers.CharField(
            help_text=_("The worst level among the risks: no_data, ok, close or high.")
        )
    )
    def get_overall(self, obj: HealthCheck) -> str:
        return overall(self._risks(obj)).value

    def _risks(self, obj: HealthCheck) -> list[Risk]:
        cache = self.context.setdefault("_risks", {})
        if obj.pk not in cache:
            cache[obj.pk] = obj.risks()
        return cache[obj.pk]


class HealthCheckDetailSerializer(HealthCheckSerializer):
    matching_grievances = serializers.SerializerMethodField()

    class Meta(HealthCheckSerializer.Meta):
        fields = [*HealthCheckSerializer.Meta.fields, "matching_grievances"]
        read_only_fields = fields

    @extend_schema_field(MatchingGrievanceSerializer(many=True))
    def get_matching_grievances(self, obj: HealthCheck) -> list[dict[str, Any]]:
        found = matching_grievances(
            obj.store.platform, self._risks(obj), user=self.context["request"].user
        )
        return MatchingGrievanceSerializer(found, many=True).data


class _StoreAndPeriodSerializer(ValidateOnly, serializers.Serializer):
    store = serializers.PrimaryKeyRelatedField(queryset=Store.objects.none())
    period_start = PlausibleDateField()
    period_end = PlausibleDateField()

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["store"].queryset = own_stores(caller(self))


class HealthCheckCreateSerializer(_StoreAndPeriodSerializer):
    orders = serializers.IntegerField(min_value=0, max_value=MAX_COUNT)
    unfulfillable_refunds = serializers.IntegerField(
        min_value=0, max_value=MAX_COUNT, required=False, allow_null=True
    )
    fulfilled_orders = serializers.IntegerField(
        min_value=0, max_value=MAX_COUNT, required=False, allow_null=True
    )
    chargebacks = serializers.IntegerField(
        min_value=0, max_value=MAX_COUNT, required=False, allow_null=True
    )
    late_shipments = serializers.IntegerField(
        min_value=0, max_value=MAX_COUNT, required=False, allow_null=True
    )

    def figures(self) -> Figures:
        d = self.validated_data
        return Figures(orders=d["orders"], **{f: d.get(f) for f in PART_FIELDS})


class HealthImportSerializer(_StoreAndPeriodSerializer):
    file = serializers.FileField()
    order_id = serializers.CharField(max_length=100)
    status = serializers.CharField(max_length=100, required=False, allow_blank=True, default="")
    fulfilled_values = serializers.CharField(
        max_length=300, required=False, default=DEFAULT_FULFILLED_VALUES
    )
    refund = serializers.CharField(max_length=100, required=False, allow_blank=True, default="")
    refund_words = serializers.CharField(
        max_length=300, required=False, allow_blank=True, default=DEFAULT_REFUND_WORDS
    )
    chargeback = serializers.CharField(max_length=100, required=False, allow_blank=True, default="")
    late = serializers.CharField(max_length=100, required=False, allow_blank=True, default="")

    def mapping(self) -> ColumnMapping:
        d = self.validated_data
        return ColumnMapping(
            order_id=d["order_id"],
            status=d["status"],
            refund=d["refund"],
            chargeback=d["chargeback"],
            late=d["late"],
            fulfilled_values=split_values(d["fulfilled_values"]),
            refund_words=split_values(d["refund_words"]),
        )


@extend_schema_view(
    list=extend_schema(
        summary=_("Your stores' health checks"),
        parameters=[OpenApiParameter("store", OpenApiTypes.INT)],
        responses={200: HealthCheckSerializer(many=True), **errors(403, 404)},
    ),
    retrieve=extend_schema(
        summary=_("One health check, with the grievances that fight its risks"),
        responses={200: HealthCheckDetailSerializer, **errors(403, 404)},
    ),
    destroy=extend_schema(
        summary=_("Delete a health check"), responses={204: None, **errors(403, 404)}
    ),
)
class HealthCheckViewSet(
    mixins.ListModelMixin, mixins.RetrieveModelMixin, mixins.DestroyModelMixin, GenericViewSet
):
    """A store's figures for a period, with rates and risks against its platform's limits.
    Only for the caller's own stores; anybody else's is a 404."""

    permission_classes = [IsAuthenticated]
    filter_backends: list = []
    lookup_value_regex = ID
    parser_classes = [JSONParser, MultiPartParser, FormParser]

    def get_serializer_class(self):
        return HealthCheckSerializer if self.action == "list" else HealthCheckDetailSerializer

    def get_queryset(self) -> QuerySet[HealthCheck]:
        qs = own_health_checks(self.request.user).select_related("store__platform", "store__seller")
        store = query_id(self.request, "store") if self.action == "list" else None
        if store is not None:
            qs = qs.filter(store_id=store)
        return qs.order_by("-period_end", "-pk")

    def _saved(self, check: HealthCheck, created: bool) -> Response:
        fresh = self.get_queryset().get(pk=check.pk)
        data = HealthCheckDetailSerializer(fresh, context=self.get_serializer_context()).data
        return Response(data, status=status.HTTP_201_CREATED if created else status.HTTP_200_OK)

    @extend_schema(
        summary=_("Save a store's figures for a period (the same period again replaces them)"),
        request=HealthCheckCreateSerializer,
        responses={
            201: HealthCheckDetailSerializer,
            200: HealthCheckDetailSerializer,
            **errors(400, 403),
        },
    )
    def create(self, request: Request) -> Response:
        data = HealthCheckCreateSerializer(data=request.data, context=self.get_serializer_context())
        data.is_valid(raise_exception=True)
        d = data.validated_data
        check, created = record_health_check(
            d["store"],
            actor=request.user,
            period_start=d["period_start"],
            period_end=d["period_end"],
            figures=data.figures(),
        )
        return self._saved(check, created)

    @extend_schema(
        summary=_("Import a period's figures from a CSV order export, with your column names"),
        request={"multipart/form-data": HealthImportSerializer},
        responses={
            201: HealthCheckDetailSerializer,
            200: HealthCheckDetailSerializer,
            **errors(400, 403),
        },
    )
    @action(
        detail=False,
        methods=["post"],
        url_path="import",
        parser_classes=[MultiPartParser, FormParser],
    )
    def import_csv(self, request: Request) -> Response:
        data = HealthImportSerializer(data=request.data, context=self.get_serializer_context())
        data.is_valid(raise_exception=True)
        d = data.validated_data
        figures = figures_from_export(read_upload(d["file"]), data.mapping())
        check, created = record_health_check(
            d["store"],
            actor=request.user,
            period_start=d["period_start"],
            period_end=d["period_end"],
            figures=figures,
            source=HealthCheck.Source.CSV,
        )
        return self._saved(check, created)

    def perform_destroy(self, instance: HealthCheck) -> None:
        delete_health_check(instance, actor=self.request.user)
