"""Infringement reports: the public create, the watcher's email confirmation and status link, and
the organisers' review."""

from __future__ import annotations

from typing import Any

from django.db.models import Prefetch, QuerySet
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
from rest_framework.permissions import AllowAny, IsAuthenticated
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.viewsets import GenericViewSet

from coalition.actions.reports import (
    Decision,
    confirm_watcher_email,
    review_report,
    submit_report,
)
from coalition.api.errors import error_responses as errors
from coalition.api.integers import query_id
from coalition.api.parameters import ID
from coalition.api.parsers import FormParser, JSONParser, MultiPartParser
from coalition.api.permissions import ScopedThrottle
from coalition.api.validation import FlatListField, ValidateOnly, caller
from coalition.models import Grievance, InfringementReport, Platform, ReportScreenshot
from coalition.queries.reports import (
    read_brand_token,
    report_status,
    reportable_grievances,
    reviewable_reports,
)
from coalition.rules.sniffing import MAX_SCREENSHOTS

# --- serializers ---------------------------------------------------------------------------


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
        child=serializers.FileField(), min_length=1, max_length=MAX_SCREENSHOTS
    )

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["grievance"].queryset = reportable_grievances(caller(self))

    def validate(self, data: dict[str, Any]) -> dict[str, Any]:
        token = data.pop("brand_token", "")
        if token:
            brand = read_brand_token(token)
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


# --- viewset -------------------------------------------------------------------------------


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
            reviewable_reports(self.request.user)
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
            grievance = query_id(self.request, "grievance")
            if grievance is not None:
                qs = qs.filter(grievance_id=grievance)
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
        report = submit_report(
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
        report = confirm_watcher_email(token.validated_data["token"])
        return Response(self._receipt(report))

    @extend_schema(
        summary=_("A report's status, by the watcher's private token"),
        responses={200: ReportStatusSerializer, **errors(404)},
        auth=[],
    )
    @action(detail=False, methods=["get"], url_path=r"status/(?P<token>[-\w]+)", url_name="status")
    def status_by_token(self, request: Request, token: str) -> Response:
        found = report_status(token)
        if found is None:
            raise NotFound(_("This status link is not valid."))
        return Response(ReportStatusSerializer(found).data)

    def _review(self, request: Request, decision: str) -> Response:
        report = self.get_object()
        data = ReviewSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        result = review_report(
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
        return self._review(request, Decision.CONFIRM)

    @extend_schema(
        summary=_("Reject a report, with the reason the watcher will see"),
        request=ReviewSerializer,
        responses={200: ReviewResultSerializer, **errors(400, 403, 404, 415)},
    )
    @action(detail=True, methods=["post"])
    def reject(self, request: Request, pk: str) -> Response:
        return self._review(request, Decision.REJECT)
