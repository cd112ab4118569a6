"""Rate limits count per client address (TRUSTED_PROXY_COUNT) and, for the API login, per
account: a different X-Forwarded-For on every request does not buy more attempts."""

from __future__ import annotations

import itertools

import pytest
from django.core.cache import cache
from django.urls import path, reverse
from rest_framework.response import Response
from rest_framework.test import APIClient
from rest_framework.views import APIView

from coalition.api.throttles import LoginAccountThrottle

pytestmark = pytest.mark.django_db

SPOOFED = (f"198.51.100.{i}" for i in itertools.count(1))


@pytest.fixture(autouse=True)
def _fresh_limits():
    cache.clear()
    yield
    cache.clear()


def behind_proxies(settings, count: int) -> None:
    """What TRUSTED_PROXY_COUNT=<count> in the environment sets (config/settings/base.py)."""
    settings.TRUSTED_PROXY_COUNT = count
    settings.REST_FRAMEWORK = {**settings.REST_FRAMEWORK, "NUM_PROXIES": count}


def rates(settings, **changed: str) -> None:
    current = settings.REST_FRAMEWORK["DEFAULT_THROTTLE_RATES"]
    settings.REST_FRAMEWORK = {
        **settings.REST_FRAMEWORK,
        "DEFAULT_THROTTLE_RATES": {**current, **changed},
    }


def token_attempt(client: APIClient, xff: str, email: str = "nobody@example.org") -> int:
    return client.post(
        "/api/v1/auth/token/",
        {"email": email, "password": "guess"},
        format="json",
        HTTP_X_FORWARDED_FOR=xff,
    ).status_code


# --- DRF throttles (per address) -----------------------------------------------------------


def test_a_new_x_forwarded_for_on_every_login_attempt_still_gets_a_429(settings):
    rates(settings, auth_token="3/m")
    client = APIClient()
    codes = [token_attempt(client, next(SPOOFED)) for _ in range(4)]
    assert codes == [400, 400, 400, 429]


def test_behind_one_proxy_only_the_address_the_proxy_saw_counts(settings):
    behind_proxies(settings, 1)
    rates(settings, auth_token="3/m")
    client = APIClient()
    alice = [token_attempt(client, f"{next(SPOOFED)}, 203.0.113.10") for _ in range(4)]
    bob = token_attempt(client, f"{next(SPOOFED)}, 203.0.113.20")
    assert alice == [400, 400, 400, 429]
    assert bob == 400  # another client behind the same proxy has attempts of its own


def test_the_public_report_api_is_not_dodged_by_rotating_the_header():
    client = APIClient()
    for _ in range(10):
        client.post(
            "/api/v1/reports/",
            {"listing_url": "x"},
            format="multipart",
            HTTP_X_FORWARDED_FOR=next(SPOOFED),
        )
    limited = client.post(
        "/api/v1/reports/",
        {"listing_url": "x"},
        format="multipart",
        HTTP_X_FORWARDED_FOR=next(SPOOFED),
    )
    assert limited.status_code == 429 and limited.json()["code"] == "throttled"


# --- django-ratelimit pages (per address) --------------------------------------------------


def test_the_public_report_form_is_not_dodged_by_rotating_the_header(client):
    url = reverse("coalition:report_new")
    for _ in range(10):
        assert (
            client.post(url, {"listing_url": "x"}, HTTP_X_FORWARDED_FOR=next(SPOOFED)).status_code
            == 200
        )
    assert (
        client.post(url, {"listing_url": "x"}, HTTP_X_FORWARDED_FOR=next(SPOOFED)).status_code
        == 429
    )


def test_behind_one_proxy_the_report_form_counts_each_client_apart(client, settings):
    behind_proxies(settings, 1)
    url = reverse("coalition:report_new")
    for _ in range(10):
        client.post(
            url, {"listing_url": "x"}, HTTP_X_FORWARDED_FOR=f"{next(SPOOFED)}, 203.0.113.10"
        )
    alice = client.post(
        url, {"listing_url": "x"}, HTTP_X_FORWARDED_FOR=f"{next(SPOOFED)}, 203.0.113.10"
    )
    bob = client.post(url, {"listing_url": "x"}, HTTP_X_FORWARDED_FOR="203.0.113.20")
    assert (alice.status_code, bob.status_code) == (429, 200)


# --- the API login, per account ------------------------------------------------------------


def test_the_token_login_is_limited_per_account_from_any_address(settings):
    """Each attempt from a new socket address: the per-address limit never trips, the
    per-account one does."""
    rates(settings, auth_token="100/m", login_account="3/h")
    client = APIClient()
    codes = [
        client.post(
            "/api/v1/auth/token/",
            {"email": "Victim@Example.org", "password": f"guess{i}"},
            format="json",
            REMOTE_ADDR=next(SPOOFED),
        ).status_code
        for i in range(4)
    ]
    assert codes == [400, 400, 400, 429]


class LoginLikeView(APIView):
    """Stands in for the token login: refuses every attempt, limited per account only."""

    authentication_classes: list = []
    permission_classes: list = []
    throttle_classes = [LoginAccountThrottle]

    def post(self, request):
        return Response({"detail": "no"}, status=400)


urlpatterns = [path("login/", LoginLikeView.as_view())]


def attempt(client: APIClient, email, **extra) -> int:
    body = {"email": email, "password": "guess"} if email is not None else {"password": "x"}
    return client.post("/login/", body, format="json", **extra).status_code


@pytest.mark.urls(__name__)
def test_attempts_at_one_account_are_limited_whatever_the_address(settings):
    rates(settings, login_account="3/h")
    client = APIClient()
    spellings = [
        "victim@example.org",
        " Victim@Example.org ",
        "VICTIM@EXAMPLE.ORG",
        "victim@example.org",
    ]
    codes = [
        attempt(client, email, HTTP_X_FORWARDED_FOR=next(SPOOFED), REMOTE_ADDR=next(SPOOFED))
        for email in spellings
    ]
    assert codes == [400, 400, 400, 429]
    assert attempt(client, "someone.else@example.org") == 400


@pytest.mark.urls(__name__)
def test_the_account_limit_defaults_to_ten_an_hour():
    client = APIClient()
    codes = [attempt(client, "victim@example.org", REMOTE_ADDR=next(SPOOFED)) for _ in range(11)]
    assert codes == [400] * 10 + [429]


@pytest.mark.urls(__name__)
def test_a_request_naming_no_account_is_left_to_the_serializer(settings):
    rates(settings, login_account="1/h")
    client = APIClient()
    assert [attempt(client, None) for _ in range(3)] == [400, 400, 400]
    as_list = client.post("/login/", ["victim@example.org"], format="json")
    assert as_list.status_code == 400


@pytest.mark.urls(__name__)
def test_the_cache_key_does_not_contain_the_email_address(settings):
    rates(settings, login_account="3/h")
    throttle = LoginAccountThrottle()
    client = APIClient()
    attempt(client, "victim@example.org")
    request = type("R", (), {"data": {"email": "victim@example.org"}})()
    key = throttle.get_cache_key(request, None)
    assert "victim" not in key and key.startswith("throttle_login_account_")
    assert cache.get(key)
