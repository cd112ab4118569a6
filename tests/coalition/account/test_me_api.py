from __future__ import annotations

import pytest
from rest_framework.test import APIClient

from coalition.models import Seller
from tests.factories import UserFactory

pytestmark = pytest.mark.django_db

SELLERS = ["outsider", "member", "organiser", "staff"]


# --- me ------------------------------------------------------------------------------------


def test_anonymous_callers_have_no_profile(api_client):
    assert api_client.get("/api/v1/me/").status_code == 403
    assert api_client.patch("/api/v1/me/", {"display_name": "x"}, format="json").status_code == 403


@pytest.mark.parametrize("who", SELLERS)
def test_every_signed_in_caller_sees_their_own_profile(as_, who):
    response = as_(who).get("/api/v1/me/")
    assert response.status_code == 200
    body = response.json()
    seller = Seller.objects.get(pk=body["id"])
    assert body["email"] == seller.user.email
    assert set(body) == {
        "id",
        "display_name",
        "email",
        "language",
        "time_zone",
        "email_notifications",
        "country_of_establishment",
    }


def test_a_seller_states_where_their_business_is_established(outsider_api, outsider):
    response = outsider_api.patch("/api/v1/me/", {"country_of_establishment": "de"}, format="json")
    assert response.status_code == 200 and response.json()["country_of_establishment"] == "DE"
    outsider.refresh_from_db()
    assert outsider.country_of_establishment == "DE"
    bad = outsider_api.patch("/api/v1/me/", {"country_of_establishment": "XX1"}, format="json")
    assert bad.status_code == 400 and "country_of_establishment" in str(bad.json())


def test_a_seller_changes_their_profile(outsider_api, outsider):
    response = outsider_api.patch(
        "/api/v1/me/",
        {
            "display_name": "Oscar O.",
            "language": "zh-hans",
            "time_zone": "Asia/Shanghai",
            "email_notifications": False,
        },
        format="json",
    )
    assert response.status_code == 200, response.json()
    outsider.refresh_from_db()
    assert (
        outsider.display_name,
        outsider.language,
        outsider.time_zone,
        outsider.email_notifications,
    ) == (
        "Oscar O.",
        "zh-hans",
        "Asia/Shanghai",
        False,
    )


def test_the_email_address_cannot_be_changed_through_the_profile(outsider_api, outsider):
    before = outsider.user.email
    response = outsider_api.patch("/api/v1/me/", {"email": "new@example.com"}, format="json")
    assert response.status_code == 200
    outsider.user.refresh_from_db()
    assert outsider.user.email == before


def test_an_unknown_time_zone_or_language_is_a_field_error(outsider_api):
    response = outsider_api.patch(
        "/api/v1/me/", {"time_zone": "Mars/Olympus", "language": "xx"}, format="json"
    )
    assert response.status_code == 400
    assert {"time_zone", "language"} <= set(response.json()["errors"])


def test_a_user_without_a_seller_profile_gets_one_on_first_visit(api_client):
    user = UserFactory()
    api_client.force_login(user)
    response = api_client.get("/api/v1/me/")
    assert response.status_code == 200
    assert Seller.objects.filter(user=user).count() == 1


# --- token authentication ------------------------------------------------------------------


def test_email_and_password_give_a_token_that_authenticates(api_client, outsider):
    response = api_client.post(
        "/api/v1/auth/token/",
        {"email": outsider.user.email, "password": "pass-w0rd-123"},
        format="json",
    )
    assert response.status_code == 200, response.json()
    token = response.json()["token"]
    again = api_client.post(
        "/api/v1/auth/token/",
        {"email": outsider.user.email, "password": "pass-w0rd-123"},
        format="json",
    )
    assert again.json()["token"] == token

    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Token {token}")
    me = client.get("/api/v1/me/")
    assert me.status_code == 200 and me.json()["id"] == outsider.pk


def test_a_wrong_password_gets_no_token(api_client, outsider):
    response = api_client.post(
        "/api/v1/auth/token/", {"email": outsider.user.email, "password": "nope"}, format="json"
    )
    assert response.status_code == 400
    assert response.json()["errors"]["non_field_errors"]


def test_an_unverified_email_address_gets_no_token(api_client):
    user = UserFactory(verified=False)
    response = api_client.post(
        "/api/v1/auth/token/", {"email": user.email, "password": "pass-w0rd-123"}, format="json"
    )
    assert response.status_code == 400
    assert "email" in response.json()["errors"]


def test_a_bad_token_is_refused_with_json(outsider):
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION="Token not-a-real-token")
    response = client.get("/api/v1/me/")
    assert response.status_code in {401, 403}
    assert response.json()["code"] == "authentication_failed"


def test_guessing_passwords_is_rate_limited(api_client, outsider, settings):
    settings.REST_FRAMEWORK = {
        **settings.REST_FRAMEWORK,
        "DEFAULT_THROTTLE_RATES": {
            **settings.REST_FRAMEWORK["DEFAULT_THROTTLE_RATES"],
            "auth_token": "3/m",
        },
    }
    codes = [
        api_client.post(
            "/api/v1/auth/token/",
            {"email": outsider.user.email, "password": f"guess{i}"},
            format="json",
        ).status_code
        for i in range(4)
    ]
    assert codes == [400, 400, 400, 429]
