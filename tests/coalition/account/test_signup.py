"""Sign-up: extra profile fields, mandatory email verification, a rate limit per IP, and accounts
in the seller's own language: the page's language and the browser's time zone by default, the
verification and reset emails branded, in both parts, in the language chosen, through the outbox."""

from __future__ import annotations

import pytest
from allauth.account.models import EmailAddress
from django.conf import settings
from django.contrib.auth import get_user_model
from django.core import mail

from appeals.models import Notification

pytestmark = pytest.mark.django_db


def signup(client, n: int, *, language: str = "zh-hans", time_zone: str | None = None, **extra):
    data = {
        "email": f"seller{n}@example.com",
        "password1": "Seller-pass-2026!",
        "password2": "Seller-pass-2026!",
        "display_name": f"Seller {n}",
        "language": language,
    }
    if time_zone is not None:
        data["time_zone"] = time_zone
    return client.post("/accounts/signup/", data, **extra)


def test_sign_up_creates_the_seller_profile_and_asks_to_verify_the_email(
    client, mailoutbox, send_outbox
):
    response = signup(client, 1)
    assert response.status_code == 302 and "confirm-email" in response.url
    user = get_user_model().objects.get(email="seller1@example.com")
    assert (user.seller.display_name, user.seller.language) == ("Seller 1", "zh-hans")
    assert not EmailAddress.objects.get(user=user).verified
    # The verification email is an outbox row first, sent by the worker (here: in-process).
    row = Notification.objects.get(to_email="seller1@example.com")
    assert row.kind == "account.email_confirmation_signup" and row.state == "pending"
    send_outbox()
    assert len(mailoutbox) == 1 and "/accounts/confirm-email/" in mailoutbox[0].body
    # Mandatory verification: not signed in until the email is confirmed.
    assert client.get("/account/profile/").status_code == 302


def test_sign_up_is_rate_limited_per_ip(client, settings):
    settings.ACCOUNT_RATE_LIMITS = {"signup": "2/h/ip"}
    assert [signup(client, n).status_code for n in range(2)] == [302, 302]
    refused = signup(client, 3)
    assert refused.status_code == 429
    assert not get_user_model().objects.filter(email="seller3@example.com").exists()


@pytest.mark.parametrize(
    ("accept", "expected"), [("zh-CN,zh;q=0.9", "zh-hans"), ("en-US,en;q=0.9", "en")]
)
def test_the_sign_up_form_starts_in_the_language_of_the_page(client, accept, expected):
    page = client.get("/accounts/signup/", HTTP_ACCEPT_LANGUAGE=accept)
    assert page.status_code == 200
    form = page.context["form"]
    assert form.fields["language"].initial == expected


def test_the_browsers_time_zone_is_kept_and_an_unknown_one_falls_back_to_the_languages(client):
    signup(client, 1, language="en", time_zone="America/Los_Angeles")
    signup(client, 2, language="zh-hans", time_zone="Mars/Olympus_Mons")
    signup(client, 3, language="en")
    zones = dict(
        get_user_model()
        .objects.filter(email__startswith="seller")
        .values_list("email", "seller__time_zone")
    )
    assert zones == {
        "seller1@example.com": "America/Los_Angeles",
        "seller2@example.com": "Asia/Shanghai",
        "seller3@example.com": "UTC",
    }


def test_choosing_chinese_on_the_english_page_gives_a_chinese_email_and_next_page(
    client, mailoutbox, send_outbox
):
    response = signup(client, 1, language="zh-hans", HTTP_ACCEPT_LANGUAGE="en-US,en;q=0.9")
    assert response.cookies[settings.LANGUAGE_COOKIE_NAME].value == "zh-hans"
    sent_page = client.get(response.url, HTTP_ACCEPT_LANGUAGE="en-US,en;q=0.9")
    assert sent_page.status_code == 200 and 'lang="zh-hans"' in sent_page.content.decode()
    send_outbox()
    [message] = mailoutbox
    html, mime = message.alternatives[0]
    assert mime == "text/html"
    assert "确认" in message.subject and "确认" in message.body and "确认" in html
    assert "/accounts/confirm-email/" in message.body and "/accounts/confirm-email/" in html


def test_account_emails_are_branded_with_the_site_name_not_the_request_host(
    client, mailoutbox, send_outbox, settings
):
    settings.SITE_NAME = "Coalition Test"
    signup(client, 1, language="en", HTTP_HOST="127.0.0.1:8101")
    send_outbox()
    [message] = mailoutbox
    html = message.alternatives[0][0]
    for part in (message.subject, message.body, html):
        assert "Coalition" in part and "127.0.0.1:8101" not in part.replace(
            "http://127.0.0.1:8101", ""
        )
    assert "Hello from Coalition Test," in message.body and "Hello from Coalition Test," in html
    username = get_user_model().objects.get(email="seller1@example.com").get_username()
    assert f"user {username}" not in message.body  # allauth's default named the generated username


def test_the_password_reset_email_is_branded_and_in_the_sellers_language(
    client, mailoutbox, send_outbox
):
    signup(client, 1, language="zh-hans")
    send_outbox()
    mail.outbox.clear()
    client.post("/accounts/password/reset/", {"email": "seller1@example.com"})
    assert Notification.objects.filter(kind="account.password_reset_key").count() == 1
    send_outbox()
    [message] = mailoutbox
    html = message.alternatives[0][0]
    assert "/accounts/password/reset/key/" in message.body and "重置" in message.subject
    assert "重置" in message.body and "重置" in html


def test_signing_in_greets_the_seller_by_display_name_in_their_language(client):
    signup(client, 1, language="zh-hans")
    EmailAddress.objects.filter(email="seller1@example.com").update(verified=True)
    response = client.post(
        "/accounts/login/",
        {"login": "seller1@example.com", "password": "Seller-pass-2026!"},
        follow=True,
    )
    texts = [str(m) for m in response.context["messages"]]
    assert texts[-1] == "已登录为 Seller 1。"
