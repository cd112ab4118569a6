"""allauth's hooks: account emails through the outbox, branded and in the seller's language.

Sign-up, verification and password-reset emails are outbox rows like every other email (docs/
architecture.md "Email"): allauth renders them from templates/account/email/ (our branded text and
HTML versions), in the language the seller chose — not the page's — and `coalition.emails` hands
them to the outbox, which the worker sends at once (they are never held for daytime: the person is
waiting for them) and retries when the mail server is away.
"""

from __future__ import annotations

from types import SimpleNamespace
from typing import Any
from urllib.parse import urlsplit

from allauth.account.adapter import DefaultAccountAdapter
from django.conf import settings
from django.http import HttpRequest
from django.utils import translation

from coalition.emails import queue_account_email
from coalition.queries.sellers import seller_of, seller_with_email


def brand() -> SimpleNamespace:
    """What allauth's templates call the "current site": our name and address, never the host
    header of whichever request happened to send the email."""
    return SimpleNamespace(name=settings.SITE_NAME, domain=urlsplit(settings.SITE_URL).netloc)


class AccountAdapter(DefaultAccountAdapter):
    def send_mail(self, template_prefix: str, email: str, context: dict[str, Any]) -> None:
        user = context.get("user")
        seller = seller_of(user) if user is not None else seller_with_email(email)
        language = seller.language if seller else translation.get_language()
        ctx = {
            "email": email,
            "current_site": brand(),
            "site_name": settings.SITE_NAME,
            "site_url": settings.SITE_URL,
            **context,
        }
        with translation.override(language or settings.LANGUAGE_CODE):
            message = self.render_mail(template_prefix, email, ctx)
        html = next(
            (body for body, mime in getattr(message, "alternatives", []) if mime == "text/html"), ""
        )
        queue_account_email(
            template_prefix.rsplit("/", 1)[-1],
            to=email,
            subject=message.subject,
            text=message.body,
            html=html,
        )

    def respond_email_verification_sent(self, request: HttpRequest, user):
        """The "check your inbox" page speaks the language chosen at sign-up: the choice is
        remembered in the language cookie until the seller signs in."""
        response = super().respond_email_verification_sent(request, user)
        seller = seller_of(user)
        if seller is not None and seller.language:
            response.set_cookie(
                settings.LANGUAGE_COOKIE_NAME,
                seller.language,
                max_age=settings.LANGUAGE_COOKIE_AGE,
                samesite="Lax",
                secure=settings.SESSION_COOKIE_SECURE,
            )
        return response
