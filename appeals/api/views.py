"""Appeal rounds in the API: /api/v1/appeals/ (with signing, submitting, responses, the caller's
signature and members' submissions), /api/v1/board/ and /api/v1/my-cases/.

Querysets are scoped by appeals.queries.visible_rounds, so a round the caller may not know exists
is a 404 before any permission check; a visible round the caller may not act on is a 403. Every
write calls an action in appeals/actions.py; ActionRefused becomes a 400 through the project's
exception handler.
"""

from __future__ import annotations

from django.shortcuts import get_object_or_404
from django.utils import timezone
from django.utils.translation import gettext as _
from drf_spectacular.utils import OpenApiParameter, extend_schema, extend_schema_view
from rest_framework import mixins, status
from rest_framework.decorators import action
from rest_framework.exceptions import PermissionDenied
from rest_framework.permissions import IsAuthenticated, IsAuthenticatedOrReadOnly
from rest_framework.response import Response
from rest_framework.viewsets import GenericViewSet

from appeals import actions
from appeals.api import serializers as s
from appeals.models import Appeal, Submission
from appeals.queries import (
    Standing,
    board_rows,
    my_cases,
    round_page,
    standing_in,
    standings,
    visible_rounds,
    with_signature_count,
)
from coalition.api.permissions import ScopedThrottle
from coalition.queries import is_staff


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
        summary="One round, with everything its page shows", responses=s.AppealDetailSerializer
    ),
    create=extend_schema(
        summary="Draft the next round (organisers)",
        request=s.AppealCreateSerializer,
        responses={201: s.AppealDetailSerializer},
    ),
    partial_update=extend_schema(
        summary="Edit a round (organisers)",
        request=s.AppealUpdateSerializer,
        responses=s.AppealDetailSerializer,
    ),
)
class AppealViewSet(
    mixins.ListModelMixin,
    mixins.RetrieveModelMixin,
    mixins.CreateModelMixin,
    mixins.UpdateModelMixin,
    GenericViewSet,
):
    serializer_class = s.AppealSerializer
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
            if params.get("grievance", "").isdigit():
                qs = qs.filter(grievance_id=int(params["grievance"]))
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
        return Response(s.AppealDetailSerializer(appeal, context=context).data, status=code)

    def _input(self, serializer_class) -> dict:
        serializer = serializer_class(data=self.request.data, context=self.get_serializer_context())
        serializer.is_valid(raise_exception=True)
        return serializer.validated_data

    def get_throttles(self):
        # Signing and withdrawing are rate limited per user; reading one's signature is not.
        if self.action == "signature" and self.request.method != "GET":
            self.throttle_scope = "sign"
            return [ScopedThrottle()]
        return super().get_throttles()

    # --- CRUD -----------------------------------------------------------------------------

    def retrieve(self, request, *args, **kwargs) -> Response:
        appeal = self.get_object()
        page = round_page(request.user, appeal)
        context = {**self.get_serializer_context(), "page": page}
        return Response(s.AppealDetailSerializer(appeal, context=context).data)

    def create(self, request, *args, **kwargs) -> Response:
        data = self._input(s.AppealCreateSerializer)
        grievance = data.pop("grievance")
        if not standing_in(request.user, grievance).organiser:
            raise PermissionDenied(_("Only the grievance's organisers can draft a round."))
        appeal = actions.draft_round(grievance, actor=request.user, **data)
        return self._detail(appeal, status.HTTP_201_CREATED)

    def update(self, request, *args, **kwargs) -> Response:
        if not kwargs.get("partial"):
            return Response(status=status.HTTP_405_METHOD_NOT_ALLOWED)
        appeal = self._organiser_round()
        data = self._input(s.AppealUpdateSerializer)
        appeal = actions.update_draft(appeal, actor=request.user, **data)
        return self._detail(appeal)

    # --- organisers' moves ----------------------------------------------------------------

    @extend_schema(
        summary="Open signing (organisers)",
        request=s.OpenSigningSerializer,
        responses=s.AppealDetailSerializer,
    )
    @action(detail=True, methods=["post"], url_path="open_signing")
    def open_signing(self, request, pk=None) -> Response:
        appeal = self._organiser_round()
        data = self._input(s.OpenSigningSerializer)
        return self._detail(
            actions.open_signing(appeal, actor=request.user, deadline=data["deadline"])
        )

    @extend_schema(
        summary="Close signing (organisers)", request=None, responses=s.AppealDetailSerializer
    )
    @action(detail=True, methods=["post"], url_path="close_signing")
    def close_signing(self, request, pk=None) -> Response:
        appeal = self._organiser_round()
        return self._detail(actions.close_signing(appeal, actor=request.user))

    @extend_schema(
        summary="Mark the round as submitted (organisers)",
        request=s.SubmitSerializer,
        responses=s.AppealDetailSerializer,
    )
    @action(detail=True, methods=["post"])
    def submit(self, request, pk=None) -> Response:
        appeal = self._organiser_round()
        data = self._input(s.SubmitSerializer)
        return self._detail(actions.submit_round(appeal, actor=request.user, **data))

    @extend_schema(
        summary="Withdraw the round (organisers)",
        request=s.WithdrawSerializer,
        responses=s.AppealDetailSerializer,
    )
    @action(detail=True, methods=["post"])
    def withdraw(self, request, pk=None) -> Response:
        appeal = self._organiser_round()
        data = self._input(s.WithdrawSerializer)
        return self._detail(actions.withdraw_round(appeal, actor=request.user, **data))

    @extend_schema(
        summary="The requested information was sent: the clock restarts (organisers)",
        request=s.InformationSentSerializer,
        responses=s.AppealDetailSerializer,
    )
    @action(detail=True, methods=["post"], url_path="information_sent")
    def information_sent(self, request, pk=None) -> Response:
        appeal = self._organiser_round()
        data = self._input(s.InformationSentSerializer)
        return self._detail(actions.information_sent(appeal, actor=request.user, **data))

    @extend_schema(
        methods=["GET"],
        summary="The platform's responses (members)",
        responses=s.ResponseSerializer(many=True),
    )
    @extend_schema(
        methods=["POST"],
        summary="Record a platform response (organisers)",
        request=s.ResponseCreateSerializer,
        responses={201: s.ResponseSerializer},
    )
    @action(detail=True, methods=["get", "post"])
    def responses(self, request, pk=None) -> Response:
        if request.method == "GET":
            appeal = self._insider_round()
            return Response(
                s.ResponseSerializer(appeal.responses.order_by("received_at", "id"), many=True).data
            )
        appeal = self._organiser_round()
        data = self._input(s.ResponseCreateSerializer)
        response = actions.record_response(appeal, actor=request.user, **data)
        return Response(s.ResponseSerializer(response).data, status=status.HTTP_201_CREATED)

    # --- members --------------------------------------------------------------------------

    @extend_schema(
        methods=["GET"],
        summary="My signature on this round (members)",
        responses=s.MySignatureSerializer,
    )
    @extend_schema(
        methods=["POST"],
        summary="Sign the round (members); signing again changes nothing and answers 200",
        request=s.SignSerializer,
        responses={201: s.MySignatureSerializer, 200: s.MySignatureSerializer},
    )
    @extend_schema(
        methods=["DELETE"],
        summary="Withdraw my signature (members)",
        request=None,
        responses={204: None},
    )
    @action(detail=True, methods=["get", "post", "delete"])
    def signature(self, request, pk=None) -> Response:
        appeal, _standing = self._member_round()
        if request.method == "POST":
            data = self._input(s.SignSerializer)
            signature = actions.sign(
                appeal, actor=request.user, consent_to_name=data["consent_to_name"]
            )
            code = status.HTTP_201_CREATED if signature.newly_signed else status.HTTP_200_OK
            return Response(
                s.MySignatureSerializer.build(signature, email_verified=True), status=code
            )
        if request.method == "DELETE":
            actions.withdraw_signature(appeal, actor=request.user)
            return Response(status=status.HTTP_204_NO_CONTENT)
        page = round_page(request.user, appeal)
        return Response(s.MySignatureSerializer.build(page.my_signature, page.email_verified))

    @extend_schema(
        methods=["GET"],
        summary="Members' own appeals in this round (organisers: all; members: their own)",
        responses=s.SubmissionSerializer(many=True),
    )
    @extend_schema(
        methods=["POST"],
        summary="Log my own appeal for this round (members); logging again updates it",
        request=s.SubmissionLogSerializer,
        responses={201: s.SubmissionSerializer, 200: s.SubmissionSerializer},
    )
    @action(detail=True, methods=["get", "post"])
    def submissions(self, request, pk=None) -> Response:
        if request.method == "POST":
            appeal, standing = self._member_round()
            data = self._input(s.SubmissionLogSerializer)
            submission = actions.log_submission(appeal, actor=request.user, **data)
            code = status.HTTP_201_CREATED if submission.newly_logged else status.HTTP_200_OK
            context = {"membership_id": standing.membership.pk}
            return Response(s.SubmissionSerializer(submission, context=context).data, status=code)
        appeal = self._insider_round()
        standing = self.standing(appeal)
        qs = appeal.submissions.select_related("membership__seller").order_by("submitted_on", "id")
        if not standing.organiser:
            qs = qs.filter(membership=standing.membership)
        context = {"membership_id": standing.membership.pk if standing.membership else None}
        page = self.paginate_queryset(qs)
        data = s.SubmissionSerializer(page, many=True, context=context).data
        return self.get_paginated_response(data)

    @extend_schema(
        summary="Report the outcome of my own appeal (the member who logged it)",
        request=s.OutcomeSerializer,
        responses=s.SubmissionSerializer,
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
        data = self._input(s.OutcomeSerializer)
        submission = actions.report_outcome(submission, actor=request.user, **data)
        context = {"membership_id": submission.membership_id}
        return Response(s.SubmissionSerializer(submission, context=context).data)


@extend_schema_view(
    list=extend_schema(summary="The organiser's board: every round of the grievances I organise")
)
class BoardViewSet(GenericViewSet):
    """Overdue first; staff see every grievance's rounds."""

    serializer_class = s.BoardRowSerializer
    permission_classes = [IsAuthenticated]
    queryset = Appeal.objects.none()  # for the schema; the rows come from appeals.queries

    def list(self, request) -> Response:
        rows = board_rows(request.user)
        page = self.paginate_queryset(rows)
        return self.get_paginated_response(self.get_serializer(page, many=True).data)


@extend_schema_view(
    list=extend_schema(summary="What I have to do next, then where my grievances stand")
)
class MyCasesViewSet(GenericViewSet):
    serializer_class = s.CaseItemSerializer
    permission_classes = [IsAuthenticated]
    queryset = Appeal.objects.none()  # for the schema; the items come from appeals.queries

    def list(self, request) -> Response:
        items = my_cases(request.user)
        page = self.paginate_queryset(items)
        return self.get_paginated_response(self.get_serializer(page, many=True).data)
