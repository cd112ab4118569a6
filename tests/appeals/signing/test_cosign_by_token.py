"""Co-signing with an API token: the co-sign's statement finds the token's user itself
(coalition/api/authentication.py `Bearer`), and accepts, refuses and limits exactly what a
token looked up first would."""

from __future__ import annotations

import pytest
from django.core.cache import cache
from django.test import override_settings
from rest_framework.authtoken.models import Token
from rest_framework.test import APIClient

from appeals.models import Appeal, Signature
from coalition.models import AuditEvent
from tests.appeals.builders import add_members, make_round
from tests.factories import SellerFactory

pytestmark = pytest.mark.django_db
S = Appeal.State


def url(appeal) -> str:
    return f"/api/v1/appeals/{appeal.pk}/signature/"


def by_token(key: str) -> APIClient:
    return APIClient(HTTP_AUTHORIZATION=f"Token {key}")


def nothing_written(appeal) -> bool:
    return (
        not Signature.objects.filter(appeal=appeal).exists()
        and not AuditEvent.objects.filter(verb="round.signed").exists()
    )


# The "sign" rate lowered to 3 an hour (signing and withdrawing count alike).
three_an_hour = override_settings(
    REST_FRAMEWORK={
        "DEFAULT_AUTHENTICATION_CLASSES": [
            "rest_framework.authentication.SessionAuthentication",
            "coalition.api.authentication.TokenAuthentication",
        ],
        "EXCEPTION_HANDLER": "coalition.api.exceptions.exception_handler",
        "DEFAULT_THROTTLE_RATES": {"sign": "3/h"},
    }
)


@pytest.fixture
def open_round(grievance):
    return make_round(grievance, S.SIGNING)


def test_a_members_token_signs_for_that_member(open_round, grievance):
    (member,) = add_members(grievance, 1)
    token = Token.objects.create(user=member.seller.user)
    response = by_token(token.key).post(url(open_round), {"consent_to_name": True}, format="json")
    assert response.status_code == 201, response.content
    signature = Signature.objects.get(appeal=open_round)
    assert signature.membership == member and signature.consent_to_name is True
    event = AuditEvent.objects.get(verb="round.signed")
    assert event.actor == member.seller.user


def test_an_unknown_token_is_refused_in_drfs_words_and_writes_nothing(open_round):
    response = by_token("0" * 40).post(url(open_round), {}, format="json")
    assert response.status_code == 403  # DRF answers 403, not 401, when session auth comes first
    assert response.json()["detail"] == "Invalid token."
    assert nothing_written(open_round)


def test_the_token_of_an_inactive_member_is_refused_and_writes_nothing(open_round, grievance):
    (member,) = add_members(grievance, 1)
    token = Token.objects.create(user=member.seller.user)
    member.seller.user.is_active = False
    member.seller.user.save(update_fields=["is_active"])
    response = by_token(token.key).post(url(open_round), {}, format="json")
    assert response.status_code == 403
    assert response.json()["detail"] == "User inactive or deleted."
    assert nothing_written(open_round)


def test_a_malformed_token_header_is_refused_by_drf(open_round):
    response = APIClient(HTTP_AUTHORIZATION="Token two words").post(
        url(open_round), {}, format="json"
    )
    assert response.status_code == 403
    assert "should not contain spaces" in response.json()["detail"]
    assert nothing_written(open_round)


def test_an_outsiders_token_is_refused_as_a_read_of_the_round_would_be(open_round):
    outsider = SellerFactory()
    client = by_token(Token.objects.create(user=outsider.user).key)
    response = client.post(url(open_round), {}, format="json")
    # 404 for a round the outsider may not see; 403 for one they may see but not sign.
    if client.get(f"/api/v1/appeals/{open_round.pk}/").status_code == 404:
        assert response.status_code == 404
    else:
        assert response.status_code == 403
        assert response.json()["detail"] == "Only members of this grievance can do this."
    assert nothing_written(open_round)


def test_an_outsiders_token_on_a_round_outsiders_may_read_is_a_403(grievance):
    grievance.visibility = type(grievance).Visibility.PUBLIC
    grievance.save(update_fields=["visibility"])
    appeal = make_round(grievance, S.SUBMITTED)  # outsiders read submitted rounds of public ones
    client = by_token(Token.objects.create(user=SellerFactory().user).key)
    assert client.get(f"/api/v1/appeals/{appeal.pk}/").status_code == 200
    response = client.post(url(appeal), {}, format="json")
    assert response.status_code == 403
    assert response.json()["detail"] == "Only members of this grievance can do this."
    assert nothing_written(appeal)


def test_a_signed_in_session_wins_over_a_token_as_in_drf(open_round, grievance):
    signed_in, other = add_members(grievance, 2)
    token = Token.objects.create(user=other.seller.user)
    client = by_token(token.key)
    client.force_login(signed_in.seller.user)
    assert client.post(url(open_round), {}, format="json").status_code == 201
    assert Signature.objects.get(appeal=open_round).membership == signed_in


@three_an_hour
def test_co_signing_by_token_is_rate_limited_per_member(open_round, grievance):
    cache.clear()
    first, second = add_members(grievance, 2)
    token = Token.objects.create(user=first.seller.user)
    codes = [
        by_token(token.key).post(url(open_round), {}, format="json").status_code for _ in range(4)
    ]
    assert codes == [201, 200, 200, 429]
    # Another member has a count of their own.
    other = Token.objects.create(user=second.seller.user)
    assert by_token(other.key).post(url(open_round), {}, format="json").status_code == 201
    cache.clear()


@three_an_hour
def test_signing_and_withdrawing_by_one_token_share_their_count(open_round, grievance):
    cache.clear()
    (member,) = add_members(grievance, 1)
    client = by_token(Token.objects.create(user=member.seller.user).key)
    codes = [
        client.post(url(open_round), {}, format="json").status_code,
        client.delete(url(open_round)).status_code,
        client.post(url(open_round), {}, format="json").status_code,
        client.delete(url(open_round)).status_code,
    ]
    assert codes == [201, 204, 201, 429]
    cache.clear()
