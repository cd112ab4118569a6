"""Sign-up: extra profile fields, mandatory email verification, and a rate limit per IP."""

from __future__ import annotations

import pytest
from allauth.account.models import EmailAddress
from django.contrib.auth import get_user_model

pytestmark = pytest.mark.django_db


def signup(client, n: int):
    return client.post(
        "/accounts/signup/",
        {
            "email": f"seller{n}@example.com",
            "password1": "Seller-pass-2026!",
            "password2": "Seller-pass-2026!",
            "display_name": f"Seller {n}",
            "language": "zh-hans",
        },
    )


def test_sign_up_creates_the_seller_profile_and_asks_to_verify_the_email(client, mailoutbox):
    response = signup(client, 1)
    assert response.status_code == 302 and "confirm-email" in response.url
    user = get_user_model().objects.get(email="seller1@example.com")
    assert (user.seller.display_name, user.seller.language) == ("Seller 1", "zh-hans")
    assert not EmailAddress.objects.get(user=user).verified
    assert len(mailoutbox) == 1 and "/accounts/confirm-email/" in mailoutbox[0].body
    # Mandatory verification: not signed in until the email is confirmed.
    assert client.get("/account/profile/").status_code == 302


def test_sign_up_is_rate_limited_per_ip(client, settings):
    settings.ACCOUNT_RATE_LIMITS = {"signup": "2/h/ip"}
    assert [signup(client, n).status_code for n in range(2)] == [302, 302]
    refused = signup(client, 3)
    assert refused.status_code == 429
    assert not get_user_model().objects.filter(email="seller3@example.com").exists()
