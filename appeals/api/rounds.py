"""Appeal rounds in the API: /api/v1/appeals/, with signing, submitting, responses, the caller's
signature and members' submissions as actions on a round (their shapes: signatures.py,
submissions.py, responses.py beside this module).

Querysets are scoped by appeals.queries.rounds.visible_rounds, so a round the caller may not know
exists is a 404 before any permission check; a visible round the caller may not act on is a 403.
Serializers validate input and present output; they never write: every write calls an action in
appeals/actions, and ActionRefused becomes a 400 through the project's exception handler. What a
caller sees follows appeals/queries: letters, case references, responses and submissions only for
the grievance's members, organisers and staff.
"""

from __future__ import annotations

from django.shortcuts import get_object_or_404
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import (
    OpenApiParameter,
    extend_schema,
    extend_schema_field,
    extend_schema_view,
)
from rest_framework import mixins, serializers, status
from rest_framework.decorators import action
from rest_framework.exceptions import PermissionDenied
from rest_framework.permissions import IsAuthenticatedOrReadOnly
from rest_framework.response import Response
from rest_framework.viewsets import GenericViewSet

from appeals.actions import drafting, member_cases, responses, signing, submitting
from appeals.api.clocks import ClockSerializer
from appeals.api.responses import ResponseCreateSerializer, ResponseSerializer
from appeals.api.signatures import (
    MySignatureSerializer,
    SignSerializer,
    cosign,
    defer_token,
    plain_cosign,
)
from appeals.api.submissions import (
    OutcomeSerializer,
    SubmissionLogSerializer,
    SubmissionSerializer,
)
from appeals.models import Appeal, Submission
from appeals.pages.rounds import RoundPage, round_page
from appeals.queries.clocks import clock_label, clock_of
from appeals.queries.inbound import thread_responses
from appeals.queries.rounds import (
    Standing,
    standing_in,
    standings,
    visible_rounds,
    with_signature_count,
)
from appeals.queries.totals import Totals
from appeals.states import is_overdue, is_very_overdue
from coalition.api.figures import CellSerializer, cell_data
from coalition.api.integers import query_id
from coalition.api.window_throttle import WindowThrottle
from coalition.queries.grievances import reachable_grievances
from coalition.queries.sellers import is_staff

# Fields only insiders (members, organisers, staff) may read; null for everyone else.
INSIDER_FIELDS = (
    "letter",
    "translation_subject",
    "translation",
    "case_reference",
    "new_round_reason",
    "scheduled_submit_at",
)


# --- shapes ----------------------------------------------------------------------------------


class AppealSerializer(serializers.ModelSerializer):
    """A round as lists show it. Context: `standings` ({grievance id: Standing}) and `now`."""

    signature_count = serializers.IntegerField(
        read_only=True, help_text=gettext_lazy("Signatures that count.")
    )
    previous_number = serializers.IntegerField(
        source="previous.number", read_only=True, allow_null=True, default=None
    )
    state_label = serializers.CharField(source="get_state_display", read_only=True)
    letter = serializers.CharField(read_only=True, allow_null=True)
    translation_subject = serializers.CharField(
        read_only=True,
        allow_null=True,
        help_text=gettext_lazy("The subject in the other language, for signers."),
    )
    translation = serializers.CharField(
        read_only=True,
        allow_null=True,
        help_text=gettext_lazy(
            "The letter in the other language, for signers; never sent to the platform."
        ),
    )
    translation_language = serializers.CharField(read_only=True)
    case_reference = serializers.CharField(read_only=True, allow_null=True)
    new_round_reason = serializers.CharField(read_only=True, allow_null=True)
    scheduled_submit_at = serializers.DateTimeField(read_only=True, allow_null=True)
    overdue = serializers.SerializerMethodField()
    very_overdue = serializers.SerializerMethodField()
    clock = serializers.SerializerMethodField()

    class Meta:
        model = Appeal
        fields = [
            "id",
            "grievance",
            "number",
            "previous",
            "previous_number",
            "subject",
            "letter",
            "language",
            "translation_subject",
            "translation",
            "translation_language",
            "channel",
            "state",
            "state_label",
            "outcome",
            "signature_goal",
            "signature_count",
            "signing_opened_at",
            "signing_deadline",
            "scheduled_submit_at",
            "submitted_at",
            "case_reference",
            "response_due_at",
            "very_overdue_at",
            "paused_at",
            "paused_remaining_days",
            "responded_at",
            "new_round_reason",
            "overdue",
            "very_overdue",
            "clock",
            "created_at",
        ]
        read_only_fields = fields

    def _standing(self, appeal: Appeal) -> Standing:
        if self.context.get("staff"):
            return Standing(organiser=True)
        return self.context.get("standings", {}).get(appeal.grievance_id, Standing())

    def to_representation(self, appeal: Appeal) -> dict:
        data = super().to_representation(appeal)
        if not self._standing(appeal).insider:
            for name in INSIDER_FIELDS:
                data[name] = None
        return data

    @extend_schema_field(OpenApiTypes.BOOL)
    def get_overdue(self, appeal: Appeal) -> bool:
        return is_overdue(appeal, self.context["now"])

    @extend_schema_field(OpenApiTypes.BOOL)
    def get_very_overdue(self, appeal: Appeal) -> bool:
        return is_very_overdue(appeal, self.context["now"])

    @extend_schema_field(ClockSerializer)
    def get_clock(self, appeal: Appeal) -> dict:
        clock = clock_of(appeal, self.context["now"])
        return {
            "state": clock.state,
            "business_days": clock.business_days,
            "label": clock_label(appeal, clock),
        }


class TotalsSerializer(serializers.Serializer):
    filed = serializers.IntegerField(help_text=gettext_lazy("Members' own appeals logged."))
    outcomes = serializers.DictField(
        child=serializers.IntegerField(),
        help_text=gettext_lazy("How many appeals ended each way (outcome → count)."),
    )
    exact = serializers.BooleanField(
        help_text=gettext_lazy("True for organisers: `recovered` holds exact sums.")
    )
    recovered = CellSerializer(
        many=True,
        help_text=gettext_lazy(
            "Amounts recovered, one figure per currency: exact for organisers; for other members "
            "rounded and only when enough verified members stand behind it; empty for others."
        ),
    )

    @staticmethod
    def build(totals: Totals, *, insider: bool) -> dict:
        """What the round page shows this viewer: recovered amounts only to insiders."""
        return {
            "filed": totals.filed,
            "outcomes": totals.outcomes,
            "exact": totals.exact,
            "recovered": [cell_data(c, exact=totals.exact) for c in totals.recovered]
            if insider
            else [],
        }


class SignerSerializer(serializers.Serializer):
    display_name = serializers.CharField()
    store_name = serializers.CharField(allow_blank=True)


class AppealDetailSerializer(AppealSerializer):
    """A round with everything its page shows. Context: `page` (appeals.pages.rounds.RoundPage)."""

    my_signature = serializers.SerializerMethodField()
    my_submission = serializers.SerializerMethodField()
    submissions = serializers.SerializerMethodField()
    totals = serializers.SerializerMethodField()
    responses = serializers.SerializerMethodField()
    annex = serializers.SerializerMethodField()
    unnamed_signers = serializers.SerializerMethodField()
    progress_percent = serializers.SerializerMethodField()
    allowed_moves = serializers.SerializerMethodField()
    can_organise = serializers.SerializerMethodField()
    is_member = serializers.SerializerMethodField()
    next_round = serializers.SerializerMethodField()

    class Meta(AppealSerializer.Meta):
        fields = [
            *AppealSerializer.Meta.fields,
            "progress_percent",
            "my_signature",
            "my_submission",
            "submissions",
            "totals",
            "responses",
            "annex",
            "unnamed_signers",
            "allowed_moves",
            "can_organise",
            "is_member",
            "next_round",
        ]
        read_only_fields = fields

    @property
    def page(self) -> RoundPage:
        return self.context["page"]

    def _standing(self, appeal: Appeal) -> Standing:
        return self.page.standing

    def to_representation(self, appeal: Appeal) -> dict:
        appeal.signature_count = self.page.signature_count
        return super().to_representation(appeal)

    @extend_schema_field(MySignatureSerializer(allow_null=True))
    def get_my_signature(self, appeal: Appeal) -> dict | None:
        if not self.page.standing.member:
            return None
        return MySignatureSerializer.build(self.page.my_signature, self.page.email_verified)

    @extend_schema_field(SubmissionSerializer(allow_null=True))
    def get_my_submission(self, appeal: Appeal) -> dict | None:
        mine = self.page.my_submission
        return SubmissionSerializer(mine, context=self._sub_context()).data if mine else None

    @extend_schema_field(SubmissionSerializer(many=True))
    def get_submissions(self, appeal: Appeal) -> list:
        return SubmissionSerializer(
            self.page.submissions, many=True, context=self._sub_context()
        ).data

    def _sub_context(self) -> dict:
        membership = self.page.standing.membership
        return {"membership_id": membership.pk if membership else None}

    @extend_schema_field(TotalsSerializer)
    def get_totals(self, appeal: Appeal) -> dict:
        return TotalsSerializer.build(self.page.totals, insider=self.page.can_see_letter)

    @extend_schema_field(ResponseSerializer(many=True))
    def get_responses(self, appeal: Appeal) -> list:
        return ResponseSerializer(self.page.responses, many=True).data

    @extend_schema_field(SignerSerializer(many=True))
    def get_annex(self, appeal: Appeal) -> list:
        return [{"display_name": n, "store_name": s} for n, s in self.page.annex]

    @extend_schema_field(OpenApiTypes.INT)
    def get_unnamed_signers(self, appeal: Appeal) -> int:
        return self.page.unnamed_signers

    @extend_schema_field(OpenApiTypes.INT)
    def get_progress_percent(self, appeal: Appeal) -> int:
        return self.page.progress_percent

    @extend_schema_field(serializers.ListField(child=serializers.CharField()))
    def get_allowed_moves(self, appeal: Appeal) -> list[str]:
        return self.page.allowed_moves

    @extend_schema_field(OpenApiTypes.BOOL)
    def get_can_organise(self, appeal: Appeal) -> bool:
        return self.page.can_organise

    @extend_schema_field(OpenApiTypes.BOOL)
    def get_is_member(self, appeal: Appeal) -> bool:
        return self.page.standing.member

    @extend_schema_field(OpenApiTypes.INT)
    def get_next_round(self, appeal: Appeal) -> int | None:
        return self.page.next_round.pk if self.page.next_round else None


class AppealCreateSerializer(serializers.Serializer):
    grievance = serializers.PrimaryKeyRelatedField(queryset=reachable_grievances(None))
    channel = serializers.ChoiceField(choices=Appeal.Channel.choices, default=Appeal.Channel.PORTAL)
    language = serializers.ChoiceField(choices=Appeal.Language.choices, default=Appeal.Language.EN)
    signature_goal = serializers.IntegerField(min_value=1, max_value=1_000_000, default=10)
    reason = serializers.CharField(
        required=False,
        allow_blank=True,
        default="",
        max_length=2000,
        help_text=gettext_lazy(
            "Why this round is needed. Required when nothing new came in since the last round or the "
            "platform's round limit is reached (the API answers 400 with code confirmation_required)."
        ),
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        request = self.context.get("request")
        # Grievances the caller cannot reach are "not found", exactly like ones that do not exist.
        self.fields["grievance"].queryset = reachable_grievances(request.user if request else None)


class AppealUpdateSerializer(serializers.Serializer):
    subject = serializers.CharField(required=False, max_length=200)
    letter = serializers.CharField(required=False, max_length=30000)
    translation_subject = serializers.CharField(required=False, max_length=200, allow_blank=True)
    translation = serializers.CharField(required=False, max_length=30000, allow_blank=True)
    language = serializers.ChoiceField(choices=Appeal.Language.choices, required=False)
    channel = serializers.ChoiceField(choices=Appeal.Channel.choices, required=False)
    signature_goal = serializers.IntegerField(required=False, min_value=1, max_value=1_000_000)
    signing_deadline = serializers.DateTimeField(required=False, allow_null=True)
    scheduled_submit_at = serializers.DateTimeField(required=False, allow_null=True)


class OpenSigningSerializer(serializers.Serializer):
    deadline = serializers.DateTimeField(required=False, allow_null=True, default=None)


class SubmitSerializer(serializers.Serializer):
    case_reference = serializers.CharField(
        required=False, allow_blank=True, default="", max_length=120
    )
    submitted_at = serializers.DateTimeField(
        required=False,
        allow_null=True,
        default=None,
        help_text=gettext_lazy("When it was sent; now if left out."),
    )


class WithdrawSerializer(serializers.Serializer):
    reason = serializers.CharField(required=False, allow_blank=True, default="", max_length=2000)


class InformationSentSerializer(serializers.Serializer):
    sent_at = serializers.DateTimeField(required=False, allow_null=True, default=None)


# --- the viewset ------------------------------------------------------------------------------


@extend_schema_view(
    list=extend_schema(
        summary="Appeal rounds the caller may see",
        parameters=[
            OpenApiParameter("grievance", int, description="Only the rounds of this grievance."),
            OpenApiParameter(
                "state", str, enum=Appeal.State.values, description="Only rounds in this state."
            ),
        ],
    ),
    retrieve=extend_schema(
        summary="One round, with everything its page shows", responses=AppealDetailSerializer
    ),
    create=extend_schema(
        summary="Draft the next round (organisers)",
        request=AppealCreateSerializer,
        responses={201: AppealDetailSerializer},
    ),
    partial_update=extend_schema(
        summary="Edit a round (organisers)",
        request=AppealUpdateSerializer,
        responses=AppealDetailSerializer,
    ),
)
class AppealViewSet(
    mixins.ListModelMixin,
    mixins.RetrieveModelMixin,
    mixins.CreateModelMixin,
    mixins.UpdateModelMixin,
    GenericViewSet,
):
    serializer_class = AppealSerializer
    permission_classes = [IsAuthenticatedOrReadOnly]
    filter_backends: list = []  # filtered by hand below: two plain query parameters
    http_method_names = ["get", "post", "patch", "delete", "head", "options"]
    queryset = Appeal.objects.none()  # for the schema; get_queryset scopes every request

    def get_queryset(self):
        qs = visible_rounds(self.request.user).select_related("previous")
        # Only list answers carry the count; the co-sign hot path must not recount every signer.
        if self.action == "list":
            qs = with_signature_count(qs)
            params = self.request.query_params
            grievance = query_id(self.request, "grievance")
            if grievance is not None:
                qs = qs.filter(grievance_id=grievance)
            if params.get("state") in Appeal.State.values:
                qs = qs.filter(state=params["state"])
        return qs.order_by("grievance_id", "number")

    def get_serializer_context(self) -> dict:
        context = super().get_serializer_context()
        context["now"] = timezone.now()
        if self.action == "list":
            context["staff"] = is_staff(self.request.user)
            context["standings"] = standings(self.request.user)
        return context

    # --- helpers --------------------------------------------------------------------------

    def standing(self, appeal: Appeal) -> Standing:
        cached = getattr(self, "_standing", None)
        if cached is None or cached[0] != appeal.grievance_id:
            cached = (appeal.grievance_id, standing_in(self.request.user, appeal.grievance))
            self._standing = cached
        return cached[1]

    def _organiser_round(self) -> Appeal:
        appeal = self.get_object()
        if not self.standing(appeal).organiser:
            raise PermissionDenied(_("Only the grievance's organisers can do this."))
        return appeal

    def _member_round(self) -> tuple[Appeal, Standing]:
        appeal = self.get_object()
        standing = self.standing(appeal)
        if not standing.member:
            raise PermissionDenied(_("Only members of this grievance can do this."))
        return appeal, standing

    def _insider_round(self) -> Appeal:
        appeal = self.get_object()
        if not self.standing(appeal).insider:
            raise PermissionDenied(_("Only members of this grievance can see this."))
        return appeal

    def _detail(self, appeal: Appeal, code: int = status.HTTP_200_OK) -> Response:
        appeal = self.get_queryset().get(pk=appeal.pk)  # fresh state and signature count
        page = round_page(self.request.user, appeal)
        context = {**self.get_serializer_context(), "page": page}
        return Response(AppealDetailSerializer(appeal, context=context).data, status=code)

    def _input(self, serializer_class) -> dict:
        serializer = serializer_class(data=self.request.data, context=self.get_serializer_context())
        serializer.is_valid(raise_exception=True)
        return serializer.validated_data

    def dispatch(self, request, *args, **kwargs):
        # A plain co-sign is answered without DRF's request machinery (signatures.py).
        if request.method == "POST" and self.action_map.get("post") == "signature":
            self.args, self.kwargs, self.action = args, kwargs, "signature"
            answer = plain_cosign(self, request)
            if answer is not None:
                return answer
        return super().dispatch(request, *args, **kwargs)

    def perform_authentication(self, request) -> None:
        # The co-sign's token is checked by its one statement, not looked up first.
        if not (self.action == "signature" and request.method == "POST" and defer_token(request)):
            super().perform_authentication(request)

    def get_throttles(self):
        # Signing and withdrawing are rate limited per user; reading one's signature is not.
        if self.action == "signature" and self.request.method != "GET":
            return [self.sign_throttle()]
        return super().get_throttles()

    def sign_throttle(self) -> WindowThrottle:
        """The "sign" rate's throttle, counted in the database; the plain co-sign leaves the
        count to its statement (signatures.py)."""
        self.throttle_scope = "sign"
        return WindowThrottle()

    # --- CRUD -----------------------------------------------------------------------------

    def retrieve(self, request, *args, **kwargs) -> Response:
        appeal = self.get_object()
        page = round_page(request.user, appeal)
        context = {**self.get_serializer_context(), "page": page}
        return Response(AppealDetailSerializer(appeal, context=context).data)

    def create(self, request, *args, **kwargs) -> Response:
        data = self._input(AppealCreateSerializer)
        grievance = data.pop("grievance")
        if not standing_in(request.user, grievance).organiser:
            raise PermissionDenied(_("Only the grievance's organisers can draft a round."))
        appeal = drafting.draft_round(grievance, actor=request.user, **data)
        return self._detail(appeal, status.HTTP_201_CREATED)

    def update(self, request, *args, **kwargs) -> Response:
        if not kwargs.get("partial"):
            return Response(status=status.HTTP_405_METHOD_NOT_ALLOWED)
        appeal = self._organiser_round()
        data = self._input(AppealUpdateSerializer)
        appeal = drafting.update_draft(appeal, actor=request.user, **data)
        return self._detail(appeal)

    # --- organisers' moves ----------------------------------------------------------------

    @extend_schema(
        summary="Open signing (organisers)",
        request=OpenSigningSerializer,
        responses=AppealDetailSerializer,
    )
    @action(detail=True, methods=["post"], url_path="open_signing")
    def open_signing(self, request, pk=None) -> Response:
        appeal = self._organiser_round()
        data = self._input(OpenSigningSerializer)
        return self._detail(
            signing.open_signing(appeal, actor=request.user, deadline=data["deadline"])
        )

    @extend_schema(
        summary="Close signing (organisers)", request=None, responses=AppealDetailSerializer
    )
    @action(detail=True, methods=["post"], url_path="close_signing")
    def close_signing(self, request, pk=None) -> Response:
        appeal = self._organiser_round()
        return self._detail(signing.close_signing(appeal, actor=request.user))

    @extend_schema(
        summary="Mark the round as submitted (organisers)",
        request=SubmitSerializer,
        responses=AppealDetailSerializer,
    )
    @action(detail=True, methods=["post"])
    def submit(self, request, pk=None) -> Response:
        appeal = self._organiser_round()
        data = self._input(SubmitSerializer)
        return self._detail(submitting.submit_round(appeal, actor=request.user, **data))

    @extend_schema(
        summary="Withdraw the round (organisers)",
        request=WithdrawSerializer,
        responses=AppealDetailSerializer,
    )
    @action(detail=True, methods=["post"])
    def withdraw(self, request, pk=None) -> Response:
        appeal = self._organiser_round()
        data = self._input(WithdrawSerializer)
        return self._detail(drafting.withdraw_round(appeal, actor=request.user, **data))

    @extend_schema(
        summary="The requested information was sent: the clock restarts (organisers)",
        request=InformationSentSerializer,
        responses=AppealDetailSerializer,
    )
    @action(detail=True, methods=["post"], url_path="information_sent")
    def information_sent(self, request, pk=None) -> Response:
        appeal = self._organiser_round()
        data = self._input(InformationSentSerializer)
        return self._detail(responses.information_sent(appeal, actor=request.user, **data))

    @extend_schema(
        methods=["GET"],
        summary="The platform's responses (members)",
        responses=ResponseSerializer(many=True),
    )
    @extend_schema(
        methods=["POST"],
        summary="Record a platform response (organisers)",
        request=ResponseCreateSerializer,
        responses={201: ResponseSerializer},
    )
    @action(detail=True, methods=["get", "post"])
    def responses(self, request, pk=None) -> Response:
        if request.method == "GET":
            appeal = self._insider_round()
            # Members see the classified answers only; a reply to classify is the organisers'.
            visible = thread_responses(appeal, organiser=self.standing(appeal).organiser)
            return Response(ResponseSerializer(visible, many=True).data)
        appeal = self._organiser_round()
        data = self._input(ResponseCreateSerializer)
        response = responses.record_response(appeal, actor=request.user, **data)
        return Response(ResponseSerializer(response).data, status=status.HTTP_201_CREATED)

    # --- members --------------------------------------------------------------------------

    @extend_schema(
        methods=["GET"],
        summary="My signature on this round (members)",
        responses=MySignatureSerializer,
    )
    @extend_schema(
        methods=["POST"],
        summary="Sign the round (members); signing again changes nothing and answers 200",
        request=SignSerializer,
        responses={201: MySignatureSerializer, 200: MySignatureSerializer},
    )
    @extend_schema(
        methods=["DELETE"],
        summary="Withdraw my signature (members)",
        request=None,
        responses={204: None},
    )
    @action(detail=True, methods=["get", "post", "delete"])
    def signature(self, request, pk=None) -> Response:
        if request.method == "POST":
            return cosign(self, pk)
        appeal, _standing = self._member_round()
        if request.method == "DELETE":
            signing.withdraw_signature(appeal, actor=request.user)
            return Response(status=status.HTTP_204_NO_CONTENT)
        page = round_page(request.user, appeal)
        return Response(MySignatureSerializer.build(page.my_signature, page.email_verified))

    @extend_schema(
        methods=["GET"],
        summary="Members' own appeals in this round (organisers: all; members: their own)",
        responses=SubmissionSerializer(many=True),
    )
    @extend_schema(
        methods=["POST"],
        summary="Log my own appeal for this round (members); logging again updates it",
        request=SubmissionLogSerializer,
        responses={201: SubmissionSerializer, 200: SubmissionSerializer},
    )
    @action(detail=True, methods=["get", "post"])
    def submissions(self, request, pk=None) -> Response:
        if request.method == "POST":
            appeal, standing = self._member_round()
            data = self._input(SubmissionLogSerializer)
            submission = member_cases.log_submission(appeal, actor=request.user, **data)
            code = status.HTTP_201_CREATED if submission.newly_logged else status.HTTP_200_OK
            context = {"membership_id": standing.membership.pk}
            return Response(SubmissionSerializer(submission, context=context).data, status=code)
        appeal = self._insider_round()
        standing = self.standing(appeal)
        qs = appeal.submissions.select_related("membership__seller").order_by("submitted_on", "id")
        if not standing.organiser:
            qs = qs.filter(membership=standing.membership)
        context = {"membership_id": standing.membership.pk if standing.membership else None}
        page = self.paginate_queryset(qs)
        data = SubmissionSerializer(page, many=True, context=context).data
        return self.get_paginated_response(data)

    @extend_schema(
        summary="Report the outcome of my own appeal (the member who logged it)",
        request=OutcomeSerializer,
        responses=SubmissionSerializer,
        parameters=[OpenApiParameter("submission_id", int, OpenApiParameter.PATH)],
    )
    @action(
        detail=True, methods=["post"], url_path=r"submissions/(?P<submission_id>[0-9]+)/outcome"
    )
    def outcome(self, request, pk=None, submission_id=None) -> Response:
        appeal = self._insider_round()
        standing = self.standing(appeal)
        visible = Submission.objects.filter(appeal=appeal)
        if not standing.organiser:
            visible = visible.filter(membership=standing.membership)
        submission = get_object_or_404(visible, pk=submission_id)
        if submission.membership_id != getattr(standing.membership, "pk", None):
            raise PermissionDenied(
                _("Only the member who logged this appeal can report its outcome.")
            )
        data = self._input(OutcomeSerializer)
        submission = member_cases.report_outcome(submission, actor=request.user, **data)
        context = {"membership_id": submission.membership_id}
        return Response(SubmissionSerializer(submission, context=context).data)
