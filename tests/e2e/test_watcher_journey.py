"""A watcher reports an infringing listing with a screenshot and confirms the email; an organiser
confirms the report; the watcher's coupon email arrives, and the screenshot is grievance evidence.

The live server runs in this process; the emails it queues in the outbox are sent here with
send_pending (as the worker would) and land in django.core.mail.outbox.
Its database is flushed after each test: everything is made here with factories.
"""

from __future__ import annotations

import hashlib
import re
from datetime import timedelta
from urllib.parse import urlparse

import pytest
from django.conf import settings
from django.core import mail
from django.test import Client
from django.urls import NoReverseMatch, reverse
from django.utils import timezone

from appeals.outbox.service import send_pending
from coalition.actions.coupons import offer_coupons
from coalition.categories import Category
from coalition.models import Evidence, InfringementReport
from tests.factories import (
    GrievanceFactory,
    MembershipFactory,
    OrganiserFactory,
    PlatformFactory,
    SellerFactory,
    StoreFactory,
)
from tests.files import URLS, png_bytes

pytestmark = [pytest.mark.e2e, pytest.mark.urls(URLS)]


def link_in(message, pattern: str) -> str:
    found = re.search(pattern, message.body)
    assert found, message.body
    return urlparse(found.group(0)).path


def sign_in(page, user, live_server) -> None:
    """Log the page's browser context in through a session cookie."""
    client = Client()
    client.force_login(user)
    cookie = client.cookies[settings.SESSION_COOKIE_NAME]
    page.context.add_cookies(
        [{"name": settings.SESSION_COOKIE_NAME, "value": cookie.value, "url": live_server.url}]
    )


def test_a_watchers_confirmed_report_earns_a_coupon_and_becomes_evidence(new_page, live_server):
    platform = PlatformFactory(name="Wishful", slug="wishful-e2e")
    grievance = GrievanceFactory(
        platform=platform,
        category=Category.COUNTERFEIT_INFRINGER,
        title="Copies of our garden lamps",
    )
    organiser = OrganiserFactory(
        grievance=grievance, seller=SellerFactory(display_name="Olivia")
    ).seller
    member = MembershipFactory(grievance=grievance)
    offer_coupons(
        member,
        actor=member.seller.user,
        store=StoreFactory(seller=member.seller, platform=platform),
        discount="20% off",
        codes=["GARDEN-20"],
        expires_on=timezone.localdate() + timedelta(days=30),
    )
    mail.outbox.clear()

    # The watcher, browsing in Chinese, reports the listing with a screenshot.
    watcher = new_page(locale="zh-CN", timezone_id="Asia/Shanghai")
    watcher.goto(f"/report/?grievance={grievance.pk}")
    watcher.select_option("select[name=grievance]", str(grievance.pk))
    watcher.fill(
        "input[name=listing_url]", "https://www.wishful.example/product/abc123?utm_source=app"
    )
    watcher.fill("input[name=store_name]", "Lamp Copies Store")
    watcher.check("input[name=infringes][value=counterfeit]")
    watcher.fill("input[name=watcher_email]", "watcher@example.net")
    watcher.set_input_files(
        "input[name=screenshots]",
        files=[
            {"name": "listing.png", "mimeType": "image/png", "buffer": png_bytes((10, 120, 40))},
        ],
    )
    watcher.click("main form button[type=submit]")
    watcher.wait_for_url(re.compile(r"/report/status/[-\w]+/$"))
    status_path = urlparse(watcher.url).path
    report = InfringementReport.objects.get()
    assert not report.counts and report.watcher_language == "zh-hans"

    # The confirmation email: both parts carry the link; opening it shows a button, which confirms.
    send_pending()
    confirmation = next(m for m in mail.outbox if m.to == ["watcher@example.net"])
    confirm_path = link_in(confirmation, r"https?://\S+/report/confirm/[-\w]+/")
    assert confirm_path in confirmation.alternatives[0][0]
    watcher.goto(confirm_path)
    watcher.click("main form button[type=submit]")
    watcher.wait_for_url(re.compile(re.escape(status_path) + "$"))
    report.refresh_from_db()
    assert report.counts

    # The organiser reviews and confirms it.
    reviewer = new_page(locale="en-US", timezone_id="Europe/Berlin")
    sign_in(reviewer, organiser.user, live_server)
    reviewer.goto("/reports/")
    reviewer.click(f"a[href='/reports/{report.pk}/']")
    reviewer.wait_for_selector("img[src*='/screenshots/']")
    assert (
        reviewer.evaluate("document.querySelector(\"img[src*='/screenshots/']\").naturalWidth") > 0
    )
    reviewer.fill("textarea[name=reason]", "Same photos as our catalogue.")
    reviewer.click("#review-form button[type=submit]:not([formaction])")
    reviewer.wait_for_selector(".alert-success")
    assert "The watcher gets a coupon by email." in reviewer.inner_text(".alert-success")

    # The coupon email arrives in the watcher's language, with both parts.
    send_pending()
    coupons = [m for m in mail.outbox if m.to == ["watcher@example.net"] and "GARDEN-20" in m.body]
    assert len(coupons) == 1
    html, mime = coupons[0].alternatives[0]
    assert mime == "text/html" and "GARDEN-20" in html and '<html lang="zh-hans">' in html

    # The screenshot is in the grievance's evidence, and the watcher's status page shows the code.
    evidence = Evidence.objects.get(grievance=grievance)
    assert evidence.sha256 == hashlib.sha256(png_bytes((10, 120, 40))).hexdigest()
    assert evidence.kind == "screenshot" and evidence.content_type == "image/png"
    watcher.goto(status_path)
    assert "GARDEN-20" in watcher.inner_text("main")
    _check_evidence_page(reviewer, grievance, evidence)


def _check_evidence_page(page, grievance, evidence) -> None:
    """If the evidence locker's page exists, the screenshot is listed there for the organiser."""
    for name in ("coalition:evidence_list", "coalition:grievance_evidence", "coalition:evidence"):
        try:
            url = reverse(name, args=[grievance.pk])
        except NoReverseMatch:
            continue
        response = page.goto(url)
        assert response.status == 200
        assert evidence.original_name in page.inner_text("main")
        return
