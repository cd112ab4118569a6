"""Shapes of the appeals API. Serializers validate input and present output; they never write:
the views pass validated data to appeals/actions.py.

What a caller sees follows appeals/queries.py: letters, case references, responses and
submissions only for the grievance's members, organisers and staff.
"""

from __future__ import annotations

from decimal import Decimal

from django.utils.translation import gettext_lazy as _
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from appeals.models import Appeal, PlatformResponse, Signature, Submission
from appeals.queries import RoundPage, Standing, Totals, clock_label, clock_of
from appeals.states import is_overdue, is_very_overdue
from coalition.queries import reachable_grievances

# Fields only insiders (members, organisers, staff) may read; null for everyone else.
INSIDER_FIELDS = ("letter", "case_reference", "new_round_reason", "scheduled_submit_at")
# Named choice sets for the schema (SPECTACULAR_SETTINGS["ENUM_NAME_OVERRIDES"]).
CLOCK_STATES = ["on_time", "due_today", "overdue", "very_overdue", "none"]
CASE_ITEM_KINDS = ["sign", "log_submission", "report_outcome", "status"]


class ClockSerializer(serializers.Serializer):
    state = serializers.ChoiceField(
        choices=CLOCK_STATES,
        help_text=_(
            "Where the platform's response clock stands; none unless the round is waiting."
        ),
    )
    business_days = serializers.IntegerField(
        help_text=_("Business days left (on time) or late (overdue).")
    )
    label = serializers.CharField(help_text=_("The clock in words, e.g. “due in 3 business days”."))


class AppealSerializer(serializers.ModelSerializer):
    """A round as lists show it. Context: `standings` ({grievance id: Standing}) and `now`."""

    signature_count = serializers.IntegerField(
        read_only=True, help_text=_("Signatures that count.")
    )
    previous_number = serializers.IntegerField(
        source="previous.number", read_only=True, allow_null=True, default=None
    )
    state_label = serializers.CharField(source="get_state_display", read_only=True)
    letter = serializers.CharField(read_only=True, allow_null=True)
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


# --- the round page --------------------------------------------------------------------------


class MySignatureSerializer(serializers.Serializer):
    """The caller's own signature on a round (signed is false when there is none)."""

    signed = serializers.BooleanField()
    counted = serializers.BooleanField(
        help_text=_("Whether it counts: it does once your email address is confirmed.")
    )
    signed_at = serializers.DateTimeField(allow_null=True)
    withdrawn_at = serializers.DateTimeField(allow_null=True)
    consent_to_name = serializers.BooleanField(allow_null=True)

    @staticmethod
    def build(signature: Signature | None, email_verified: bool) -> dict:
        active = signature is not None and signature.withdrawn_at is None
        return {
            "signed": active,
            "counted": active and email_verified,
            "signed_at": signature.signed_at if signature else None,
            "withdrawn_at": signature.withdrawn_at if signature else None,
            "consent_to_name": signature.consent_to_name if signature else None,
        }


class SubmissionSerializer(serializers.ModelSerializer):
    """A member's own portal appeal. Organisers see every row; members only their own."""

    round = serializers.IntegerField(source="appeal_id", read_only=True)
    member = serializers.CharField(source="membership.seller.display_name", read_only=True)
    mine = serializers.SerializerMethodField()

    class Meta:
        model = Submission
        fields = [
            "id",
            "round",
            "member",
            "mine",
            "submitted_on",
            "ticket_reference",
            "outcome",
            "outcome_on",
            "amount_recovered",
            "currency",
            "created_at",
            "updated_at",
        ]
        read_only_fields = fields

    @extend_schema_field(OpenApiTypes.BOOL)
    def get_mine(self, submission: Submission) -> bool:
        return submission.membership_id == self.context.get("membership_id")


class TotalsSerializer(serializers.Serializer):
    filed = serializers.IntegerField(help_text=_("Members' own appeals logged."))
    outcomes = serializers.DictField(
        child=serializers.IntegerField(),
        help_text=_("How many appeals ended each way (outcome → count)."),
    )
    recovered = serializers.DictField(
        child=serializers.DecimalField(max_digits=16, decimal_places=2),
        help_text=_("Amounts recovered per currency."),
    )

    @staticmethod
    def build(totals: Totals) -> dict:
        return {"filed": totals.filed, "outcomes": totals.outcomes, "recovered": totals.recovered}


class ResponseSerializer(serializers.ModelSerializer):
    class Meta:
        model = PlatformResponse
        fields = ["id", "received_at", "channel", "classification", "text", "created_at"]
        read_only_fields = fields


class SignerSerializer(serializers.Serializer):
    display_name = serializers.CharField()
    store_name = serializers.CharField(allow_blank=True)


class AppealDetailSerializer(AppealSerializer):
    """A round with everything its page shows. Context: `page` (appeals.queries.RoundPage)."""

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
        return TotalsSerializer(TotalsSerializer.build(self.page.totals)).data

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


# --- input -----------------------------------------------------------------------------------


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
        help_text=_(
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
        help_text=_("When it was sent; now if left out."),
    )


class WithdrawSerializer(serializers.Serializer):
    reason = serializers.CharField(required=False, allow_blank=True, default="", max_length=2000)


class InformationSentSerializer(serializers.Serializer):
    sent_at = serializers.DateTimeField(required=False, allow_null=True, default=None)


class ResponseCreateSerializer(serializers.Serializer):
    received_at = serializers.DateTimeField()
    channel = serializers.ChoiceField(choices=PlatformResponse.Channel.choices)
    text = serializers.CharField(max_length=30000)
    classification = serializers.ChoiceField(choices=PlatformResponse.Classification.choices)


class SignSerializer(serializers.Serializer):
    consent_to_name = serializers.BooleanField(
        required=False,
        allow_null=True,
        default=None,
        help_text=_(
            "Name me in the signer list sent to the platform; your membership's choice if left out."
        ),
    )


class SubmissionLogSerializer(serializers.Serializer):
    submitted_on = serializers.DateField()
    ticket_reference = serializers.CharField(
        required=False, allow_blank=True, default="", max_length=120
    )


class OutcomeSerializer(serializers.Serializer):
    outcome = serializers.ChoiceField(choices=Submission.Outcome.choices)
    outcome_on = serializers.DateField(required=False, allow_null=True, default=None)
    amount_recovered = serializers.DecimalField(
        max_digits=14,
        decimal_places=2,
        min_value=Decimal("0"),
        required=False,
        allow_null=True,
        default=None,
    )
    currency = serializers.RegexField(r"^[A-Z]{3}$", required=False, allow_null=True, default=None)


# --- board and my cases ----------------------------------------------------------------------


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
        child=serializers.CharField(), help_text=_("Who still has to act.")
    )
    url = serializers.CharField()

    @extend_schema_field(ClockSerializer)
    def get_clock(self, row) -> dict:
        return {
            "state": row.clock.state,
            "business_days": row.clock.business_days,
            "label": row.clock_label,
        }


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
