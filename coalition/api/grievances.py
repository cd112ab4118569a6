"""Grievances: find, open, register, edit, change state, merge, similar ones, and the timeline.
The membership endpoints are mixed in from coalition/api/memberships.py."""

from __future__ import annotations

from django.db.models import QuerySet
from django.utils.translation import gettext_lazy as _
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import (
    OpenApiExample,
    extend_schema,
    extend_schema_field,
    extend_schema_view,
)
from rest_framework import mixins, serializers, status
from rest_framework.decorators import action
from rest_framework.permissions import AllowAny, IsAuthenticatedOrReadOnly
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.viewsets import GenericViewSet

from coalition.actions.grievances import (
    create_grievance,
    merge_grievances,
    set_grievance_state,
    update_grievance,
)
from coalition.api.errors import error_responses as errors
from coalition.api.figures import AggregatesSerializer
from coalition.api.filters import GrievanceFilter
from coalition.api.memberships import (
    MEMBER_ACTIONS,
    ORGANISER_ACTIONS,
    MembershipActions,
    MyMembershipSerializer,
    Standing,
)
from coalition.api.pagination import BoundedCountPagination
from coalition.api.parameters import SHARE_KEY
from coalition.api.platforms import PlatformSummarySerializer
from coalition.api.public import CachedAs, plain_public_read, public_answer
from coalition.api.rows import ListRows
from coalition.api.validation import ValidateOnly
from coalition.cache import LISTS, grievance_scope, is_public_request
from coalition.categories import checklist_for
from coalition.models import AuditEvent, Grievance, Platform, Seller
from coalition.queries.grievances import (
    listed_grievances,
    reachable_grievances,
    similar_grievances,
    with_member_count,
)
from coalition.queries.memberships import aggregates, can_organise, membership_of
from coalition.queries.sellers import is_staff
from coalition.queries.tallies import public_aggregates
from coalition.queries.timeline import grievance_events, named_user_ids
from coalition.rules.integers import parse_id
from coalition.rules.verbs import describe

# Schema texts (summaries, examples) are English only: they are for developers reading the docs;
# what a seller reads in a response (error messages) is translated.
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


# --- serializers ---------------------------------------------------------------------------


class GrievanceLinkMixin(serializers.Serializer):
    url = serializers.SerializerMethodField(help_text="The grievance's page on the site.")

    def get_url(self, obj: Grievance) -> str:
        path = obj.get_absolute_url()
        request = self.context.get("request")
        return request.build_absolute_uri(path) if request is not None else path


class GrievanceRowSerializer(GrievanceLinkMixin, serializers.ModelSerializer):
    """The fields of a grievance in the list (and the start of the detail)."""

    platform = PlatformSummarySerializer(read_only=True)
    category_label = serializers.CharField(source="get_category_display", read_only=True)
    member_count = serializers.IntegerField(read_only=True)

    class Meta:
        model = Grievance
        fields = [
            "id",
            "url",
            "platform",
            "category",
            "category_label",
            "title",
            "summary",
            "state",
            "rung",
            "visibility",
            "member_count",
            "created_at",
        ]
        read_only_fields = fields


class GrievanceListSerializer(GrievanceRowSerializer):
    """A list row, written out directly (coalition/api/rows.py): the same fields as the
    declared ones, without per-row field machinery, translation lookups or URL reversing."""

    class Meta(GrievanceRowSerializer.Meta):
        pass

    def to_representation(self, instance: Grievance) -> dict:
        return self.context["rows"].row(instance)


class ChecklistItemSerializer(serializers.Serializer):
    kind = serializers.CharField()
    label = serializers.CharField()


class GrievanceDetailSerializer(GrievanceRowSerializer):
    """A grievance with its figures, evidence checklist and your own place in it."""

    # Context: `organiser` (bool), `membership` (the caller's, or None), `aggregates`.

    aggregates = serializers.SerializerMethodField()
    checklist = serializers.SerializerMethodField()
    my_membership = serializers.SerializerMethodField()
    can_organise = serializers.SerializerMethodField()

    class Meta(GrievanceRowSerializer.Meta):
        fields = [
            *GrievanceRowSerializer.Meta.fields,
            "demands",
            "infraction_date",
            "auto_rounds",
            "hidden",
            "merged_into",
            "updated_at",
            "aggregates",
            "checklist",
            "my_membership",
            "can_organise",
        ]
        read_only_fields = fields

    @extend_schema_field(AggregatesSerializer)
    def get_aggregates(self, obj: Grievance) -> dict:
        return AggregatesSerializer(self.context["aggregates"]).data

    @extend_schema_field(ChecklistItemSerializer(many=True))
    def get_checklist(self, obj: Grievance) -> list[dict]:
        return [{"kind": kind, "label": str(label)} for kind, label in checklist_for(obj.category)]

    @extend_schema_field(MyMembershipSerializer(allow_null=True))
    def get_my_membership(self, obj: Grievance) -> dict | None:
        membership = self.context.get("membership")
        return MyMembershipSerializer(membership).data if membership is not None else None

    @extend_schema_field(OpenApiTypes.BOOL)
    def get_can_organise(self, obj: Grievance) -> bool:
        return bool(self.context.get("organiser"))


class GrievanceCreateSerializer(ValidateOnly, serializers.ModelSerializer):
    platform = serializers.SlugRelatedField(slug_field="slug", queryset=Platform.objects.all())

    class Meta:
        model = Grievance
        fields = [
            "platform",
            "category",
            "title",
            "summary",
            "demands",
            "visibility",
            "infraction_date",
        ]


class GrievanceUpdateSerializer(ValidateOnly, serializers.ModelSerializer):
    """What organisers may edit (coalition.actions.grievances.EDITABLE_GRIEVANCE_FIELDS)."""

    class Meta:
        model = Grievance
        fields = [
            "category",
            "title",
            "summary",
            "demands",
            "visibility",
            "rung",
            "infraction_date",
            "auto_rounds",
        ]


class GrievanceStateSerializer(ValidateOnly, serializers.Serializer):
    # All states, so the schema names one enum; coalition/actions/grievances.py refuses the moves it does not allow.
    state = serializers.ChoiceField(choices=Grievance.State.choices)


class MergeSerializer(ValidateOnly, serializers.Serializer):
    into = serializers.PrimaryKeyRelatedField(
        queryset=Grievance.objects.none(), help_text="The grievance this one is folded into."
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        request = self.context.get("request")
        # Only grievances the caller can reach: others read as "does not exist".
        self.fields["into"].queryset = reachable_grievances(request.user if request else None)


class SimilarQuerySerializer(ValidateOnly, serializers.Serializer):
    platform = serializers.CharField(max_length=80, help_text="Platform slug or id.")
    title = serializers.CharField(
        max_length=160, help_text="The title typed so far (3 characters or more)."
    )
    text = serializers.CharField(max_length=5000, required=False, allow_blank=True, default="")

    def validate_platform(self, value: str) -> Platform:
        platform_id = parse_id(value)
        lookup = {"pk": platform_id} if platform_id is not None else {"slug": value}
        platform = Platform.objects.filter(**lookup).first()
        if platform is None:
            raise serializers.ValidationError(_("Unknown platform."))
        return platform


class SimilarGrievanceSerializer(GrievanceLinkMixin, serializers.ModelSerializer):
    member_count = serializers.IntegerField(read_only=True)
    category_label = serializers.CharField(source="get_category_display", read_only=True)

    class Meta:
        model = Grievance
        fields = ["id", "title", "url", "member_count", "category", "category_label"]
        read_only_fields = fields


class TimelineEventSerializer(serializers.ModelSerializer):
    """One timeline entry. Members see the names of organisers and of members who agreed to be
    named (others appear as "a member"); `data` is shown to organisers only."""

    # Context: `organiser` (bool) and `named_user_ids` (the users members may see by name).

    label = serializers.SerializerMethodField()
    actor = serializers.SerializerMethodField()
    data = serializers.SerializerMethodField()

    class Meta:
        model = AuditEvent
        fields = ["id", "verb", "label", "actor", "subject", "data", "created_at"]
        read_only_fields = fields

    @extend_schema_field(OpenApiTypes.STR)
    def get_label(self, obj: AuditEvent) -> str:
        return describe(obj)

    @extend_schema_field(serializers.CharField(allow_null=True))
    def get_actor(self, obj: AuditEvent) -> str | None:
        if obj.actor_id is None:
            return None  # the system
        viewer = self.context["request"].user
        if self.context.get("organiser") or obj.actor_id in (
            viewer.pk,
            *self.context.get("named_user_ids", ()),
        ):
            seller = _seller_or_none(obj.actor)
            return seller.display_name if seller is not None else str(_("Coalition staff"))
        return str(_("Coalition staff")) if obj.actor.is_staff else str(_("a member"))

    @extend_schema_field(serializers.DictField(allow_null=True))
    def get_data(self, obj: AuditEvent) -> dict | None:
        return obj.data if self.context.get("organiser") else None


def _seller_or_none(user) -> Seller | None:
    try:
        return user.seller  # select_related cached it; a user without a profile raises
    except Seller.DoesNotExist:
        return None


# --- viewset -------------------------------------------------------------------------------


@extend_schema(tags=["grievances"])
@extend_schema_view(
    list=extend_schema(
        summary="Find grievances",
        responses={200: GrievanceListSerializer(many=True), **errors(400, 404)},
    ),
)
class GrievanceViewSet(MembershipActions, mixins.ListModelMixin, GenericViewSet):
    """Grievances: lists show public ones (plus unlisted ones you belong to); a link opens any
    that is not hidden. Hidden ones are a 404 except to their members and staff."""

    permission_classes = [IsAuthenticatedOrReadOnly]
    filterset_class = GrievanceFilter
    pagination_class = BoundedCountPagination
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

    def get_serializer_context(self) -> dict:
        context = super().get_serializer_context()
        if self.action == "list":
            context["rows"] = ListRows(self.request)
        return context

    def dispatch(self, request, *args, **kwargs):
        # An anonymous read of a cached answer is served without DRF's request (public.py).
        if request.method == "GET":
            self.args, self.kwargs = args, kwargs
            self.action = self.action_map.get("get")
            answer = plain_public_read(self, request)
            if answer is not None:
                return answer
        return super().dispatch(request, *args, **kwargs)

    def cached_as(self, request) -> CachedAs | None:
        """What an anonymous answer of `request` is cached as (public.py); None: not cached."""
        if self.action == "list":
            return "api.grievance_list", [LISTS], [request.get_full_path()]
        pk = self.kwargs.get("pk", "")
        # Only a canonical id is cached: "05" would be cached under a scope nothing bumps.
        if self.action == "retrieve" and pk.isdigit() and str(int(pk)) == pk:
            scopes = [grievance_scope(int(pk))]
            return "api.grievance_detail", scopes, [pk, request.GET.get("key", "")]
        return None

    def list(self, request: Request, *args, **kwargs) -> Response:
        # Anonymous visitors all read the same list: built once per change (coalition/cache.py).
        if not is_public_request(request):
            return super().list(request, *args, **kwargs)
        return public_answer(
            self,
            *self.cached_as(request),
            lambda: super(GrievanceViewSet, self).list(request).data,
        )

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
            # Organisers' exact figures are summed now; everyone else reads the kept ones.
            "aggregates": aggregates(grievance, organiser=True)
            if standing.organiser
            else public_aggregates(grievance),
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
        cached_as = self.cached_as(request) if is_public_request(request) else None
        if cached_as is None:
            return self._detail(self.get_object(), fresh=True)
        return public_answer(
            self, *cached_as, lambda: self._detail(self.get_object(), fresh=True).data
        )

    @extend_schema(
        summary="Register a grievance; you become its organiser",
        request=GrievanceCreateSerializer,
        examples=[GRIEVANCE_EXAMPLE],
        responses={201: GrievanceDetailSerializer, **errors(400, 403, 415)},
    )
    def create(self, request: Request) -> Response:
        data = self._validated(GrievanceCreateSerializer, data=request.data)
        grievance = create_grievance(actor=request.user, **data)
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
        update_grievance(grievance, actor=request.user, **data)
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
        set_grievance_state(grievance, data["state"], actor=request.user)
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
        into = merge_grievances(duplicate, into=data["into"], actor=request.user)
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

    # -- timeline ---------------------------------------------------------------------------

    @extend_schema(
        summary="What happened, newest first (members and organisers)",
        responses={200: TimelineEventSerializer(many=True), **errors(403, 404)},
    )
    @action(detail=True, methods=["get"], permission_classes=MEMBER_ACTIONS, filter_backends=[])
    def timeline(self, request: Request, pk: str) -> Response:
        grievance = self.get_object()
        page = self.paginate_queryset(grievance_events(grievance))
        context = {
            **self.get_serializer_context(),
            "organiser": self.standing(grievance).organiser,
            "named_user_ids": named_user_ids(grievance),
        }
        return self.get_paginated_response(
            TimelineEventSerializer(page, many=True, context=context).data
        )
