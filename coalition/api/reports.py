"""API for infringement reports (public create, watcher status, organisers' review), coupon
offers, and store health checks.

Register in coalition/api/urls.py:
    router.register("reports", reports.InfringementReportViewSet, basename="infringement-report")
    router.register("coupon-offers", reports.CouponOfferViewSet, basename="coupon-offer")
    router.register("health-checks", reports.HealthCheckViewSet, basename="health-check")

As in coalition/api/views.py: querysets are scoped to what the caller may see (404 otherwise),
input serializers only validate, and every write is a call to coalition/reports.py or
coalition/health.py, whose refusals become 400 JSON through the exception handler.
"""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from django.db.models import Count, Prefetch, Q, QuerySet
from django.urls import reverse
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
from rest_framework.exceptions import NotFound
from rest_framework.parsers import FormParser, JSONParser, MultiPartParser
from rest_framework.permissions import AllowAny, IsAuthenticated
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.viewsets import GenericViewSet

from coalition import health, reports
from coalition.api.permissions import ScopedThrottle
from coalition.api.serializers import ErrorSerializer, ValidateOnly
from coalition.models import (
    Coupon,
    CouponOffer,
    Grievance,
    HealthCheck,
    InfringementReport,
    Membership,
    Platform,
    ReportScreenshot,
    Store,
)
from coalition.queries import own_stores, seller_of

ID = r"\d+"


def errors(*codes: int) -> dict[int, type[ErrorSerializer]]:
    return dict.fromkeys(codes, ErrorSerializer)


def _caller(serializer: serializers.Serializer) -> Any:
    """The requesting user; None when the schema generator builds the serializer without one."""
    return getattr(serializer.context.get("request"), "user", None)


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


# --- reports: serializers ------------------------------------------------------------------


class ReportCreateSerializer(ValidateOnly, serializers.Serializer):
    """A report. Either `grievance` (an open grievance against counterfeits) or `brand_token`
    (from a member's brand link, with `platform`). Anonymous callers give `watcher_email`."""

    grievance = serializers.PrimaryKeyRelatedField(
        queryset=Grievance.objects.none(), required=False, allow_null=True
    )
    brand_token = serializers.CharField(required=False, allow_blank=True)
    platform = serializers.SlugRelatedField(
        slug_field="slug", queryset=Platform.objects.all(), required=False, allow_null=True
    )
    listing_url = serializers.URLField(max_length=1000)
    store_url = serializers.URLField(max_length=1000, required=False, allow_blank=True)
    store_name = serializers.CharField(max_length=200, required=False, allow_blank=True)
    infringes = serializers.ChoiceField(choices=InfringementReport.Infringes.choices)
    details = serializers.CharField(max_length=3000, required=False, allow_blank=True)
    watcher_email = serializers.EmailField(required=False, allow_blank=True)
    screenshots = FlatListField(
        child=serializers.FileField(), min_length=1, max_length=reports.MAX_SCREENSHOTS
    )

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["grievance"].queryset = reports.reportable_grievances(_caller(self))

    def validate(self, data: dict[str, Any]) -> dict[str, Any]:
        token = data.pop("brand_token", "")
        if token:
            brand = reports.read_brand_token(token)
            if brand is None:
                raise serializers.ValidationError(
                    {"brand_token": [_("This report link is not valid.")]}
                )
            data["brand_owner"], data["brand"] = brand
            data.pop("grievance", None)
        else:
            data.pop("platform", None)
        return data


class ReportReceiptSerializer(serializers.Serializer):
    state = serializers.CharField()
    counts = serializers.BooleanField(
        help_text=_("False until the watcher confirms their email address.")
    )
    status_url = serializers.CharField(help_text=_("The private link to follow the report."))


class ScreenshotSerializer(serializers.ModelSerializer):
    url = serializers.SerializerMethodField()

    class Meta:
        model = ReportScreenshot
        fields = ["id", "original_name", "content_type", "size", "url"]
        read_only_fields = fields

    @extend_schema_field(OpenApiTypes.URI)
    def get_url(self, obj: ReportScreenshot) -> str:
        path = reverse("coalition:report_screenshot", args=[obj.report_id, obj.pk])
        return self.context["request"].build_absolute_uri(path)


class ReportSerializer(serializers.ModelSerializer):
    """A report as its reviewers see it; the watcher's email address is never shown."""

    platform = serializers.SlugRelatedField(slug_field="slug", read_only=True)
    store_url = serializers.CharField(
        read_only=True, help_text=_("Empty when the reporter gave none.")
    )
    grievance_title = serializers.CharField(
        source="grievance.title", read_only=True, default=None, allow_null=True
    )
    reported_by = serializers.SerializerMethodField()
    screenshots = ScreenshotSerializer(many=True, read_only=True)
    coupon_issued = serializers.SerializerMethodField()

    class Meta:
        model = InfringementReport
        fields = [
            "id",
            "grievance",
            "grievance_title",
            "brand",
            "platform",
            "listing_url",
            "store_url",
            "store_name",
            "infringes",
            "details",
            "reported_by",
            "state",
            "reason",
            "duplicate_of",
            "created_at",
            "reviewed_at",
            "screenshots",
            "coupon_issued",
        ]
        read_only_fields = fields

    @extend_schema_field(serializers.ChoiceField(choices=["watcher", "member"]))
    def get_reported_by(self, obj: InfringementReport) -> str:
        return "watcher" if obj.from_watcher else "member"

    @extend_schema_field(OpenApiTypes.BOOL)
    def get_coupon_issued(self, obj: InfringementReport) -> bool:
        return getattr(obj, "coupon", None) is not None


class ReviewSerializer(ValidateOnly, serializers.Serializer):
    reason = serializers.CharField(max_length=2000, required=False, allow_blank=True, default="")


class ReviewResultSerializer(serializers.Serializer):
    report = ReportSerializer()
    coupon_issued = serializers.BooleanField()
    coupon_owed = serializers.BooleanField(
        help_text=_("A coupon was earned but the reward pool is empty.")
    )
    evidence = serializers.ListField(
        child=serializers.IntegerField(), help_text=_("Evidence made from the screenshots.")
    )


class TokenSerializer(ValidateOnly, serializers.Serializer):
    token = serializers.CharField(max_length=64)


class CouponSummarySerializer(serializers.Serializer):
    code = serializers.CharField()
    discount = serializers.CharField(source="offer.discount")
    store = serializers.CharField(source="offer.store.name")
    expires_on = serializers.DateField(source="offer.expires_on")


class ReportStatusSerializer(serializers.Serializer):
    step = serializers.ChoiceField(choices=["unconfirmed", "new", "confirmed", "rejected"])
    listing_url = serializers.URLField(source="report.listing_url")
    platform = serializers.CharField(source="report.platform.name")
    reason = serializers.CharField(source="report.reason")
    duplicate = serializers.BooleanField()
    coupon = CouponSummarySerializer(allow_null=True)
    coupon_owed = serializers.BooleanField()


# --- reports: viewset ----------------------------------------------------------------------

REVIEWERS = [IsAuthenticated]


@extend_schema_view(
    list=extend_schema(
        summary=_(
            "Reports you may review (organisers of their grievance, the brand's owner, staff)"
        ),
        parameters=[
            OpenApiParameter("state", OpenApiTypes.STR, enum=InfringementReport.State.values),
            OpenApiParameter("grievance", OpenApiTypes.INT),
        ],
        responses={200: ReportSerializer(many=True), **errors(403, 404)},
    ),
    retrieve=extend_schema(
        summary=_("One report you may review"),
        responses={200: ReportSerializer, **errors(403, 404)},
    ),
)
class InfringementReportViewSet(mixins.ListModelMixin, mixins.RetrieveModelMixin, GenericViewSet):
    """Infringement reports. Anyone may report (rate limited); a watcher's report counts once
    its email is confirmed, and only then do its reviewers see it."""

    serializer_class = ReportSerializer
    permission_classes = REVIEWERS
    filter_backends: list = []
    lookup_value_regex = ID
    throttle_scope = "public_form"
    parser_classes = [JSONParser, MultiPartParser, FormParser]

    def get_throttles(self):
        return [ScopedThrottle()] if self.action == "create" else []

    def get_queryset(self) -> QuerySet[InfringementReport]:
        qs = (
            reports.reviewable_reports(self.request.user)
            .select_related("grievance", "platform", "coupon")
            .prefetch_related(
                Prefetch("screenshots", queryset=ReportScreenshot.objects.order_by("pk"))
            )
            .order_by("-created_at", "-pk")
        )
        if self.action == "list":
            state, grievance = (
                self.request.query_params.get("state"),
                self.request.query_params.get("grievance"),
            )
            if state in InfringementReport.State.values:
                qs = qs.filter(state=state)
            if grievance and grievance.isdigit():
                qs = qs.filter(grievance_id=int(grievance))
        return qs

    @extend_schema(
        summary=_("Report an infringing listing (no account needed)"),
        request={"multipart/form-data": ReportCreateSerializer},
        responses={201: ReportReceiptSerializer, **errors(400, 429)},
        auth=[],
    )
    def create(self, request: Request) -> Response:
        serializer = ReportCreateSerializer(
            data=request.data, context=self.get_serializer_context()
        )
        serializer.is_valid(raise_exception=True)
        report = reports.submit_report(
            actor=request.user,
            language=getattr(request, "LANGUAGE_CODE", ""),
            **serializer.validated_data,
        )
        return Response(self._receipt(report), status=status.HTTP_201_CREATED)

    def get_permissions(self):
        if self.action in ("create", "status_by_token", "confirm_email"):
            return [AllowAny()]
        return super().get_permissions()

    def _receipt(self, report: InfringementReport) -> dict[str, Any]:
        path = reverse("coalition:report_status", args=[report.status_token])
        return {
            "state": report.state,
            "counts": report.counts,
            "status_url": self.request.build_absolute_uri(path),
        }

    @extend_schema(
        summary=_("Confirm a watcher's email address (the token from the email)"),
        request=TokenSerializer,
        responses={200: ReportReceiptSerializer, **errors(400, 404)},
        auth=[],
    )
    @action(detail=False, methods=["post"], url_path="confirm-email")
    def confirm_email(self, request: Request) -> Response:
        token = TokenSerializer(data=request.data)
        token.is_valid(raise_exception=True)
        if not InfringementReport.objects.filter(
            confirm_token=token.validated_data["token"]
        ).exists():
            raise NotFound(_("This confirmation link is not valid."))
        report = reports.confirm_watcher_email(token.validated_data["token"])
        return Response(self._receipt(report))

    @extend_schema(
        summary=_("A report's status, by the watcher's private token"),
        responses={200: ReportStatusSerializer, **errors(404)},
        auth=[],
    )
    @action(detail=False, methods=["get"], url_path=r"status/(?P<token>[-\w]+)", url_name="status")
    def status_by_token(self, request: Request, token: str) -> Response:
        found = reports.report_status(token)
        if found is None:
            raise NotFound(_("This status link is not valid."))
        return Response(ReportStatusSerializer(found).data)

    def _review(self, request: Request, decision: str) -> Response:
        report = self.get_object()
        data = ReviewSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        result = reports.review_report(
            report, actor=request.user, decision=decision, reason=data.validated_data["reason"]
        )
        fresh = self.get_queryset().get(pk=report.pk)
        return Response(
            {
                "report": ReportSerializer(fresh, context=self.get_serializer_context()).data,
                "coupon_issued": result.coupon is not None,
                "coupon_owed": result.coupon_owed,
                "evidence": [e.pk for e in result.evidence],
            }
        )

    @extend_schema(
        summary=_("Confirm a report: its screenshots become evidence, a watcher gets a coupon"),
        request=ReviewSerializer,
        responses={200: ReviewResultSerializer, **errors(400, 403, 404, 415)},
    )
    @action(detail=True, methods=["post"])
    def confirm(self, request: Request, pk: str) -> Response:
        return self._review(request, reports.Decision.CONFIRM)

    @extend_schema(
        summary=_("Reject a report, with the reason the watcher will see"),
        request=ReviewSerializer,
        responses={200: ReviewResultSerializer, **errors(400, 403, 404, 415)},
    )
    @action(detail=True, methods=["post"])
    def reject(self, request: Request, pk: str) -> Response:
        return self._review(request, reports.Decision.REJECT)


# --- coupon offers -------------------------------------------------------------------------


class CouponOfferSerializer(serializers.ModelSerializer):
    grievance = serializers.IntegerField(source="membership.grievance_id", read_only=True)
    issued = serializers.IntegerField(read_only=True)
    codes = serializers.SerializerMethodField()

    class Meta:
        model = CouponOffer
        fields = [
            "id",
            "grievance",
            "membership",
            "store",
            "discount",
            "quantity",
            "issued",
            "expires_on",
            "created_at",
            "withdrawn_at",
            "codes",
        ]
        read_only_fields = fields

    @extend_schema_field(serializers.ListField(child=serializers.DictField()))
    def get_codes(self, obj: CouponOffer) -> list[dict[str, Any]]:
        return [
            {"code": c.code, "issued": c.issued_to_report_id is not None} for c in obj.coupons.all()
        ]


class CouponOfferCreateSerializer(ValidateOnly, serializers.Serializer):
    membership = serializers.PrimaryKeyRelatedField(
        queryset=Membership.objects.none(),
        help_text=_("Your membership in the grievance whose watchers you reward."),
    )
    store = serializers.PrimaryKeyRelatedField(queryset=Store.objects.none())
    discount = serializers.CharField(max_length=200)
    expires_on = serializers.DateField()
    quantity = serializers.IntegerField(
        min_value=1, max_value=reports.MAX_COUPONS_PER_OFFER, required=False, allow_null=True
    )
    codes = FlatListField(child=serializers.CharField(max_length=64), required=False, default=list)

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        user = _caller(self)
        self.fields["membership"].queryset = Membership.objects.active().filter(
            seller=seller_of(user)
        )
        self.fields["store"].queryset = own_stores(user)


@extend_schema_view(
    list=extend_schema(
        summary=_("Your coupon offers"),
        responses={200: CouponOfferSerializer(many=True), **errors(403, 404)},
    ),
    retrieve=extend_schema(
        summary=_("One of your coupon offers"),
        responses={200: CouponOfferSerializer, **errors(403, 404)},
    ),
)
class CouponOfferViewSet(mixins.ListModelMixin, mixins.RetrieveModelMixin, GenericViewSet):
    """Coupons a member offers as rewards for confirmed watcher reports. Only their own."""

    serializer_class = CouponOfferSerializer
    permission_classes = [IsAuthenticated]
    filter_backends: list = []
    lookup_value_regex = ID

    def get_queryset(self) -> QuerySet[CouponOffer]:
        return (
            CouponOffer.objects.filter(membership__seller=seller_of(self.request.user))
            .select_related("membership__seller")
            .annotate(issued=Count("coupons", filter=Q(coupons__issued_to_report__isnull=False)))
            .prefetch_related(Prefetch("coupons", queryset=Coupon.objects.order_by("pk")))
            .order_by("-created_at", "-pk")
        )

    @extend_schema(
        summary=_("Offer coupons: your own codes, or a number of codes made for you"),
        request=CouponOfferCreateSerializer,
        responses={201: CouponOfferSerializer, **errors(400, 403)},
    )
    def create(self, request: Request) -> Response:
        data = CouponOfferCreateSerializer(data=request.data, context=self.get_serializer_context())
        data.is_valid(raise_exception=True)
        d = data.validated_data
        offer = reports.offer_coupons(
            d["membership"],
            actor=request.user,
            store=d["store"],
            discount=d["discount"],
            expires_on=d["expires_on"],
            quantity=d.get("quantity"),
            codes=d["codes"],
        )
        return Response(
            self.get_serializer(self.get_queryset().get(pk=offer.pk)).data,
            status=status.HTTP_201_CREATED,
        )

    @extend_schema(
        summary=_("Withdraw an offer: its remaining codes are no longer sent"),
        request=None,
        responses={200: CouponOfferSerializer, **errors(403, 404)},
    )
    @action(detail=True, methods=["post"])
    def withdraw(self, request: Request, pk: str) -> Response:
        offer = reports.withdraw_coupon_offer(self.get_object(), actor=request.user)
        return Response(self.get_serializer(self.get_queryset().get(pk=offer.pk)).data)


# --- health checks -------------------------------------------------------------------------


class RiskSerializer(serializers.Serializer):
    metric = serializers.CharField()
    label = serializers.CharField()
    rate = serializers.DecimalField(
        max_digits=9, decimal_places=4, allow_null=True, coerce_to_string=True
    )
    limit = serializers.DecimalField(max_digits=5, decimal_places=2, allow_null=True)
    level = serializers.ChoiceField(choices=[lv.value for lv in health.Level])
    explanation = serializers.CharField()

    def to_representation(self, risk: health.Risk) -> dict[str, Any]:
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
        return health.overall(self._risks(obj)).value

    def _risks(self, obj: HealthCheck) -> list[health.Risk]:
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
        found = health.matching_grievances(
            obj.store.platform, self._risks(obj), user=self.context["request"].user
        )
        return MatchingGrievanceSerializer(found, many=True).data


class _StoreAndPeriodSerializer(ValidateOnly, serializers.Serializer):
    store = serializers.PrimaryKeyRelatedField(queryset=Store.objects.none())
    period_start = serializers.DateField()
    period_end = serializers.DateField()

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["store"].queryset = own_stores(_caller(self))


class HealthCheckCreateSerializer(_StoreAndPeriodSerializer):
    orders = serializers.IntegerField(min_value=0, max_value=health.MAX_COUNT)
    unfulfillable_refunds = serializers.IntegerField(
        min_value=0, max_value=health.MAX_COUNT, required=False, allow_null=True
    )
    fulfilled_orders = serializers.IntegerField(
        min_value=0, max_value=health.MAX_COUNT, required=False, allow_null=True
    )
    chargebacks = serializers.IntegerField(
        min_value=0, max_value=health.MAX_COUNT, required=False, allow_null=True
    )
    late_shipments = serializers.IntegerField(
        min_value=0, max_value=health.MAX_COUNT, required=False, allow_null=True
    )

    def figures(self) -> health.Figures:
        d = self.validated_data
        return health.Figures(orders=d["orders"], **{f: d.get(f) for f in health.PART_FIELDS})


class HealthImportSerializer(_StoreAndPeriodSerializer):
    file = serializers.FileField()
    order_id = serializers.CharField(max_length=100)
    status = serializers.CharField(max_length=100, required=False, allow_blank=True, default="")
    fulfilled_values = serializers.CharField(
        max_length=300, required=False, default=health.DEFAULT_FULFILLED_VALUES
    )
    refund = serializers.CharField(max_length=100, required=False, allow_blank=True, default="")
    refund_words = serializers.CharField(
        max_length=300, required=False, allow_blank=True, default=health.DEFAULT_REFUND_WORDS
    )
    chargeback = serializers.CharField(max_length=100, required=False, allow_blank=True, default="")
    late = serializers.CharField(max_length=100, required=False, allow_blank=True, default="")

    def mapping(self) -> health.ColumnMapping:
        d = self.validated_data
        return health.ColumnMapping(
            order_id=d["order_id"],
            status=d["status"],
            refund=d["refund"],
            chargeback=d["chargeback"],
            late=d["late"],
            fulfilled_values=health.split_values(d["fulfilled_values"]),
            refund_words=health.split_values(d["refund_words"]),
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
        qs = HealthCheck.objects.filter(store__in=own_stores(self.request.user)).select_related(
            "store__platform", "store__seller"
        )
        store = self.request.query_params.get("store", "")
        if self.action == "list" and store.isdigit():
            qs = qs.filter(store_id=int(store))
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
        check, created = health.record_health_check(
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
        figures = health.figures_from_export(health.read_upload(d["file"]), data.mapping())
        check, created = health.record_health_check(
            d["store"],
            actor=request.user,
            period_start=d["period_start"],
            period_end=d["period_end"],
            figures=figures,
            source=HealthCheck.Source.CSV,
        )
        return self._saved(check, created)

    def perform_destroy(self, instance: HealthCheck) -> None:
        health.delete_health_check(instance, actor=self.request.user)
