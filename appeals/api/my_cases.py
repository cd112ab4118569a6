"""The "my cases" list in the API: /api/v1/my-cases/ (items from appeals.pages.my_cases)."""

from __future__ import annotations

from drf_spectacular.utils import extend_schema, extend_schema_view
from rest_framework import serializers
from rest_framework.permissions import IsAuthenticated
from rest_framework.response import Response
from rest_framework.viewsets import GenericViewSet

from appeals.models import Appeal
from appeals.pages.my_cases import my_cases

# Named choice set for the schema (SPECTACULAR_SETTINGS["ENUM_NAME_OVERRIDES"]).
CASE_ITEM_KINDS = ["sign", "log_submission", "report_outcome", "status"]


class CaseItemSerializer(serializers.Serializer):
    kind = serializers.ChoiceField(choices=CASE_ITEM_KINDS)
    is_todo = serializers.BooleanField()
    text = serializers.CharField()
    grievance = serializers.IntegerField(source="grievance.pk")
    round = serializers.IntegerField(source="appeal.pk", allow_null=True, default=None)
    round_number = serializers.IntegerField(source="appeal.number", allow_null=True, default=None)
    submission = serializers.IntegerField(source="submission.pk", allow_null=True, default=None)
    due_at = serializers.DateTimeField(allow_null=True)
    url = serializers.CharField()


@extend_schema_view(
    list=extend_schema(summary="What I have to do next, then where my grievances stand")
)
class MyCasesViewSet(GenericViewSet):
    serializer_class = CaseItemSerializer
    permission_classes = [IsAuthenticated]
    queryset = Appeal.objects.none()  # for the schema; the items come from appeals.pages

    def list(self, request) -> Response:
        items = my_cases(request.user)
        page = self.paginate_queryset(items)
        return self.get_paginated_response(self.get_serializer(page, many=True).data)
