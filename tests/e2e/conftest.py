"""Browser journeys: Playwright drives Debian's headless Chromium against pytest-django's live server.

Playwright's sync API runs an event loop in the test thread, so Django's async-safety guard must be
relaxed for the test process (the live server's own threads are unaffected).
"""

from __future__ import annotations

import os
import re
import shutil

import pytest
from django.core import mail

from appeals.outbox.service import send_pending
from tests.conftest import require_service

os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")

CHROMIUM = os.environ.get("CHROMIUM_PATH", "/usr/bin/chromium")
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-dev-shm-usage",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]


@pytest.fixture(scope="session")
def browser():
    require_service(
        "Chromium",
        shutil.which(CHROMIUM) is not None or os.path.exists(CHROMIUM),
        "apt-get install chromium",
    )
    from playwright.sync_api import sync_playwright

    with sync_playwright() as pw:
        b = pw.chromium.launch(executable_path=CHROMIUM, headless=True, args=CHROMIUM_ARGS)
        yield b
        b.close()


@pytest.fixture
def new_page(browser, live_server):
    """A factory of isolated pages (each its own cookie jar, i.e. its own user)."""
    contexts = []

    def make(locale: str = "en-US", timezone_id: str = "Asia/Shanghai"):
        ctx = browser.new_context(base_url=live_server.url, locale=locale, timezone_id=timezone_id)
        ctx.set_default_timeout(15_000)
        contexts.append(ctx)
        return ctx.new_page()

    yield make
    for ctx in contexts:
        ctx.close()


def confirmation_link(address: str) -> str:
    """The email-confirmation link from the last message sent to this address (the outbox is
    sent first, as the worker would: account emails are outbox rows like every other email)."""
    send_pending()
    for message in reversed(mail.outbox):
        if address in message.to:
            found = re.search(r"https?://\S+/accounts/confirm-email/\S+/", message.body)
            if found:
                return found.group(0)
    raise AssertionError(f"no confirmation email to {address} in {[m.to for m in mail.outbox]}")


@pytest.fixture
def login_page(new_page, live_server):
    """A new page already logged in as `user`, through a session made in the test process (the
    live server shares the database and the cache, so it accepts the cookie). Faster than the
    login form, which tests/e2e/test_foundation_journey.py already covers."""
    from django.conf import settings
    from django.test import Client

    def make(user, **page_options):
        client = Client()
        client.force_login(user)
        page = new_page(**page_options)
        page.context.add_cookies(
            [
                {
                    "name": settings.SESSION_COOKIE_NAME,
                    "value": client.cookies[settings.SESSION_COOKIE_NAME].value,
                    "url": live_server.url,
                }
            ]
        )
        return page

    return make
