"""The caller's own signature on a round, as /api/v1/appeals/<id>/signature/ reads and writes it."""

from __future__ import annotations

from django.utils.translation import gettext_lazy as _
from rest_framework import serializers

from appeals.models import Signature
from appeals.models.rounds import COUNTED_MEMBERSHIP_STATES


class MySignatureSerializer(serializers.Serializer):
    """The caller's own signature on a round (signed is false when there is none)."""

    signed = serializers.BooleanField()
    counted = serializers.BooleanField(
        help_text=_(
            "Whether it counts: it does once your email address is confirmed and the organisers "
            "have verified you as a member."
        )
    )
    signed_at = serializers.DateTimeField(allow_null=True)
    withdrawn_at = serializers.DateTimeField(allow_null=True)
    consent_to_name = serializers.BooleanField(allow_null=True)
    consent_to_store_id = serializers.BooleanField(allow_null=True)

    @staticmethod
    def build(signature: Signature | None, email_verified: bool) -> dict:
        active = signature is not None and signature.withdrawn_at is None
        return {
            "signed": active,
            "counted": active
            and email_verified
            and signature.membership.state in COUNTED_MEMBERSHIP_STATES,
            "signed_at": signature.signed_at if signature else None,
            "withdrawn_at": signature.withdrawn_at if signature else None,
            "consent_to_name": signature.consent_to_name if signature else None,
            "consent_to_store_id": signature.consent_to_store_id if signature else None,
        }


class SignSerializer(serializers.Serializer):
    consent_to_name = serializers.BooleanField(
        required=False,
        allow_null=True,
        default=None,
        help_text=_(
            "Name me in the signer list sent to the platform; your membership's choice if left out."
        ),
    )
    consent_to_store_id = serializers.BooleanField(
        required=False,
        default=False,
        help_text=_("Also give the platform my store ID in the signer list (only with my name)."),
    )

    @classmethod
    def plain(cls, data: object) -> dict | None:
        """The validated data of a plain JSON body (no other field; each given as true or
        false, the name's also as null), read without building the serializer: on the co-sign
        hot path that took a tenth of the request. None for anything else, which the serializer
        then validates, with its field errors."""
        if type(data) is not dict or not data.keys() <= _SIGN_FIELDS:
            return None
        name = data.get("consent_to_name")
        store_id = data.get("consent_to_store_id", False)
        if (name is not None and type(name) is not bool) or type(store_id) is not bool:
            return None
        return {"consent_to_name": name, "consent_to_store_id": store_id}


_SIGN_FIELDS = frozenset(SignSerializer._declared_fields)
