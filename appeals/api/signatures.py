"""The caller's own signature on a round, as /api/v1/appeals/<id>/signature/ reads and writes
it; and the co-sign itself, the API's hot path, which the round viewset (appeals/api/rounds.py)
hands its POST: `plain_cosign` for the usual request, `cosign` for any other.

**The plain co-sign** is a POST authenticated by nothing but an API token (`Token <key>`, no
signed-in session), with a small JSON body of the two consents, asking for JSON (no `Accept`,
`*/*` or `application/json`; no format suffix). It is answered without DRF's request machinery:
the token is left to the signing statement (a `Bearer`), the body is read with `json.loads`,
the throttle's window is counted by the signing statement too, in the same count as DRF's check
(coalition/api/window_throttle.py), and the answer is rendered by DRF's JSON
renderer into a plain response with the headers DRF adds. Everything else about it is DRF's:
a refusal (throttled, a bad token, not a member, the round not open) is answered through DRF's
dispatch (coalition/api/answers.py), and any request that is not plain goes to `cosign`, through
DRF as usual. Either way the answer is the same, byte for byte
(tests/appeals/signing/test_plain_cosign.py).
"""

from __future__ import annotations

import json
from functools import partial

from django.http import Http404, HttpRequest, HttpResponse
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _
from rest_framework import serializers, status
from rest_framework.exceptions import APIException, PermissionDenied
from rest_framework.renderers import JSONRenderer
from rest_framework.response import Response
from rest_framework.settings import api_settings

from appeals.actions import signing
from appeals.models import Signature
from appeals.models.rounds import COUNTED_MEMBERSHIP_STATES
from coalition.actions import rates
from coalition.api.answers import drf_answer, finalized
from coalition.api.authentication import Bearer, bearer
from coalition.errors import ActionRefused
from coalition.rules.integers import parse_id

# A plain body is a JSON object of the two consents: a few dozen bytes.
PLAIN_BODY_LIMIT = 256
_JSON_ACCEPTED = frozenset({"*/*", "application/json"})
_RENDERER = JSONRenderer()


def defer_token(request) -> bool:
    """Leave the request's API token to the co-sign's statement (a `Bearer`,
    coalition/api/authentication.py) when DRF would authenticate it by that token alone; False
    when DRF is to authenticate the request as usual."""
    caller = bearer(request._request)
    if caller is None:
        return False
    request.user, request.auth = caller, None
    return True


def plain_cosign(view, request: HttpRequest) -> HttpResponse | None:
    """The POST of a plain co-sign (see above), answered; None for any other request, which
    DRF's dispatch then serves (`cosign`). `view` is the round viewset, not yet dispatched."""
    data = _plain_body(request) if _plain_request(view, request) else None
    round_id = parse_id(view.kwargs.get("pk"))
    caller = bearer(request) if data is not None and round_id is not None else None
    if caller is None:
        return None
    request.user = caller  # as DRF's authentication would set it: the throttle counts by it
    try:
        signature = signing.sign(
            round_id,
            actor=caller,
            consent_to_name=data["consent_to_name"],
            consent_to_store_id=data["consent_to_store_id"],
            rate=view.sign_throttle().window(request, view),  # counted by the statement
        )
    except rates.Exceeded as exc:
        throttled = partial(view.throttled, request, exc.window.wait)
        return drf_answer(view, request, throttled, user=caller, auth=None)
    except (ActionRefused, APIException) as exc:
        return drf_answer(view, request, partial(_refused, view, exc), user=caller, auth=None)
    answer = HttpResponse(
        _RENDERER.render(MySignatureSerializer.build(signature, email_verified=True)),
        content_type=_RENDERER.media_type,
        status=status.HTTP_201_CREATED if signature.newly_signed else status.HTTP_200_OK,
    )
    return finalized(view, request, answer)


def _plain_request(view, request: HttpRequest) -> bool:
    """Whether DRF would read the body as JSON and answer in JSON, with no format asked for."""
    meta = request.META
    media_type, _sep, params = meta.get("CONTENT_TYPE", "").partition(";")
    charset = params.strip().lower()
    return (
        media_type.strip().lower() == "application/json"
        and charset in ("", "charset=utf-8")
        and meta.get("HTTP_ACCEPT", "*/*").strip() in _JSON_ACCEPTED
        and "format" not in view.kwargs
        and api_settings.URL_FORMAT_OVERRIDE not in request.GET
    )


def _plain_body(request: HttpRequest) -> dict | None:
    """The consents of a small body that is a plain JSON object of them (SignSerializer.plain);
    None for anything else, which DRF then reads and refuses with its field errors."""
    length = request.META.get("CONTENT_LENGTH", "")
    if not length.isdigit() or not 0 < int(length) <= PLAIN_BODY_LIMIT:
        return None
    try:
        return SignSerializer.plain(json.loads(request.body.decode("utf-8")))
    except ValueError:  # not UTF-8 (UnicodeDecodeError is one) or not JSON
        return None


def cosign(view, pk: str | None) -> Response:
    """POST through DRF: co-sign the round `pk` for the caller. The action checks membership,
    the round's state and the email (and the token) in its one statement, so neither the round
    nor the standing is read first; a refusal then answers as those reads would have
    (`_refused`)."""
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
        )
    except ActionRefused as exc:
        _refused(view, exc)
    code = status.HTTP_201_CREATED if signature.newly_signed else status.HTTP_200_OK
    return Response(MySignatureSerializer.build(signature, email_verified=True), status=code)


def _refused(view, exc: Exception):
    """Raise what a refused co-sign answers, as reading the round first would have: 404 for a
    round the caller may not see, 403 for one they may see but not sign; the refusal itself
    otherwise. A refusal of the caller's token (DRF's AuthenticationFailed) is raised as is."""
    request = view.request
    if isinstance(exc, APIException):
        raise exc
    if isinstance(request.user, Bearer):
        request.user = request.user.user()  # a real user to scope the round to
    view.get_object()
    if exc.code == "forbidden":
        raise PermissionDenied(gettext("Only members of this grievance can do this.")) from exc
    raise exc


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
