"""The caller's own signature on a round, as /api/v1/appeals/<id>/signature/ reads and writes
it; and the co-sign itself (`cosign`), the API's hot path, which the round viewset
(appeals/api/rounds.py) hands its POST."""

from __future__ import annotations

from django.http import Http404
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _
from rest_framework import serializers, status
from rest_framework.exceptions import PermissionDenied
from rest_framework.response import Response

from appeals.actions import signing
from appeals.models import Signature
from appeals.models.rounds import COUNTED_MEMBERSHIP_STATES
from coalition.api.authentication import Bearer, bearer
from coalition.errors import ActionRefused
from coalition.rules.integers import parse_id


def defer_token(request) -> bool:
    """Leave the request's API token to the co-sign's statement (a `Bearer`,
    coalition/api/authentication.py) when DRF would authenticate it by that token alone; False
    when DRF is to authenticate the request as usual."""
    caller = bearer(request)
    if caller is None:
        return False
    request.user, request.auth = caller, None
    return True


def cosign(view, pk: str | None, ahead: signing.Ahead | None) -> Response:
    """POST: co-sign the round `pk` for the caller. The action checks membership, the round's
    state and the email (and the token) in its one statement, so neither the round nor the
    standing is read first. A refusal then answers as those reads would have: 404 for a round
    the caller may not see, 403 for one they may see but not sign."""
    request = view.request
    data = SignSerializer.plain(request.data) or view._input(SignSerializer)
    round_id = parse_id(pk)
    if round_id is None:
        raise Http404
    try:
        signature = signing.sign(
            round_id,
            actor=request.user,
            consent_to_name=data["consent_to_name"],
            consent_to_store_id=data["consent_to_store_id"],
            ahead=ahead,
        )
    except ActionRefused as exc:
        if isinstance(request.user, Bearer):
            request.user = request.user.user()  # a real user to scope the round to
        view.get_object()
        if exc.code == "forbidden":
            raise PermissionDenied(gettext("Only members of this grievance can do this.")) from exc
        raise
    code = status.HTTP_201_CREATED if signature.newly_signed else status.HTTP_200_OK
    return Response(MySignatureSerializer.build(signature, email_verified=True), status=code)


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
