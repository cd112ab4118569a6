"""A round's email thread with the platform, and classifying the replies the inbound reader took:
/api/v1/appeals/{appeal_pk}/thread/ and /api/v1/appeals/{appeal_pk}/replies/{id}/classify/.

Permissions (appeals/queries/inbound.py): a round the caller may not see is a 404; outsiders of
a round they can see get a 403 for its thread; members get what was sent and the classified
answers, without senders, raw messages or attachments; organisers and staff get everything. A
reply the caller may not see (a member asking for an unclassified one) is a 404; classifying one
they can see but not change is a 403.
"""

from __future__ import annotations

from django.shortcuts import get_object_or_404
from django.urls import reverse
from django.utils.translation import gettext as _
from drf_spectacular.utils import OpenApiParameter, extend_schema, extend_schema_field
from rest_framework import serializers, viewsets
from rest_framework.decorators import action
from rest_framework.exceptions import PermissionDenied
from rest_framework.permissions import IsAuthenticatedOrReadOnly
from rest_framework.response import Response

from appeals.actions import inbound
from appeals.api.responses import ResponseSerializer
from appeals.models import Appeal, InboundMessage, PlatformResponse
from appeals.pages.thread import ThreadItem, thread_of
from appeals.queries.inbound import thread_responses
from appeals.queries.rounds import Standing, reachable_round, standing_in

APPEAL_PK = OpenApiParameter("appeal_pk", int, OpenApiParameter.PATH, description="the round")


class AttachmentSerializer(serializers.Serializer):
    filename = serializers.CharField()
    content_type = serializers.CharField()
    size = serializers.IntegerField()
    sha256 = serializers.CharField()
    note = serializers.CharField()
    url = serializers.CharField(help_text="empty when kept only inside the original message")


class InboundMessageSerializer(serializers.ModelSerializer):
    raw_url = serializers.SerializerMethodField()
    attachments = serializers.SerializerMethodField()

    class Meta:
        model = InboundMessage
        fields = [
            "id", "from_address", "from_display", "subject", "sent_at", "received_at", "outcome",
            "matched_by", "problems", "sender_warnings", "auto_reply_reason", "size", "sha256",
            "raw_url", "attachments",
        ]  # fmt: skip
        read_only_fields = fields

    def get_raw_url(self, message: InboundMessage) -> str:
        return reverse("appeals:inbound_raw", args=[message.pk])

    @extend_schema_field(AttachmentSerializer(many=True))
    def get_attachments(self, message: InboundMessage) -> list[dict]:
        return [
            {
                "filename": a.filename,
                "content_type": a.content_type,
                "size": a.size,
                "sha256": a.sha256,
                "note": a.note,
                "url": reverse("appeals:inbound_attachment", args=[a.pk]) if a.file else "",
            }
            for a in message.attachments.all()
        ]


class ReplySerializer(ResponseSerializer):
    class Meta(ResponseSerializer.Meta):
        fields = [
            *ResponseSerializer.Meta.fields, "sender", "suggested_classification", "classified_at",
        ]  # fmt: skip
        read_only_fields = fields


class ThreadItemSerializer(serializers.Serializer):
    kind = serializers.ChoiceField(choices=["sent", "reply", "auto_reply"])
    at = serializers.DateTimeField()
    title = serializers.CharField()
    to_classify = serializers.BooleanField()
    subject = serializers.SerializerMethodField()
    response = serializers.SerializerMethodField()
    message = serializers.SerializerMethodField()

    def get_subject(self, item: ThreadItem) -> str:
        return item.email.subject if item.email else ""

    def _organiser(self) -> bool:
        return self.context["standing"].organiser

    @extend_schema_field(ReplySerializer(allow_null=True))
    def get_response(self, item: ThreadItem) -> dict | None:
        if item.response is None:
            return None
        if self._organiser():
            return ReplySerializer(item.response).data
        return ResponseSerializer(item.response).data

    @extend_schema_field(InboundMessageSerializer(allow_null=True))
    def get_message(self, item: ThreadItem) -> dict | None:
        if item.message is None or not self._organiser():
            return None
        return InboundMessageSerializer(item.message).data


class ClassifySerializer(serializers.Serializer):
    classification = serializers.ChoiceField(choices=PlatformResponse.Classification.choices)


@extend_schema(parameters=[APPEAL_PK])
class RoundThreadViewSet(viewsets.GenericViewSet):
    permission_classes = [IsAuthenticatedOrReadOnly]
    serializer_class = ThreadItemSerializer
    queryset = PlatformResponse.objects.none()  # for the schema: every lookup is scoped below
    pagination_class = None

    def _round(self) -> tuple[Appeal, Standing]:
        appeal = reachable_round(self.request.user, self.kwargs["appeal_pk"])
        return appeal, standing_in(self.request.user, appeal.grievance)

    @extend_schema(
        summary="The round's emails with the platform in date order (members; details organisers)",
        responses=ThreadItemSerializer(many=True),
    )
    def list(self, request, appeal_pk=None) -> Response:
        appeal, standing = self._round()
        if not standing.insider:
            raise PermissionDenied(_("Only members of this grievance can see this."))
        items = thread_of(appeal, standing)
        return Response(ThreadItemSerializer(items, many=True, context={"standing": standing}).data)

    @extend_schema(
        summary="Classify a platform reply; the round moves as for a recorded response (organisers)",
        request=ClassifySerializer,
        responses=ReplySerializer,
        parameters=[OpenApiParameter("id", int, OpenApiParameter.PATH, description="the reply")],
    )
    @action(detail=True, methods=["post"])
    def classify(self, request, appeal_pk=None, pk=None) -> Response:
        appeal, standing = self._round()
        if not standing.insider:
            raise PermissionDenied(_("Only the grievance's organisers can do this."))
        visible = thread_responses(appeal, organiser=standing.organiser)
        response = get_object_or_404(visible, pk=pk)
        if not standing.organiser:
            raise PermissionDenied(_("Only the grievance's organisers can do this."))
        serializer = ClassifySerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        response = inbound.classify_response(
            response, actor=request.user, classification=serializer.validated_data["classification"]
        )
        return Response(ReplySerializer(response).data)
