"""The plain co-sign (appeals/api/signatures.py `plain_cosign`): a token co-sign answered without
DRF's request machinery answers exactly what DRF's dispatch answers, refusals included; and only
a plain request takes that way."""

from __future__ import annotations

from collections.abc import Callable

import pytest
import time_machine
from allauth.account.models import EmailAddress
from django.core.cache import cache
from django.db import transaction
from django.test import override_settings
from rest_framework.authtoken.models import Token
from rest_framework.request import Request
from rest_framework.test import APIClient

from appeals.api import rounds
from appeals.models import Appeal, Signature
from tests.appeals.builders import add_members, make_round
from tests.factories import SellerFactory

pytestmark = pytest.mark.django_db
S = Appeal.State

# What a client reads of an answer besides its status and body.
HEADERS = (
    "Content-Type",
    "Content-Language",
    "Vary",
    "Allow",
    "Retry-After",
    "WWW-Authenticate",
    "Content-Security-Policy",
)

one_an_hour = override_settings(
    REST_FRAMEWORK={
        "DEFAULT_AUTHENTICATION_CLASSES": [
            "rest_framework.authentication.SessionAuthentication",
            "coalition.api.authentication.TokenAuthentication",
        ],
        "EXCEPTION_HANDLER": "coalition.api.exceptions.exception_handler",
        "DEFAULT_THROTTLE_RATES": {"sign": "1/h"},
    }
)


def url(appeal) -> str:
    return f"/api/v1/appeals/{appeal.pk}/signature/"


def token_of(membership_or_seller) -> str:
    seller = getattr(membership_or_seller, "seller", membership_or_seller)
    return Token.objects.create(user=seller.user).key


def post(key: str, appeal, body: object = None, **headers):
    client = APIClient(HTTP_AUTHORIZATION=f"Token {key}", **headers)
    return client.post(url(appeal), {} if body is None else body, format="json")


def both_ways(monkeypatch, requests: Callable[[], list]) -> tuple[list, list]:
    """What `requests` answers with the plain co-sign on, and then, from the same state (the
    database rolled back, the throttle's counts cleared, the clock stopped), through DRF alone.
    Each answer as (status, body, the HEADERS it has)."""
    answers = []
    for plain in (True, False):
        with monkeypatch.context() as patch, time_machine.travel("2026-12-02 09:00Z", tick=False):
            if not plain:
                patch.setattr(rounds, "plain_cosign", lambda view, request: None)
            cache.clear()
            with transaction.atomic():
                answers.append(
                    [
                        (r.status_code, r.content, {h: r[h] for h in HEADERS if r.has_header(h)})
                        for r in requests()
                    ]
                )
                transaction.set_rollback(True)
    cache.clear()
    return answers[0], answers[1]


@pytest.fixture
def open_round(grievance):
    return make_round(grievance, S.SIGNING)


def test_a_first_signature_and_its_repeat_answer_as_through_drf(monkeypatch, open_round, grievance):
    (member,) = add_members(grievance, 1)
    key = token_of(member)
    plain, drf = both_ways(
        monkeypatch,
        lambda: [post(key, open_round, {"consent_to_name": False}), post(key, open_round)],
    )
    assert [a[0] for a in plain] == [201, 200]
    assert plain == drf


def test_both_consents_answer_as_through_drf(monkeypatch, open_round, grievance):
    (member,) = add_members(grievance, 1)
    key = token_of(member)
    body = {"consent_to_name": True, "consent_to_store_id": True}
    plain, drf = both_ways(monkeypatch, lambda: [post(key, open_round, body)])
    assert plain[0][0] == 201 and b'"consent_to_store_id":true' in plain[0][1]
    assert plain == drf


@pytest.mark.parametrize("language", ["en", "zh-hans"])
def test_refusals_answer_as_through_drf_in_both_languages(
    monkeypatch, open_round, grievance, language
):
    member, unverified = add_members(grievance, 2)
    EmailAddress.objects.filter(user=unverified.seller.user).update(verified=False)
    inactive = add_members(grievance, 1)[0]
    inactive_key = token_of(inactive)
    inactive.seller.user.is_active = False
    inactive.seller.user.save(update_fields=["is_active"])
    closed = make_round(grievance, S.SUBMITTED)
    outsider = token_of(SellerFactory())
    keys = {"member": token_of(member), "unverified": token_of(unverified)}

    def requests():
        lang = {"HTTP_ACCEPT_LANGUAGE": language}
        return [
            post("0" * 40, open_round, **lang),  # unknown token
            post(inactive_key, open_round, **lang),
            post(outsider, open_round, **lang),  # a round the outsider may not see
            post(keys["unverified"], open_round, **lang),
            post(keys["member"], closed, **lang),  # not open for signing
        ]

    plain, drf = both_ways(monkeypatch, requests)
    assert [a[0] for a in plain] == [403, 403, 404, 400, 400]
    assert plain == drf
    assert not Signature.objects.exists()


@one_an_hour
def test_the_throttles_refusal_answers_as_through_drf(monkeypatch, open_round, grievance):
    (member,) = add_members(grievance, 1)
    key = token_of(member)
    plain, drf = both_ways(monkeypatch, lambda: [post(key, open_round), post(key, open_round)])
    assert [a[0] for a in plain] == [201, 429]
    assert "Retry-After" in plain[1][2]
    assert plain == drf


def test_a_body_that_is_not_plain_is_read_by_drf(monkeypatch, open_round, grievance):
    (member,) = add_members(grievance, 1)
    key = token_of(member)
    plain, drf = both_ways(
        monkeypatch,
        lambda: [
            post(key, open_round, {"consent_to_name": "maybe"}),
            post(key, open_round, {"consent_to_name": "yes", "extra": 1}),  # DRF reads "yes"
        ],
    )
    assert [a[0] for a in plain] == [400, 201]
    assert b"consent_to_name" in plain[0][1]
    assert plain == drf


def test_a_plain_co_sign_builds_no_drf_request(monkeypatch, open_round, grievance):
    (member,) = add_members(grievance, 1)
    key = token_of(member)

    def refuse(*args, **kwargs):
        raise AssertionError("a DRF request was built")

    monkeypatch.setattr(Request, "__init__", refuse)
    assert post(key, open_round).status_code == 201


@pytest.mark.parametrize(
    "headers",
    [
        {"HTTP_ACCEPT": "text/html"},  # the browsable API
        {"QUERY_STRING": "format=json"},
        {"CONTENT_TYPE": "application/json; charset=latin-1"},
    ],
)
def test_a_request_that_is_not_plain_goes_through_drf(monkeypatch, open_round, grievance, headers):
    (member,) = add_members(grievance, 1)
    key = token_of(member)
    built = []
    init = Request.__init__

    def counted(self, *args, **kwargs):
        built.append(self)
        init(self, *args, **kwargs)

    monkeypatch.setattr(Request, "__init__", counted)
    client = APIClient(HTTP_AUTHORIZATION=f"Token {key}")
    response = client.generic(
        "POST",
        url(open_round),
        b'{"consent_to_name": true}',
        content_type=headers.pop("CONTENT_TYPE", "application/json"),
        **headers,
    )
    assert response.status_code == 201
    assert built  # DRF's dispatch served it
    assert Signature.objects.get(appeal=open_round).consent_to_name is True
