"""The reports and coupon-offers API: public create (throttled), email confirmation, status by
token, the reviewers' endpoints with their permission matrix, and members' coupon offers."""

from __future__ import annotations

import pytest
from django.core import mail
from django.db import connection
from django.test.utils import CaptureQueriesContext
from rest_framework.test import APIClient

from coalition.models import Evidence, InfringementReport
from tests.factories import offer, watcher_report
from tests.files import screenshot

pytestmark = pytest.mark.django_db


def payload(grievance, **extra):
    return {
        "grievance": grievance.pk,
        "listing_url": "https://shop.example/item/9",
        "infringes": "trademark",
        "store_name": "Knockoffs Ltd",
        "watcher_email": "api-watcher@example.net",
        "screenshots": [screenshot()],
        **extra,
    }


def test_anyone_reports_through_the_api_and_it_waits_for_the_email(
    counterfeit, django_capture_on_commit_callbacks, send_outbox, outbox_emails
):
    client = APIClient()
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post("/api/v1/reports/", payload(counterfeit), format="multipart")
    send_outbox()
    assert response.status_code == 201, response.json()
    body = response.json()
    report = InfringementReport.objects.get()
    assert body["counts"] is False and body["state"] == "new"
    assert body["status_url"].endswith(f"/report/status/{report.status_token}/")
    assert len(mail.outbox) == 1 and outbox_emails("watcher.confirm") == mail.outbox
    status = client.get(f"/api/v1/reports/status/{report.status_token}/").json()
    assert status["step"] == "unconfirmed" and status["coupon"] is None
    confirmed = client.post(
        "/api/v1/reports/confirm-email/", {"token": report.confirm_token}, format="json"
    )
    assert confirmed.status_code == 200 and confirmed.json()["counts"] is True
    assert client.get(f"/api/v1/reports/status/{report.status_token}/").json()["step"] == "new"


def test_bad_tokens_are_404_in_the_api(db):
    client = APIClient()
    assert client.get("/api/v1/reports/status/nope/").status_code == 404
    missing = client.post("/api/v1/reports/confirm-email/", {"token": "nope"}, format="json")
    assert missing.status_code == 404 and missing.json()["code"] == "not_found"


def test_the_api_refuses_a_report_without_screenshots_or_email_with_field_errors(counterfeit):
    client = APIClient()
    no_shots = client.post(
        "/api/v1/reports/", payload(counterfeit, screenshots=[]), format="multipart"
    )
    assert no_shots.status_code == 400 and "screenshots" in no_shots.json()["errors"]
    no_email = client.post(
        "/api/v1/reports/", payload(counterfeit, watcher_email=""), format="multipart"
    )
    assert no_email.status_code == 400 and "watcher_email" in no_email.json()["errors"]


def test_the_public_create_is_throttled(counterfeit):
    client = APIClient()
    for _ in range(10):
        client.post("/api/v1/reports/", {"listing_url": "x"}, format="multipart")
    limited = client.post("/api/v1/reports/", payload(counterfeit), format="multipart")
    assert limited.status_code == 429 and limited.json()["code"] == "throttled"
    assert not InfringementReport.objects.exists()


@pytest.mark.parametrize(
    ("role", "listed", "detail"),
    [
        ("anonymous", 403, 403),
        ("outsider", 200, 404),
        ("member", 200, 404),
        ("organiser", 200, 200),
        ("staff", 200, 200),
    ],
)
def test_api_review_endpoints_permission_matrix(as_role, counterfeit, role, listed, detail):
    report = watcher_report(counterfeit)
    client = as_role(role, api=True)
    listing = client.get("/api/v1/reports/")
    assert listing.status_code == listed
    if listed == 200:
        assert [r["id"] for r in listing.json()["results"]] == (
            [report.pk] if detail == 200 else []
        )
    assert client.get(f"/api/v1/reports/{report.pk}/").status_code == detail
    confirm = client.post(f"/api/v1/reports/{report.pk}/confirm/", {}, format="json")
    assert confirm.status_code == detail
    report.refresh_from_db()
    assert (report.state == "confirmed") is (detail == 200)


def test_the_reviewer_sees_no_watcher_email_in_the_api(as_role, counterfeit):
    report = watcher_report(counterfeit)
    data = as_role("organiser", api=True).get(f"/api/v1/reports/{report.pk}/").json()
    assert "watcher@example.net" not in str(data)
    assert (
        data["reported_by"] == "watcher" and data["screenshots"][0]["content_type"] == "image/png"
    )


def test_api_confirm_reports_the_coupon_and_evidence(
    as_role,
    counterfeit,
    counterfeit_member,
    django_capture_on_commit_callbacks,
    send_outbox,
    outbox_emails,
):
    offer(counterfeit_member, n=1)
    report = watcher_report(counterfeit)
    with django_capture_on_commit_callbacks(execute=True):
        response = as_role("organiser", api=True).post(
            f"/api/v1/reports/{report.pk}/confirm/", {"reason": "ok"}, format="json"
        )
    data = response.json()
    assert data["coupon_issued"] is True and data["coupon_owed"] is False
    assert data["evidence"] == list(Evidence.objects.values_list("pk", flat=True))
    assert data["report"]["state"] == "confirmed" and data["report"]["coupon_issued"] is True
    send_outbox()
    assert [m.to for m in outbox_emails("watcher.coupon")] == [["watcher@example.net"]]


def test_api_reject_needs_a_reason(as_role, counterfeit):
    report = watcher_report(counterfeit)
    client = as_role("organiser", api=True)
    refused = client.post(f"/api/v1/reports/{report.pk}/reject/", {}, format="json")
    assert refused.status_code == 400 and "reason" in refused.json()["errors"]
    done = client.post(
        f"/api/v1/reports/{report.pk}/reject/", {"reason": "Licensed reseller"}, format="json"
    )
    assert done.status_code == 200 and done.json()["report"]["reason"] == "Licensed reseller"


def test_api_review_list_filters_and_keeps_its_query_count(as_role, counterfeit):
    client = as_role("organiser", api=True)

    def count(url: str) -> int:
        with CaptureQueriesContext(connection) as ctx:
            assert client.get(url).status_code == 200
        return len(ctx)

    for i in range(2):
        watcher_report(
            counterfeit, url=f"https://shop.example/a{i}", email=f"a{i}@example.net", rgb=(i, 1, 1)
        )
    small = count("/api/v1/reports/")
    for i in range(6):
        watcher_report(
            counterfeit, url=f"https://shop.example/b{i}", email=f"b{i}@example.net", rgb=(i, 2, 2)
        )
    assert count("/api/v1/reports/") == small
    assert client.get("/api/v1/reports/?state=confirmed").json()["count"] == 0
    assert client.get(f"/api/v1/reports/?grievance={counterfeit.pk}&state=new").json()["count"] == 8
