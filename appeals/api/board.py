"""The organiser's board in the API: /api/v1/board/ (rows from appeals.pages.board)."""

from __future__ import annotations

from django.utils.translation import gettext_lazy
from drf_spectacular.utils import extend_schema, extend_schema_field, extend_schema_view
from rest_framework import serializers
from rest_framework.permissions import IsAuthenticated
from rest_framework.response import Response
from rest_framework.viewsets import GenericViewSet

from appeals.api.clocks import ClockSerializer
from appeals.models import Appeal
from appeals.pages.board import board_rows


class BoardRowSerializer(serializers.Serializer):
    round = serializers.IntegerField(source="appeal.pk")
    number = serializers.IntegerField(source="appeal.number")
    grievance = serializers.IntegerField(source="grievance.pk")
    grievance_title = serializers.CharField(source="grievance.title")
    platform = serializers.CharField(source="grievance.platform.name")
    state = serializers.CharField()
    state_label = serializers.CharField()
    outcome = serializers.CharField(source="appeal.outcome")
    channel = serializers.CharField(source="appeal.channel")
    due_at = serializers.DateTimeField(allow_null=True)
    clock = serializers.SerializerMethodField()
    signature_count = serializers.IntegerField()
    signature_goal = serializers.IntegerField()
    member_count = serializers.IntegerField()
    submission_count = serializers.IntegerField()
    outcomes = serializers.DictField(child=serializers.IntegerField())
    todo = serializers.ListField(
        child=serializers.CharField(), help_text=gettext_lazy("Who still has to act.")
    )
    url = serializers.CharField()

    @extend_schema_field(ClockSerializer)
    def get_clock(self, row) -> dict:
        return {
            "state": row.clock.state,
            "business_days": row.clock.business_days,
            "label": row.clock_label,
        }


@extend_schema_view(
    list=extend_schema(summary="The organiser's board: every round of the grievances I organise")
)
class BoardViewSet(GenericViewSet):
    """Overdue first; staff see every grievance's rounds."""

    serializer_class = BoardRowSerializer
    permission_classes = [IsAuthenticated]
    queryset = Appeal.objects.none()  # for the schema; the rows come from appeals.pages

    def list(self, request) -> Response:
        rows = board_rows(request.user)
        page = self.paginate_queryset(rows)
        return self.get_paginated_response(self.get_serializer(page, many=True).data)
