"""Serializers for the coalition API.

Input serializers only validate: the viewsets pass `validated_data` to coalition.actions, which do
every write. `ValidateOnly` makes an accidental `serializer.save()` fail loudly instead of
writing behind the actions' back.

Output serializers never decide who may see what on their own: the viewset tells them through
the context (`organiser`, `membership`), computed once per request from coalition.queries.
"""

from __future__ import annotations

import zoneinfo

from django.contrib.auth import authenticate
from django.utils.translation import gettext_lazy as _
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from coalition.categories import checklist_for
from coalition.models import AuditEvent, Grievance, Membership, Platform, Seller, Store
from coalition.queries import Aggregates, own_stores, reachable_grievances
from coalition.timeline import describe


class ValidateOnly:
    # Mixin for input serializers: writes belong to coalition.actions. (A comment, not a
    # docstring: drf-spectacular would show a docstring as every input schema's description.)

    def create(self, validated_data):
        raise NotImplementedError("Call a coalition action with validated_data instead.")

    def update(self, instance, validated_data):
        raise NotImplementedError("Call a coalition action with validated_data instead.")


class ErrorSerializer(serializers.Serializer):
    """The shape of every error response (coalition/api/errors.py)."""

    detail = serializers.CharField()
    errors = serializers.DictField(child=serializers.ListField(child=serializers.CharField()))
    code = serializers.CharField()


def error_responses(*codes: int) -> dict[int, type[ErrorSerializer]]:
    """Error responses for @extend_schema(responses=...); they all share one JSON shape.
    Lists also answer 404 for a page past the end; writes answer 415 for a body that is
    neither JSON nor a form."""
    return dict.fromkeys(codes, ErrorSerializer)


# --- platforms and stores ------------------------------------------------------------------


class PlatformSerializer(serializers.ModelSerializer):
    # Null, not "", when a platform has none: "" is not a valid email address or URL.
    appeal_email = serializers.SerializerMethodField()
    portal_url = serializers.SerializerMethodField()

    class Meta:
        model = Platform
        fields = [
            "id",
            "slug",
            "name",
            "appeal_email",
            "portal_url",
            "holiday_country",
            "holiday_subdivision",
            "time_zone",
            "response_business_days",
            "chase_business_days",
            "round_cap",
            "appeal_window_days",
            "max_unfulfillable_refund_rate",
            "max_chargeback_rate",
            "min_fulfilment_rate",
            "notes",
        ]
        read_only_fields = fields

    @extend_schema_field(serializers.EmailField(allow_null=True))
    def get_appeal_email(self, obj: Platform) -> str | None:
        return obj.appeal_email or None

    @extend_schema_field(serializers.URLField(allow_null=True))
    def get_portal_url(self, obj: Platform) -> str | None:
        return obj.portal_url or None


class PlatformSummarySerializer(serializers.ModelSerializer):
    class Meta:
        model = Platform
        fields = ["id", "slug", "name"]
        read_only_fields = fields


class StoreSerializer(ValidateOnly, serializers.ModelSerializer):
    """A seller's own store. Only its owner ever gets this representation."""

    platform = serializers.SlugRelatedField(slug_field="slug", queryset=Platform.objects.all())
    platform_name = serializers.CharField(source="platform.name", read_only=True)

    class Meta:
        model = Store
        fields = [
            "id",
            "platform",
            "platform_name",
            "name",
            "platform_store_id",
            "state",
            "created_at",
        ]
        read_only_fields = ["id", "platform_name", "created_at"]


class StoreSummarySerializer(serializers.ModelSerializer):
    class Meta:
        model = Store
        fields = ["id", "name", "platform_store_id"]
        read_only_fields = fields


# --- the caller ----------------------------------------------------------------------------


class MeSerializer(ValidateOnly, serializers.ModelSerializer):
    """The caller's seller profile. The email address is changed through the account pages,
    where it is verified again, so it is read-only here."""

    email = serializers.EmailField(source="user.email", read_only=True)

    class Meta:
        model = Seller
        fields = ["id", "display_name", "email", "language", "time_zone", "email_notifications"]
        read_only_fields = ["id", "email"]

    def validate_time_zone(self, value: str) -> str:
        if value not in zoneinfo.available_timezones():
            raise serializers.ValidationError(_("Choose a time zone such as Asia/Shanghai or UTC."))
        return value


class LoginSerializer(ValidateOnly, serializers.Serializer):
    email = serializers.EmailField()
    password = serializers.CharField(
        trim_whitespace=False, style={"input_type": "password"}, max_length=4096
    )

    def validate(self, attrs: dict) -> dict:
        from allauth.account.models import EmailAddress

        user = authenticate(
            self.context.get("request"), email=attrs["email"], password=attrs["password"]
        )
        if user is None:
            raise serializers.ValidationError(
                {"non_field_errors": [_("The email address and password do not match an account.")]}
            )
        # Same rule as the web login: mandatory email verification (settings.ACCOUNT_EMAIL_VERIFICATION).
        if not EmailAddress.objects.filter(user=user, verified=True).exists():
            raise serializers.ValidationError(
                {"email": [_("Confirm your email address first: follow the link we sent you.")]}
            )
        attrs["user"] = user
        return attrs


class TokenSerializer(serializers.Serializer):
    token = serializers.CharField(help_text='Send it as the header "Authorization: Token <token>".')


# --- grievances ----------------------------------------------------------------------------


class GrievanceLinkMixin(serializers.Serializer):
    url = serializers.SerializerMethodField(help_text="The grievance's page on the site.")

    def get_url(self, obj: Grievance) -> str:
        path = obj.get_absolute_url()
        request = self.context.get("request")
        return request.build_absolute_uri(path) if request is not None else path


class GrievanceListSerializer(GrievanceLinkMixin, serializers.ModelSerializer):
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


class CurrencyTotalSerializer(serializers.Serializer):
    currency = serializers.CharField()
    # No max_digits: a sum of many amounts may have more digits than any one of them.
    withheld = serializers.DecimalField(max_digits=None, decimal_places=2)
    fined = serializers.DecimalField(max_digits=None, decimal_places=2)


class AggregatesSerializer(serializers.Serializer):
    """Store count and amounts are null unless `disclosed` (≥ 5 contributors, or an organiser)."""

    member_count = serializers.IntegerField()
    contributor_count = serializers.IntegerField()
    disclosed = serializers.BooleanField()
    store_count = serializers.IntegerField(allow_null=True)
    totals = CurrencyTotalSerializer(many=True, allow_null=True)

    def to_representation(self, instance: Aggregates) -> dict:
        totals = [{"currency": cur, **amounts} for cur, amounts in instance.totals.items()]
        data = {
            "member_count": instance.member_count,
            "contributor_count": instance.contributor_count,
            "disclosed": instance.disclosed,
            "store_count": instance.store_count if instance.disclosed else None,
            "totals": CurrencyTotalSerializer(totals, many=True).data
            if instance.disclosed
            else None,
        }
        return data


class ChecklistItemSerializer(serializers.Serializer):
    kind = serializers.CharField()
    label = serializers.CharField()


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


class GrievanceDetailSerializer(GrievanceListSerializer):
    """A grievance with its figures, evidence checklist and your own place in it."""

    # Context: `organiser` (bool), `membership` (the caller's, or None), `aggregates`.

    aggregates = serializers.SerializerMethodField()
    checklist = serializers.SerializerMethodField()
    my_membership = serializers.SerializerMethodField()
    can_organise = serializers.SerializerMethodField()

    class Meta(GrievanceListSerializer.Meta):
        fields = [
            *GrievanceListSerializer.Meta.fields,
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
    """What organisers may edit (coalition.actions.EDITABLE_GRIEVANCE_FIELDS)."""

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
    # All states, so the schema names one enum; coalition.actions refuses the moves it does not allow.
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
        lookup = {"pk": int(value)} if value.isascii() and value.isdigit() else {"slug": value}
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


# --- membership ----------------------------------------------------------------------------


class JoinSerializer(ValidateOnly, serializers.ModelSerializer):
    """One's case on joining. Every field is optional; the store must be one's own."""

    store = serializers.PrimaryKeyRelatedField(
        queryset=Store.objects.none(),
        required=False,
        allow_null=True,
        help_text="Id of one of your own stores on this grievance's platform.",
    )

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
