"""Coalition API: platforms, the caller's stores and profile, grievances and their members.

Every queryset comes from coalition.queries, scoped to what the caller may see, so an object
they may not know exists is a 404; every write is a coalition action, whose refusals the
exception handler turns into 400 JSON with the field's message.
"""

from __future__ import annotations

from dataclasses import dataclass

from django.db.models import Q, QuerySet
from django.shortcuts import get_object_or_404
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import (
    OpenApiExample,
    OpenApiParameter,
    extend_schema,
    extend_schema_view,
)
from rest_framework import mixins, status
from rest_framework.authtoken.models import Token
from rest_framework.decorators import action
from rest_framework.generics import GenericAPIView
from rest_framework.permissions import AllowAny, IsAuthenticated, IsAuthenticatedOrReadOnly
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.viewsets import GenericViewSet

from coalition import actions
from coalition.api.filters import GrievanceFilter
from coalition.api.permissions import IsGrievanceMember, IsGrievanceOrganiser, ScopedThrottle
from coalition.api.serializers import (
    GrievanceCreateSerializer,
    GrievanceDetailSerializer,
    GrievanceListSerializer,
    GrievanceStateSerializer,
    GrievanceUpdateSerializer,
    JoinSerializer,
    LoginSerializer,
    MemberSerializer,
    MergeSerializer,
    MeSerializer,
    MyMembershipSerializer,
    PlatformSerializer,
    SimilarGrievanceSerializer,
    SimilarQuerySerializer,
    StoreSerializer,
    TimelineEventSerializer,
    TokenSerializer,
)
from coalition.api.serializers import error_responses as errors
from coalition.models import AuditEvent, Grievance, Membership, Platform, Store
from coalition.queries import (
    aggregates,
    can_organise,
    is_staff,
    listed_grievances,
    membership_of,
    own_stores,
    reachable_grievances,
    similar_grievances,
    visible_members,
    with_member_count,
)

# Nested membership ids in paths are digits only.
ID = r"\d+"

MEMBERSHIP_ID = OpenApiParameter("membership_id", OpenApiTypes.INT, OpenApiParameter.PATH)

# Schema texts (summaries, examples) are English only: they are for developers reading the docs;
# what a seller reads in a response (error messages) is translated.
# Request examples for the docs (schemathesis also sends them as they are).
STORE_EXAMPLE = OpenApiExample(
    "A suspended store",
    request_only=True,
    value={
        "platform": "wish",
        "name": "Sunrise Home",
        "platform_store_id": "5f1e2a9c",
        "state": "suspended",
    },
)
GRIEVANCE_EXAMPLE = OpenApiExample(
    "Funds withheld",
    request_only=True,
    value={
        "platform": "wish",
        "category": "funds_withheld",
        "title": "Payouts withheld after the May policy change",
        "summary": "Since 1 May payouts to stores that ship from China are held for 90 days without a reason.",
        "demands": "Release the held payouts and give each store a statement of reasons.",
        "visibility": "public",
    },
)
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


# --- platforms -----------------------------------------------------------------------------


@extend_schema(tags=["platforms"])
@extend_schema_view(
    list=extend_schema(
        summary="Marketplace profiles",
        responses={200: PlatformSerializer(many=True), **errors(404)},
    ),
    retrieve=extend_schema(
        summary="One marketplace profile", responses={200: PlatformSerializer, **errors(404)}
    ),
)
class PlatformViewSet(mixins.ListModelMixin, mixins.RetrieveModelMixin, GenericViewSet):
    """Public marketplace profiles, by slug."""

    queryset = Platform.objects.order_by("name")  # public to everyone: nothing to scope
    serializer_class = PlatformSerializer
    permission_classes = [AllowAny]
    filter_backends: list = []
    lookup_field = "slug"
    lookup_value_regex = r"[-a-zA-Z0-9_]+"


# --- the caller's stores and profile ---------------------------------------------------------


@extend_schema(tags=["stores"])
@extend_schema_view(
    list=extend_schema(
        summary="Your stores", responses={200: StoreSerializer(many=True), **errors(403, 404)}
    ),
    create=extend_schema(
        summary="Add a store",
        examples=[STORE_EXAMPLE],
        responses={201: StoreSerializer, **errors(400, 403, 415)},
    ),
    retrieve=extend_schema(
        summary="One of your stores", responses={200: StoreSerializer, **errors(403, 404)}
    ),
    update=extend_schema(
        summary="Change a store", responses={200: StoreSerializer, **errors(400, 403, 404, 415)}
    ),
    partial_update=extend_schema(
        summary="Change a store", responses={200: StoreSerializer, **errors(400, 403, 404, 415)}
    ),
    destroy=extend_schema(summary="Remove a store", responses={204: None, **errors(403, 404)}),
)
class StoreViewSet(
    mixins.ListModelMixin,
    mixins.CreateModelMixin,
    mixins.RetrieveModelMixin,
    mixins.UpdateModelMixin,
    mixins.DestroyModelMixin,
    GenericViewSet,
):
    """The caller's own stores; anybody else's store is a 404."""

    serializer_class = StoreSerializer
    permission_classes = [IsAuthenticated]
    filter_backends: list = []

    def get_queryset(self) -> QuerySet[Store]:
        return own_stores(self.request.user).order_by("name", "id")

    def perform_create(self, serializer: StoreSerializer) -> None:
        serializer.instance = actions.create_store(
            actor=self.request.user, **serializer.validated_data
        )

    def perform_update(self, serializer: StoreSerializer) -> None:
        serializer.instance = actions.update_store(
            serializer.instance, actor=self.request.user, **serializer.validated_data
        )

    def perform_destroy(self, instance: Store) -> None:
        actions.delete_store(instance, actor=self.request.user)


@extend_schema(tags=["me"])
class MeView(GenericAPIView):
    """The caller's seller profile."""

    serializer_class = MeSerializer
    permission_classes = [IsAuthenticated]

    def get_object(self):
        # Users made outside sign-up (admin, shell) get their profile on first need.
        return actions.ensure_seller(self.request.user)

    @extend_schema(summary="Your profile", responses={200: MeSerializer, **errors(403)})
    def get(self, request: Request) -> Response:
        return Response(self.get_serializer(self.get_object()).data)

    @extend_schema(
        summary="Change your profile", responses={200: MeSerializer, **errors(400, 403, 415)}
    )
    def patch(self, request: Request) -> Response:
        seller = self.get_object()
        serializer = self.get_serializer(seller, data=request.data, partial=True)
        serializer.is_valid(raise_exception=True)
        seller = actions.update_profile(seller, actor=request.user, **serializer.validated_data)
        return Response(self.get_serializer(seller).data)


@extend_schema(tags=["auth"])
class TokenView(GenericAPIView):
    """Exchange an email address and password for an API token (header `Authorization: Token <key>`)."""

    serializer_class = LoginSerializer
    authentication_classes: list = []  # no session: no CSRF token needed to log in
    permission_classes = [AllowAny]
    throttle_classes = [ScopedThrottle]
    throttle_scope = "auth_token"

    @extend_schema(
        summary="Get an API token",
        request=LoginSerializer,
        responses={200: TokenSerializer, **errors(400, 415, 429)},
        auth=[],
    )
    def post(self, request: Request) -> Response:
        serializer = self.get_serializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        # DRF's own token table, as rest_framework.authtoken's obtain view does; no coalition model.
        token, _created = Token.objects.get_or_create(user=serializer.validated_data["user"])
        return Response({"token": token.key})


# --- grievances ----------------------------------------------------------------------------


@dataclass(frozen=True)
class Standing:
    """The caller's place in one grievance."""

    membership: Membership | None
    organiser: bool


MEMBER_ACTIONS = [IsAuthenticated, IsGrievanceMember]
ORGANISER_ACTIONS = [IsAuthenticated, IsGrievanceOrganiser]


SHARE_KEY = OpenApiParameter(
    "key",
    OpenApiTypes.STR,
    description="The share key from an unlisted grievance's link; not needed for public ones.",
)


@extend_schema(tags=["grievances"])
@extend_schema_view(
    list=extend_schema(
        summary="Find grievances",
        responses={200: GrievanceListSerializer(many=True), **errors(400, 404)},
    ),
)
class GrievanceViewSet(mixins.ListModelMixin, GenericViewSet):
    """Grievances: lists show public ones (plus unlisted ones you belong to); a link opens any
    that is not hidden. Hidden ones are a 404 except to their members and staff."""

    permission_classes = [IsAuthenticatedOrReadOnly]
    filterset_class = GrievanceFilter
    throttle_scope: str | None = None  # set per action (join)

    def get_queryset(self) -> QuerySet[Grievance]:
        user = self.request.user
        if self.action == "list":
            # platform is already select_related by the queries helpers.
            return with_member_count(listed_grievances(user)).order_by("-created_at", "-id")
        # An unlisted grievance opens with the share key from its link (?key=).
        key = self.request.query_params.get("key") or None
        if self.action == "retrieve":
            return with_member_count(reachable_grievances(user, key))
        return reachable_grievances(user, key)

    def filter_queryset(self, queryset: QuerySet) -> QuerySet:
        # The ?q=/?platform= filters narrow the list only, never a detail lookup.
        return super().filter_queryset(queryset) if self.action == "list" else queryset

    def get_serializer_class(self):
        return GrievanceListSerializer if self.action == "list" else GrievanceDetailSerializer

    def get_permissions(self):
        if self.action == "partial_update":
            return [permission() for permission in ORGANISER_ACTIONS]
        return super().get_permissions()

    def standing(self, grievance: Grievance) -> Standing:
        """Looked up once per request and grievance; the permissions ask for it too."""
        cache: dict[int, Standing] = self.__dict__.setdefault("_standing", {})
        if grievance.pk not in cache:
            user = self.request.user
            membership = membership_of(user, grievance)
            # can_organise would look the membership up again when there is none.
            organiser = is_staff(user) or (
                membership is not None and can_organise(user, grievance, membership)
            )
            cache[grievance.pk] = Standing(membership, organiser)
        return cache[grievance.pk]

    def _detail(
        self, grievance: Grievance, status_code: int = status.HTTP_200_OK, *, fresh: bool = False
    ) -> Response:
        """The detail representation; after a write it is read afresh, as the counts have moved."""
        if not fresh:
            self.__dict__.pop("_standing", None)
            grievance = with_member_count(Grievance.objects.select_related("platform")).get(
                pk=grievance.pk
            )
        standing = self.standing(grievance)
        context = {
            **self.get_serializer_context(),
            "organiser": standing.organiser,
            "membership": standing.membership,
            "aggregates": aggregates(grievance, organiser=standing.organiser),
        }
        return Response(
            GrievanceDetailSerializer(grievance, context=context).data, status=status_code
        )

    def _validated(self, serializer_class, **kwargs) -> dict:
        serializer = serializer_class(context=self.get_serializer_context(), **kwargs)
        serializer.is_valid(raise_exception=True)
        return serializer.validated_data

    # -- the grievance itself ---------------------------------------------------------------

    @extend_schema(
        summary="One grievance",
        parameters=[SHARE_KEY],
        responses={200: GrievanceDetailSerializer, **errors(404)},
    )
    def retrieve(self, request: Request, pk: str) -> Response:
        return self._detail(self.get_object(), fresh=True)

    @extend_schema(
        summary="Register a grievance; you become its organiser",
        request=GrievanceCreateSerializer,
        examples=[GRIEVANCE_EXAMPLE],
        responses={201: GrievanceDetailSerializer, **errors(400, 403, 415)},
    )
    def create(self, request: Request) -> Response:
        data = self._validated(GrievanceCreateSerializer, data=request.data)
        grievance = actions.create_grievance(actor=request.user, **data)
        return self._detail(grievance, status.HTTP_201_CREATED)

    @extend_schema(
        summary="Edit a grievance (organisers)",
        request=GrievanceUpdateSerializer,
        responses={200: GrievanceDetailSerializer, **errors(400, 403, 404, 415)},
    )
    def partial_update(self, request: Request, pk: str) -> Response:
        grievance = self.get_object()
        data = self._validated(
            GrievanceUpdateSerializer, instance=grievance, data=request.data, partial=True
        )
        actions.update_grievance(grievance, actor=request.user, **data)
        return self._detail(grievance)

    @extend_schema(
        summary="Open, resolve or close a grievance (organisers)",
        request=GrievanceStateSerializer,
        responses={200: GrievanceDetailSerializer, **errors(400, 403, 404, 415)},
    )
    @action(detail=True, methods=["post"], url_path="state", permission_classes=ORGANISER_ACTIONS)
    def set_state(self, request: Request, pk: str) -> Response:
        grievance = self.get_object()
        data = self._validated(GrievanceStateSerializer, data=request.data)
        actions.set_grievance_state(grievance, data["state"], actor=request.user)
        return self._detail(grievance)

    @extend_schema(
        summary="Merge this duplicate into another grievance (organisers of both)",
        request=MergeSerializer,
        responses={200: GrievanceDetailSerializer, **errors(400, 403, 404, 415)},
    )
    @action(detail=True, methods=["post"], permission_classes=ORGANISER_ACTIONS)
    def merge(self, request: Request, pk: str) -> Response:
        duplicate = self.get_object()
        data = self._validated(MergeSerializer, data=request.data)
        into = actions.merge_grievances(duplicate, into=data["into"], actor=request.user)
        return self._detail(into)

    @extend_schema(
        summary="Open grievances like the one you are about to register",
        parameters=[SimilarQuerySerializer],
        responses={200: SimilarGrievanceSerializer(many=True), **errors(400)},
    )
    @action(
        detail=False,
        methods=["get"],
        permission_classes=[AllowAny],
        pagination_class=None,
        filter_backends=[],
    )
    def similar(self, request: Request) -> Response:
        query = self._validated(SimilarQuerySerializer, data=request.query_params)
        found = similar_grievances(
            query["platform"], query["title"], query["text"], user=request.user
        )
        return Response(
            SimilarGrievanceSerializer(found, many=True, context=self.get_serializer_context()).data
        )

    # -- membership -------------------------------------------------------------------------

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
        membership = actions.join_grievance(grievance, actor=request.user, **case)
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
        membership = actions.leave_grievance(self.get_object(), actor=request.user)
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
        membership = actions.verify_member(self._membership(membership_id), actor=request.user)
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
        membership = actions.promote_member(self._membership(membership_id), actor=request.user)
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

    # -- timeline ---------------------------------------------------------------------------

    @extend_schema(
        summary="What happened, newest first (members and organisers)",
        responses={200: TimelineEventSerializer(many=True), **errors(403, 404)},
    )
    @action(detail=True, methods=["get"], permission_classes=MEMBER_ACTIONS, filter_backends=[])
    def timeline(self, request: Request, pk: str) -> Response:
        grievance = self.get_object()
        events = AuditEvent.objects.filter(grievance=grievance).select_related("actor__seller")
        page = self.paginate_queryset(events.order_by("-created_at", "-id"))
        context = {
            **self.get_serializer_context(),
            "organiser": self.standing(grievance).organiser,
            "named_user_ids": _named_user_ids(grievance),
        }
        return self.get_paginated_response(
            TimelineEventSerializer(page, many=True, context=context).data
        )


def _named_user_ids(grievance: Grievance) -> frozenset[int]:
    """Users whose names members may see on the timeline: organisers, and members who agreed to
    be named (the same people visible_members shows them)."""
    named = grievance.memberships.active().filter(
        Q(consent_to_name=True) | Q(role=Membership.Role.ORGANISER)
    )
    return frozenset(named.values_list("seller__user_id", flat=True))
