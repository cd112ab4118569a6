"""The escalation ladder in the API:

- GET /api/v1/grievances/{grievance_pk}/ladder/ — the current rung and every rung that applies,
  with its state, legal basis and window (anyone who may open the grievance);
- POST /api/v1/grievances/{grievance_pk}/ladder/climb/ — take a step (organisers);
- GET /api/v1/grievances/{grievance_pk}/ladder/dossier/ — the dossier ZIP (organisers).
Refusals are 400 with the action's message (coalition/api/errors.py).
"""

from __future__ import annotations

from functools import cached_property

from django.shortcuts import get_object_or_404
from django.utils.translation import gettext as _
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, OpenApiResponse, extend_schema
from rest_framework import serializers, status, viewsets
from rest_framework.decorators import action
from rest_framework.exceptions import NotFound, PermissionDenied
from rest_framework.permissions import AllowAny
from rest_framework.response import Response

from appeals.actions import ladder as ladder_actions
from appeals.documents.dossier import build_dossier, dossier_filename
from appeals.models import Climb
from appeals.queries.ladder import ladder_for
from appeals.queries.rounds import standing_in
from appeals.views.packets import zip_response
from coalition.api.errors import error_responses
from coalition.models import Grievance
from coalition.queries.grievances import reachable_grievances

GRIEVANCE = OpenApiParameter("grievance_pk", OpenApiTypes.INT, OpenApiParameter.PATH)
ERRORS = error_responses(400, 401, 403, 404)


class BasisSerializer(serializers.Serializer):
    regime = serializers.CharField()
    citation = serializers.CharField()
    body = serializers.CharField()


class RungSerializer(serializers.Serializer):
    key = serializers.CharField(
        help_text="internal_complaint, mediation, out_of_court, regulator or representative_action."
    )
    label = serializers.CharField(source="rung.label")
    state = serializers.ChoiceField(
        choices=["climbed", "open", "locked", "closed", "not_applicable"]
    )
    bases = BasisSerializer(many=True)
    window_closes = serializers.DateField(allow_null=True)
    needs = serializers.CharField(help_text="When locked: the step to take first.")


class ClimbSerializer(serializers.ModelSerializer):
    class Meta:
        model = Climb
        fields = [
            "id",
            "rung",
            "regime",
            "state",
            "reference",
            "note",
            "started_at",
            "decision_due",
            "decision_due_latest",
            "closed_at",
            "outcome",
        ]
        read_only_fields = fields


class LadderSerializer(serializers.Serializer):
    current = serializers.CharField()
    rounds_received = serializers.IntegerField()
    decision = serializers.DateField(allow_null=True)
    rungs = RungSerializer(many=True)
    climbs = ClimbSerializer(many=True)


class ClimbRequestSerializer(serializers.Serializer):
    # The model's choices, so the schema has one enum of rungs; the action refuses the rounds.
    rung = serializers.ChoiceField(choices=Grievance.Rung.choices)
    reference = serializers.CharField(required=False, allow_blank=True, default="", max_length=200)
    note = serializers.CharField(required=False, allow_blank=True, default="", max_length=5000)


class LadderViewSet(viewsets.GenericViewSet):
    permission_classes = [AllowAny]
    serializer_class = LadderSerializer
    queryset = Climb.objects.none()
    pagination_class = None

    @cached_property
    def grievance(self) -> Grievance:
        return get_object_or_404(
            reachable_grievances(self.request.user), pk=self.kwargs["grievance_pk"]
        )

    def _require_organiser(self) -> None:
        if not self.request.user.is_authenticated:
            raise NotFound()
        if not standing_in(self.request.user, self.grievance).organiser:
            raise PermissionDenied(_("Only the grievance's organisers can do this."))

    @extend_schema(
        summary="The grievance's escalation ladder",
        parameters=[GRIEVANCE],
        responses={200: LadderSerializer, **ERRORS},
    )
    def list(self, request, *args, **kwargs) -> Response:
        view = ladder_for(self.grievance)
        data = {
            "current": view.current,
            "rounds_received": view.rounds_received,
            "decision": view.decision,
            "rungs": [s for s in view.rungs if s.state != "not_applicable"],
            "climbs": view.climbs,
        }
        return Response(LadderSerializer(data).data)

    @extend_schema(
        summary="Take the next step on the ladder (organisers); the members are told by email",
        parameters=[GRIEVANCE],
        request=ClimbRequestSerializer,
        responses={201: ClimbSerializer, **ERRORS},
    )
    @action(detail=False, methods=["post"])
    def climb(self, request, *args, **kwargs) -> Response:
        self._require_organiser()
        data = ClimbRequestSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        step = ladder_actions.climb(self.grievance, actor=request.user, **data.validated_data)
        return Response(ClimbSerializer(step).data, status=status.HTTP_201_CREATED)

    @extend_schema(
        summary="The dossier: the latest packet and every round's history, as a ZIP (organisers)",
        parameters=[GRIEVANCE],
        responses={
            (200, "application/zip"): OpenApiResponse(OpenApiTypes.BINARY),
            **ERRORS,
        },
    )
    @action(detail=False, methods=["get"])
    def dossier(self, request, *args, **kwargs):
        self._require_organiser()
        path, sha256 = build_dossier(self.grievance)
        return zip_response(path, dossier_filename(self.grievance), sha256)
