"""Organisers' announcements and "remind now" in the API:

- /api/v1/grievances/{grievance_pk}/announcements/ — list (members and organisers), create
  (organisers; at most one per grievance per day, staff may lift it with lift_limit);
- /api/v1/grievances/{grievance_pk}/announcements/preview/?audience=… — who it would reach;
- /api/v1/appeals/{appeal_pk}/remind-now/ — POST: remind those who have not signed (organisers,
  once per round per 24 h).
Every refusal is a 400 with a clear message (coalition/api/errors.py); nothing is queued then.
"""

from __future__ import annotations

from functools import cached_property

from django.shortcuts import get_object_or_404
from django.utils.translation import gettext as _
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, extend_schema, extend_schema_view
from rest_framework import serializers, status, viewsets
from rest_framework.decorators import action
from rest_framework.exceptions import PermissionDenied
from rest_framework.permissions import IsAuthenticated
from rest_framework.response import Response

from appeals.actions import announcements
from appeals.actions.announcements import MAX_SUBJECT_LENGTH
from appeals.models import Announcement, Appeal
from appeals.queries.audiences import audience_count
from appeals.queries.rounds import reachable_round, standing_in
from coalition.api.errors import error_responses
from coalition.models import Grievance
from coalition.queries.grievances import reachable_grievances

GRIEVANCE = OpenApiParameter("grievance_pk", OpenApiTypes.INT, OpenApiParameter.PATH)
APPEAL = OpenApiParameter("appeal_pk", OpenApiTypes.INT, OpenApiParameter.PATH)
ERRORS = error_responses(400, 401, 403, 404)


class AnnouncementSerializer(serializers.ModelSerializer):
    round = serializers.IntegerField(source="appeal.number", allow_null=True, read_only=True)
    author = serializers.SerializerMethodField()

    class Meta:
        model = Announcement
        fields = [
            "id",
            "audience",
            "round",
            "subject",
            "text",
            "recipients",
            "author",
            "created_at",
        ]
        read_only_fields = fields

    def get_author(self, item: Announcement) -> str:
        seller = getattr(item.created_by, "seller", None) if item.created_by else None
        return seller.display_name if seller else ""


class AnnouncementCreateSerializer(serializers.Serializer):
    # Lengths are the action's to check, so the API and the page refuse with the same words.
    audience = serializers.ChoiceField(choices=Announcement.Audience.choices)
    subject = serializers.CharField(allow_blank=True, max_length=MAX_SUBJECT_LENGTH * 2)
    text = serializers.CharField(allow_blank=True, trim_whitespace=False)
    lift_limit = serializers.BooleanField(required=False, default=False)


class PreviewSerializer(serializers.Serializer):
    audience = serializers.CharField()
    round = serializers.IntegerField(allow_null=True)
    recipients = serializers.IntegerField()


class RemindNowSerializer(serializers.Serializer):
    round = serializers.IntegerField()
    follow_up = serializers.CharField()


@extend_schema_view(
    list=extend_schema(
        summary="The grievance's announcements (members and organisers)",
        parameters=[GRIEVANCE],
        responses={200: AnnouncementSerializer(many=True), **ERRORS},
    ),
    create=extend_schema(
        summary="Write to the members (organisers; one per grievance per day)",
        parameters=[GRIEVANCE],
        request=AnnouncementCreateSerializer,
        responses={201: AnnouncementSerializer, **ERRORS},
    ),
)
class AnnouncementViewSet(viewsets.GenericViewSet):
    permission_classes = [IsAuthenticated]
    serializer_class = AnnouncementSerializer
    queryset = Announcement.objects.none()
    pagination_class = None

    @cached_property
    def grievance(self) -> Grievance:
        return get_object_or_404(
            reachable_grievances(self.request.user), pk=self.kwargs["grievance_pk"]
        )

    def _require(self, organiser: bool) -> None:
        standing = standing_in(self.request.user, self.grievance)
        if organiser and not standing.organiser:
            raise PermissionDenied(_("Only the grievance's organisers can do this."))
        if not standing.insider:
            raise PermissionDenied(_("Only members of this grievance can see this."))

    def list(self, request, *args, **kwargs) -> Response:
        self._require(organiser=False)
        rows = (
            Announcement.objects.filter(grievance=self.grievance)
            .select_related("appeal", "created_by__seller")
            .order_by("-created_at", "-pk")
        )
        return Response(AnnouncementSerializer(rows, many=True).data)

    def create(self, request, *args, **kwargs) -> Response:
        self._require(organiser=True)
        data = AnnouncementCreateSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        item = announcements.announce(self.grievance, actor=request.user, **data.validated_data)
        return Response(AnnouncementSerializer(item).data, status=status.HTTP_201_CREATED)

    @extend_schema(
        summary="How many members an announcement to this audience would reach (organisers)",
        parameters=[
            GRIEVANCE,
            OpenApiParameter("audience", OpenApiTypes.STR, enum=Announcement.Audience.values),
        ],
        responses={200: PreviewSerializer, **ERRORS},
    )
    @action(detail=False, methods=["get"])
    def preview(self, request, *args, **kwargs) -> Response:
        self._require(organiser=True)
        audience = request.query_params.get("audience", Announcement.Audience.ALL)
        if audience not in Announcement.Audience.values:
            raise serializers.ValidationError(
                {"audience": [_("Choose one of the offered options.")]}
            )
        appeal, count = audience_count(self.grievance, audience)
        return Response(
            {"audience": audience, "round": appeal.number if appeal else None, "recipients": count}
        )


@extend_schema_view(
    create=extend_schema(
        summary="Remind the members who have not signed, now (organisers; once per round per 24 h)",
        parameters=[APPEAL],
        request=None,
        responses={202: RemindNowSerializer, **ERRORS},
    )
)
class RemindNowViewSet(viewsets.GenericViewSet):
    permission_classes = [IsAuthenticated]
    serializer_class = RemindNowSerializer
    queryset = Appeal.objects.none()

    def create(self, request, *args, **kwargs) -> Response:
        appeal = reachable_round(request.user, self.kwargs["appeal_pk"])
        if not standing_in(request.user, appeal.grievance).organiser:
            raise PermissionDenied(_("Only the grievance's organisers can do this."))
        follow_up = announcements.remind_now(appeal, actor=request.user)
        return Response(
            {"round": appeal.number, "follow_up": follow_up.key}, status=status.HTTP_202_ACCEPTED
        )
