"""Members of a grievance: joining with one's case, leaving, the member list, verifying and
promoting. The endpoints are the grievance viewset's actions (/grievances/{id}/join/ …), kept
here as the mixin `MembershipActions`."""

from __future__ import annotations

from dataclasses import dataclass

from django.shortcuts import get_object_or_404
from drf_spectacular.utils import OpenApiExample, extend_schema
from rest_framework import serializers, status
from rest_framework.decorators import action
from rest_framework.permissions import IsAuthenticated
from rest_framework.request import Request
from rest_framework.response import Response

from coalition.actions.memberships import (
    join_grievance,
    leave_grievance,
    promote_member,
    verify_member,
)
from coalition.api.errors import error_responses as errors
from coalition.api.parameters import ID, MEMBERSHIP_ID, SHARE_KEY
from coalition.api.permissions import IsGrievanceMember, IsGrievanceOrganiser, ScopedThrottle
from coalition.api.stores import StoreSummarySerializer
from coalition.api.validation import CurrencyField, ValidateOnly
from coalition.models import Membership, Store
from coalition.queries.memberships import visible_members
from coalition.queries.sellers import own_stores

JOIN_EXAMPLE = OpenApiExample(
    "Joining with figures",
    request_only=True,
    value={
        "incident_date": "2025-05-02",
        "amount_withheld": "1250.00",
        "amount_fined": "0",
        "currency": "USD",
        "statement": "Our payouts have been held since May.",
        "consent_to_name": True,
    },
)


@dataclass(frozen=True)
class Standing:
    """The caller's place in one grievance."""

    membership: Membership | None
    organiser: bool


MEMBER_ACTIONS = [IsAuthenticated, IsGrievanceMember]


ORGANISER_ACTIONS = [IsAuthenticated, IsGrievanceOrganiser]


class MyMembershipSerializer(serializers.ModelSerializer):
    """The caller's own membership: their own case, including their own store."""

    store = StoreSummarySerializer(read_only=True, allow_null=True)

    class Meta:
        model = Membership
        fields = [
            "id",
            "grievance",
            "role",
            "state",
            "store",
            "incident_date",
            "amount_withheld",
            "amount_fined",
            "currency",
            "statement",
            "consent_to_name",
            "joined_at",
            "verified_at",
            "withdrawn_at",
        ]
        read_only_fields = fields


class JoinSerializer(ValidateOnly, serializers.ModelSerializer):
    """One's case on joining. Every field is optional; the store must be one's own."""

    store = serializers.PrimaryKeyRelatedField(
        queryset=Store.objects.none(),
        required=False,
        allow_null=True,
        help_text="Id of one of your own stores on this grievance's platform.",
    )
    currency = CurrencyField(required=False)

    class Meta:
        model = Membership
        fields = [
            "store",
            "incident_date",
            "amount_withheld",
            "amount_fined",
            "currency",
            "statement",
            "consent_to_name",
        ]

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        request = self.context.get("request")
        # Another seller's store reads as "does not exist", never as "not yours".
        self.fields["store"].queryset = own_stores(request.user if request else None)


# What only organisers and staff see of another member.
MEMBER_PRIVATE_FIELDS = (
    "store",
    "incident_date",
    "amount_withheld",
    "amount_fined",
    "currency",
    "statement",
    "consent_to_name",
)


class MemberSerializer(serializers.ModelSerializer):
    """A member of a grievance. Store, platform store ID and case figures are shown to the
    grievance's organisers only; for other members they are null."""

    # Context `organiser`: whether the caller organises the grievance (or is staff).

    display_name = serializers.CharField(source="seller.display_name", read_only=True)
    store = StoreSummarySerializer(read_only=True, allow_null=True)
    incident_date = serializers.DateField(read_only=True, allow_null=True)
    amount_withheld = serializers.DecimalField(
        max_digits=14, decimal_places=2, read_only=True, allow_null=True
    )
    amount_fined = serializers.DecimalField(
        max_digits=14, decimal_places=2, read_only=True, allow_null=True
    )
    currency = serializers.CharField(read_only=True, allow_null=True)
    statement = serializers.CharField(read_only=True, allow_null=True)
    consent_to_name = serializers.BooleanField(read_only=True, allow_null=True)

    class Meta:
        model = Membership
        fields = [
            "id",
            "display_name",
            "role",
            "state",
            "joined_at",
            "verified_at",
            *MEMBER_PRIVATE_FIELDS,
        ]
        read_only_fields = fields

    def to_representation(self, instance: Membership) -> dict:
        data = super().to_representation(instance)
        if not self.context.get("organiser"):
            data.update(dict.fromkeys(MEMBER_PRIVATE_FIELDS))
        return data


class MembershipActions:
    """The grievance viewset's membership endpoints. They use its `get_object`, `standing` and
    `_validated` (coalition/api/grievances.py)."""

    @extend_schema(
        summary="Join with your case; joining again changes nothing",
        parameters=[SHARE_KEY],
        request=JoinSerializer,
        examples=[JOIN_EXAMPLE],
        responses={
            201: MyMembershipSerializer,
            200: MyMembershipSerializer,
            **errors(400, 403, 404, 415, 429),
        },
    )
    @action(
        detail=True,
        methods=["post"],
        permission_classes=[IsAuthenticated],
        throttle_classes=[ScopedThrottle],
        throttle_scope="join",
    )
    def join(self, request: Request, pk: str) -> Response:
        grievance = self.get_object()
        case = self._validated(JoinSerializer, data=request.data)
        already = self.standing(grievance).membership is not None
        membership = join_grievance(grievance, actor=request.user, **case)
        return Response(
            MyMembershipSerializer(membership).data,
            status=status.HTTP_200_OK if already else status.HTTP_201_CREATED,
        )

    @extend_schema(
        summary="Leave; the last organiser must hand over first",
        request=None,
        responses={200: MyMembershipSerializer, **errors(400, 403, 404)},
    )
    @action(detail=True, methods=["post"], permission_classes=[IsAuthenticated])
    def leave(self, request: Request, pk: str) -> Response:
        membership = leave_grievance(self.get_object(), actor=request.user)
        return Response(MyMembershipSerializer(membership).data)

    @extend_schema(
        summary="Members (organisers: everyone, with stores and figures; members: who agreed to be named)",
        responses={200: MemberSerializer(many=True), **errors(403, 404)},
    )
    @action(detail=True, methods=["get"], permission_classes=MEMBER_ACTIONS, filter_backends=[])
    def members(self, request: Request, pk: str) -> Response:
        grievance = self.get_object()
        organiser = self.standing(grievance).organiser
        page = self.paginate_queryset(visible_members(request.user, grievance, organiser=organiser))
        context = {**self.get_serializer_context(), "organiser": organiser}
        return self.get_paginated_response(MemberSerializer(page, many=True, context=context).data)

    @extend_schema(
        summary="Verify a member (organisers)",
        request=None,
        parameters=[MEMBERSHIP_ID],
        responses={200: MemberSerializer, **errors(400, 403, 404)},
    )
    @action(
        detail=True,
        methods=["post"],
        url_path=rf"members/(?P<membership_id>{ID})/verify",
        url_name="member-verify",
        permission_classes=ORGANISER_ACTIONS,
    )
    def verify_member(self, request: Request, pk: str, membership_id: str) -> Response:
        membership = verify_member(self._membership(membership_id), actor=request.user)
        return Response(
            MemberSerializer(
                membership, context={**self.get_serializer_context(), "organiser": True}
            ).data
        )

    @extend_schema(
        summary="Make a member co-organiser (organisers)",
        request=None,
        parameters=[MEMBERSHIP_ID],
        responses={200: MemberSerializer, **errors(400, 403, 404)},
    )
    @action(
        detail=True,
        methods=["post"],
        url_path=rf"members/(?P<membership_id>{ID})/promote",
        url_name="member-promote",
        permission_classes=ORGANISER_ACTIONS,
    )
    def promote_member(self, request: Request, pk: str, membership_id: str) -> Response:
        membership = promote_member(self._membership(membership_id), actor=request.user)
        return Response(
            MemberSerializer(
                membership, context={**self.get_serializer_context(), "organiser": True}
            ).data
        )

    def _membership(self, membership_id: str) -> Membership:
        """A membership of this grievance (which the caller organises), or 404."""
        grievance = self.get_object()
        return get_object_or_404(
            grievance.memberships.select_related("seller", "store", "grievance__platform"),
            pk=membership_id,
        )
