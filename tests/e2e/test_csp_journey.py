"""Under production's Content-Security-Policy the pages still work in a real browser: no
violation is reported, the share link still selects itself, and the API docs render.

The policy is the one tests/test_security_headers.py pins for config.settings.production. The
live server runs in this process but built its middleware when it started, so the fixture below
gives it a fresh handler with django-csp's middleware and puts the old one back afterwards.
"""

from __future__ import annotations

import pytest
from django.core.handlers.wsgi import WSGIHandler
from django.test.testcases import _MediaFilesHandler
from django.urls import reverse

from coalition.models import Grievance
from tests.factories import GrievanceFactory, OrganiserFactory, PlatformFactory, SellerFactory
from tests.test_security_headers import POLICY

pytestmark = pytest.mark.e2e


@pytest.fixture
def with_csp(settings, live_server):
    middleware = list(settings.MIDDLEWARE)
    middleware.insert(1, "csp.middleware.CSPMiddleware")
    settings.MIDDLEWARE = middleware
    settings.CONTENT_SECURITY_POLICY = {"DIRECTIVES": POLICY}
    thread = live_server.thread
    running = thread.httpd.get_app()
    thread.httpd.set_app(thread.static_handler(_MediaFilesHandler(WSGIHandler())))
    yield
    thread.httpd.set_app(running)


def watch_violations(page) -> list[str]:
    seen: list[str] = []
    page.on(
        "console",
        lambda message: (
            seen.append(message.text)
            if "Content Security Policy" in message.text or "Refused to" in message.text
            else None
        ),
    )
    return seen


def test_pages_run_under_the_policy_without_a_violation(with_csp, login_page, live_server):
    organiser = SellerFactory(display_name="Olivia Organiser")
    grievance = GrievanceFactory(
        platform=PlatformFactory(slug="wishful-csp"), visibility=Grievance.Visibility.UNLISTED
    )
    OrganiserFactory(grievance=grievance, seller=organiser)
    page = login_page(organiser.user)
    violations = watch_violations(page)

    for url in [
        reverse("home"),
        reverse("coalition:grievance_list"),
        reverse("coalition:report_new"),
    ]:
        page.goto(url)
        page.wait_for_load_state("load")
    page.goto(grievance.get_absolute_url())
    share = page.locator("input[data-select-on-focus]")
    share.focus()
    selected = share.evaluate("el => [el.selectionStart, el.selectionEnd, el.value.length]")
    assert selected[0] == 0 and selected[1] == selected[2] > 0
    assert page.evaluate("document.documentElement.classList.contains('js')")  # app.js ran

    assert violations == []
    assert "script-src 'self'" in page.request.get(url).headers["content-security-policy"]


def test_the_api_docs_render_under_the_policy(with_csp, new_page):
    page = new_page()
    violations = watch_violations(page)
    page.goto("/api/docs/")
    page.wait_for_selector(".swagger-ui .info .title")
    page.goto("/api/redoc/")
    page.wait_for_selector("text=Coalition API")
    page.fill("input[placeholder='Search...']", "evidence")  # Redoc searches in a blob: worker
    page.wait_for_selector("[data-role='search:results']")
    # Redoc's footer logo comes from its CDN: blocking it is what the policy is for.
    assert [v for v in violations if "cdn.redoc.ly" not in v] == []
