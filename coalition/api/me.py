"""The caller's profile, and API tokens for an email address and password."""

from __future__ import annotations

import zoneinfo

from allauth.account.models import EmailAddress
from django.contrib.auth import authenticate
from django.utils.translation import gettext_lazy as _
from drf_spectacular.utils import extend_schema
from rest_framework import serializers
from rest_framework.generics import GenericAPIView
from rest_framework.permissions import AllowAny, IsAuthenticated
from rest_framework.request import Request
from rest_framework.response import Response

from coalition.actions.sellers import api_token_for, ensure_seller, update_profile
from coalition.api.errors import error_responses as errors
from coalition.api.permissions import ScopedThrottle
from coalition.api.throttles import LoginAccountThrottle
from coalition.api.validation import ValidateOnly
from coalition.models import Seller
from coalition.rules.jurisdictions import country_choices


class MeSerializer(ValidateOnly, serializers.ModelSerializer):
    """The caller's seller profile. The email address is changed through the account pages,
    where it is verified again, so it is read-only here."""

    email = serializers.EmailField(source="user.email", read_only=True)

    class Meta:
        model = Seller
        fields = [
            "id",
            "display_name",
            "email",
            "language",
            "time_zone",
            "email_notifications",
            "country_of_establishment",
        ]
        read_only_fields = ["id", "email"]

    def validate_country_of_establishment(self, value: str) -> str:
        value = (value or "").strip().upper()
        if value and value not in dict(country_choices("en")):
            raise serializers.ValidationError(
                _("Give a two-letter ISO country code such as DE, CN or US.")
            )
        return value

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


@extend_schema(tags=["me"])
class MeView(GenericAPIView):
    """The caller's seller profile."""

    serializer_class = MeSerializer
    permission_classes = [IsAuthenticated]

    def get_object(self):
        # Users made outside sign-up (admin, shell) get their profile on first need.
        return ensure_seller(self.request.user)

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
        seller = update_profile(seller, actor=request.user, **serializer.validated_data)
        return Response(self.get_serializer(seller).data)


@extend_schema(tags=["auth"])
class TokenView(GenericAPIView):
    """Exchange an email address and password for an API token (header `Authorization: Token <key>`)."""

    serializer_class = LoginSerializer
    authentication_classes: list = []  # no session: no CSRF token needed to log in
    permission_classes = [AllowAny]
    throttle_classes = [ScopedThrottle, LoginAccountThrottle]
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
        return Response({"token": api_token_for(serializer.validated_data["user"])})
