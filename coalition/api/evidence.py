"""Evidence API: /api/v1/grievances/{grievance_pk}/evidence/ — list, upload (multipart), retrieve,
withdraw (DELETE), download, visibility; and the checklist serializer.

Scoped like the pages (coalition/queries/evidence.py): a file the caller may not see is a 404.
Every write goes through coalition/actions/evidence.py; a refusal is a 400 with the field's error
(coalition/api/errors.py). Registered in config/api_router.py.
"""

from __future__ import annotations

from functools import cached_property

from django.shortcuts import get_object_or_404
from django.urls import reverse
from django.utils.translation import gettext as _
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import (
    OpenApiParameter,
    OpenApiResponse,
    extend_schema,
    extend_schema_view,
)
from rest_framework import serializers, status, viewsets
from rest_framework.decorators import action
from rest_framework.exceptions import PermissionDenied
from rest_framework.permissions import IsAuthenticated
from rest_framework.response import Response

from coalition.actions.evidence import (
    DOWNLOADED,
    VIEWED,
    record_access,
    set_visibility,
    upload_evidence,
    withdraw_evidence,
)
from coalition.api.errors import ErrorSerializer
from coalition.api.parsers import FormParser, JSONParser, MultiPartParser
from coalition.categories import EvidenceKind
from coalition.errors import ActionRefused
from coalition.models import Evidence, Grievance
from coalition.pages.evidence import evidence_file_response
from coalition.queries.evidence import Viewer, uploader_name, viewer_of, visible_evidence
from coalition.queries.grievances import reachable_grievances
from coalition.rules.sniffing import limit_uploads, too_large_message

# --- serializers -------------------------------------------------------------------------------


class EvidenceSerializer(serializers.ModelSerializer):
    kind_label = serializers.CharField(source="get_kind_display", read_only=True)
    uploaded_by = serializers.SerializerMethodField(
        help_text="Display name as the caller may know it."
    )
    is_own = serializers.SerializerMethodField()
    download_url = serializers.SerializerMethodField()

    class Meta:
        model = Evidence
        fields = [
            "id",
            "grievance",
            "kind",
            "kind_label",
            "description",
            "original_name",
            "content_type",
            "size",
            "sha256",
            "visibility",
            "redacted_of",
            "uploaded_by",
            "is_own",
            "uploaded_at",
            "withdrawn_at",
            "download_url",
        ]
        read_only_fields = fields

    def _viewer(self) -> Viewer:
        return self.context["viewer"]

    def get_uploaded_by(self, obj: Evidence) -> str:
        return str(uploader_name(obj, self._viewer()))

    def get_is_own(self, obj: Evidence) -> bool:
        return self._viewer().owns(obj)

    def get_download_url(self, obj: Evidence) -> str | None:
        if obj.is_withdrawn:
            return None
        url = reverse(
            "grievance-evidence-download", kwargs={"grievance_pk": obj.grievance_id, "pk": obj.pk}
        )
        return self.context["request"].build_absolute_uri(url)


class EvidenceUploadSerializer(serializers.Serializer):
    """Validates only; coalition.actions.evidence.upload_evidence does the rest (type, size, hash)."""

    file = serializers.FileField(
        help_text="PDF, PNG, JPEG, WebP, plain text, CSV, XLSX or XLS; at most EVIDENCE_MAX_BYTES."
    )
    kind = serializers.ChoiceField(choices=EvidenceKind.choices)
    description = serializers.CharField(
        max_length=300, required=False, allow_blank=True, default=""
    )
    visibility = serializers.ChoiceField(
        choices=Evidence.Visibility.choices, default=Evidence.Visibility.ORGANISERS
    )
    redacted_of = serializers.IntegerField(
        required=False, allow_null=True, help_text="Id of your own file this copy redacts."
    )


class VisibilitySerializer(serializers.Serializer):
    visibility = serializers.ChoiceField(choices=Evidence.Visibility.choices)


class ChecklistItemStatusSerializer(serializers.Serializer):
    kind = serializers.CharField()
    label = serializers.CharField()
    state = serializers.ChoiceField(choices=["done", "missing", "expected"])
    mine = serializers.BooleanField(allow_null=True)
    members_with = serializers.IntegerField(allow_null=True)


class ChecklistSerializer(serializers.Serializer):
    """coalition.queries.evidence.Checklist, for the grievance detail endpoint."""

    items = ChecklistItemStatusSerializer(many=True)
    member_count = serializers.IntegerField(allow_null=True)
    has_case = serializers.BooleanField()
    done_count = serializers.IntegerField()


# --- viewset -----------------------------------------------------------------------------------

GRIEVANCE_PARAM = OpenApiParameter(
    "grievance_pk", OpenApiTypes.INT, OpenApiParameter.PATH, description="Grievance id"
)
ERRORS = {400: ErrorSerializer, 403: ErrorSerializer, 404: ErrorSerializer}


@extend_schema_view(
    list=extend_schema(summary="Evidence the caller may see", parameters=[GRIEVANCE_PARAM]),
    retrieve=extend_schema(
        summary="One file's record (logged as a view)",
        parameters=[GRIEVANCE_PARAM],
        responses={200: EvidenceSerializer, 404: ErrorSerializer},
    ),
    destroy=extend_schema(
        summary="Withdraw your own file: the file is deleted, its hash and log stay",
        parameters=[GRIEVANCE_PARAM],
        responses={204: None, **ERRORS},
    ),
)
class EvidenceViewSet(viewsets.GenericViewSet):
    permission_classes = [IsAuthenticated]
    serializer_class = EvidenceSerializer
    parser_classes = [MultiPartParser, FormParser, JSONParser]
    queryset = Evidence.objects.none()  # the real one is get_queryset(), scoped to the caller
    lookup_value_regex = r"\d+"

    def initialize_request(self, request, *args, **kwargs):
        # Before anything parses the body: stop reading an oversize file at the limit.
        self.upload_limit = limit_uploads(request) if request.method == "POST" else None
        return super().initialize_request(request, *args, **kwargs)

    @cached_property
    def grievance(self) -> Grievance:
        return get_object_or_404(
            reachable_grievances(self.request.user), pk=self.kwargs["grievance_pk"]
        )

    @cached_property
    def viewer(self) -> Viewer:
        return viewer_of(self.request.user, self.grievance)

    def get_queryset(self):
        if getattr(self, "swagger_fake_view", False):
            return Evidence.objects.none()
        include_withdrawn = self.action in {"list", "retrieve", "destroy"}
        return visible_evidence(
            self.request.user,
            self.grievance,
            include_withdrawn=include_withdrawn,
            viewer=self.viewer,
        )

    def get_serializer_context(self):
        context = super().get_serializer_context()
        if not getattr(self, "swagger_fake_view", False):
            context["viewer"] = self.viewer
        return context

    def list(self, request, *args, **kwargs):
        page = self.paginate_queryset(self.get_queryset())
        return self.get_paginated_response(self.get_serializer(page, many=True).data)

    def retrieve(self, request, *args, **kwargs):
        evidence = self.get_object()
        record_access(evidence, actor=request.user, verb=VIEWED)
        return Response(self.get_serializer(evidence).data)

    @extend_schema(
        summary="Upload a file (multipart)",
        parameters=[GRIEVANCE_PARAM],
        request={"multipart/form-data": EvidenceUploadSerializer},
        responses={
            201: OpenApiResponse(EvidenceSerializer, description="Stored."),
            200: OpenApiResponse(
                EvidenceSerializer,
                description="This exact file was already in the grievance; nothing stored.",
            ),
            409: OpenApiResponse(
                ErrorSerializer, description="Another member already brought this exact file."
            ),
            **ERRORS,
        },
    )
    def create(self, request, *args, **kwargs):
        # Membership is settled before the body is parsed.
        if not self.viewer.active_member:
            raise PermissionDenied(_("Only members of this grievance can bring evidence."))
        body = request.data  # parsed here, through the size limit installed in initialize_request
        if self.upload_limit is not None and self.upload_limit.exceeded:
            raise ActionRefused(too_large_message(), field="file", code="too_large")
        upload = EvidenceUploadSerializer(data=body)
        upload.is_valid(raise_exception=True)
        data = upload.validated_data
        evidence, created = upload_evidence(
            self.grievance,
            actor=request.user,
            uploaded_file=data["file"],
            kind=data["kind"],
            description=data["description"],
            visibility=data["visibility"],
            redacted_of=self._original(data.get("redacted_of")),
        )
        if created or self.get_queryset().filter(pk=evidence.pk).exists():
            return Response(
                self.get_serializer(evidence).data,
                status=status.HTTP_201_CREATED if created else status.HTTP_200_OK,
            )
        message = _("Another member already brought this exact file, so it was not stored twice.")
        return Response(
            {"detail": message, "errors": {"file": [message]}, "code": "duplicate"},
            status=status.HTTP_409_CONFLICT,
        )

    def _original(self, pk: int | None) -> Evidence | None:
        if pk is None:
            return None
        original = Evidence.objects.filter(grievance=self.grievance, pk=pk).first()
        if original is None or not self.viewer.owns(original):
            raise ActionRefused(
                _("A redacted copy must be of a file you brought to this grievance."),
                field="redacted_of",
            )
        return original

    def destroy(self, request, *args, **kwargs):
        withdraw_evidence(self.get_object(), actor=request.user)
        return Response(status=status.HTTP_204_NO_CONTENT)

    @extend_schema(
        summary="Download the file (logged)",
        parameters=[GRIEVANCE_PARAM],
        responses={(200, "application/octet-stream"): OpenApiTypes.BINARY, 404: ErrorSerializer},
    )
    @action(detail=True, methods=["get"])
    def download(self, request, *args, **kwargs):
        evidence = self.get_object()
        response = evidence_file_response(evidence)
        record_access(evidence, actor=request.user, verb=DOWNLOADED)
        return response

    @extend_schema(
        summary="Change who can see your file",
        parameters=[GRIEVANCE_PARAM],
        request=VisibilitySerializer,
        responses={200: EvidenceSerializer, **ERRORS},
    )
    @action(detail=True, methods=["post"], parser_classes=[JSONParser, FormParser, MultiPartParser])
    def visibility(self, request, *args, **kwargs):
        evidence = self.get_object()
        body = VisibilitySerializer(data=request.data)
        body.is_valid(raise_exception=True)
        evidence = set_visibility(
            evidence, actor=request.user, visibility=body.validated_data["visibility"]
        )
        return Response(self.get_serializer(evidence).data)


__all__ = [
    "ChecklistSerializer",
    "EvidenceSerializer",
    "EvidenceUploadSerializer",
    "EvidenceViewSet",
]
