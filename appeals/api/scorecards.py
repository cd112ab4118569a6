"""A platform's public scorecard in the API: /api/v1/platforms/<slug>/scorecard/ (the figures of
appeals.pages.scorecards). Public to everyone; recovered amounts are released figures only."""

from __future__ import annotations

from django.shortcuts import get_object_or_404
from drf_spectacular.utils import extend_schema
from rest_framework import serializers
from rest_framework.generics import GenericAPIView
from rest_framework.permissions import AllowAny
from rest_framework.response import Response

from appeals.pages.scorecards import scorecard_page
from coalition.api.errors import error_responses as errors
from coalition.models import Platform
from coalition.rules.disclosure import public_data


class ReleasedFigureSerializer(serializers.Serializer):
    released = serializers.BooleanField()
    value = serializers.CharField(allow_null=True, help_text="Rounded; null when hidden.")
    currency = serializers.CharField(allow_null=True)
    text = serializers.CharField(help_text="What a reader sees, or why the figure is hidden.")


class OutcomeCountSerializer(serializers.Serializer):
    category = serializers.CharField()
    outcome = serializers.CharField(help_text="granted, partial, rejected or awaiting")
    rounds = serializers.IntegerField()


class ScorecardSerializer(serializers.Serializer):
    platform = serializers.CharField(help_text="The platform's slug.")
    name = serializers.CharField()
    since = serializers.DateTimeField()
    until = serializers.DateTimeField()
    rounds_submitted = serializers.IntegerField()
    rounds_answered = serializers.IntegerField()
    median_business_days_to_first_answer = serializers.FloatField(allow_null=True)
    p90_business_days_to_first_answer = serializers.IntegerField(allow_null=True)
    rounds_judged_for_lateness = serializers.IntegerField()
    rounds_answered_late = serializers.IntegerField()
    share_answered_late = serializers.FloatField(allow_null=True)
    outcomes_by_category = OutcomeCountSerializer(many=True)
    recovered = ReleasedFigureSerializer(many=True)


def scorecard_data(page) -> dict:
    card = page.scorecard
    return {
        "platform": card.platform.slug,
        "name": card.platform.name,
        "since": card.since,
        "until": card.until,
        "rounds_submitted": card.rounds_submitted,
        "rounds_answered": card.answered,
        "median_business_days_to_first_answer": card.median_days,
        "p90_business_days_to_first_answer": card.p90_days,
        "rounds_judged_for_lateness": card.judged,
        "rounds_answered_late": card.late,
        "share_answered_late": None if card.late_share is None else round(card.late_share, 4),
        "outcomes_by_category": [
            {"category": category, "outcome": outcome, "rounds": n}
            for category, outcomes in card.outcomes_by_category.items()
            for outcome, n in sorted(outcomes.items())
        ],
        "recovered": [public_data(cell) for cell in card.recovered.values()],
    }


@extend_schema(
    tags=["platforms"],
    summary="A platform's public record over the last 12 months",
    responses={200: ScorecardSerializer, **errors(404)},
)
class ScorecardView(GenericAPIView):
    """Rounds submitted through Coalition in public grievances, business days to a first answer,
    the share answered late, decisions by kind of grievance and released recovered amounts."""

    serializer_class = ScorecardSerializer
    permission_classes = [AllowAny]
    queryset = Platform.objects.none()  # for the schema; the figures come from appeals.pages
    filter_backends: list = []

    def get(self, request, platform_slug: str) -> Response:
        platform = get_object_or_404(Platform, slug=platform_slug)
        return Response(ScorecardSerializer(scorecard_data(scorecard_page(platform))).data)
