"""Health-check pages and API: own stores only (404 for anybody else's, staff included), the
manual form, the CSV import refusing bad files clearly, the history chart, matching grievances."""

from __future__ import annotations

import datetime as dt

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connection
from django.test.utils import CaptureQueriesContext

from coalition.actions.health import record_health_check
from coalition.categories import Category
from coalition.models import HealthCheck
from coalition.rules.thresholds import Figures
from tests.factories import GrievanceFactory, StoreFactory
from tests.files import ROLES

pytestmark = pytest.mark.django_db


JAN = {"period_start": "2026-01-01", "period_end": "2026-01-31"}


def check_for(seller, platform=None, *, month: int = 1, **figures) -> HealthCheck:
    store = StoreFactory(seller=seller, **({"platform": platform} if platform else {}))
    return save(store, month=month, **figures)


def save(store, *, month: int = 1, **figures) -> HealthCheck:
    figures = {"orders": 100, **figures}
    start = dt.date(2026, month, 1)
    end = dt.date(2026, month, 28)
    check, _created = record_health_check(
        store,
        actor=store.seller.user,
        period_start=start,
        period_end=end,
        figures=Figures(**figures),
    )
    return check


def csv_file(content: bytes, name: str = "orders.csv") -> SimpleUploadedFile:
    return SimpleUploadedFile(name, content, content_type="text/csv")


EXPORT = b"Order ID,Status,Refund reason\nA1,Shipped,\nA2,Refunded,Out of stock\nA3,Delivered,\n"


@pytest.mark.parametrize("role", ROLES)
def test_api_health_checks_are_the_callers_own_only(as_role, counterfeit_member, role):
    check = check_for(counterfeit_member.seller, chargebacks=5)
    client = as_role(role, api=True)
    listing = client.get("/api/v1/health-checks/")
    detail = client.get(f"/api/v1/health-checks/{check.pk}/")
    deleted = client.delete(f"/api/v1/health-checks/{check.pk}/")
    if role == "anonymous":
        assert {listing.status_code, detail.status_code, deleted.status_code} == {403}
        return
    if role == "member":
        assert [c["id"] for c in listing.json()["results"]] == [check.pk]
        assert detail.json()["overall"] == "high"
        assert deleted.status_code == 204
    else:
        assert listing.json()["results"] == []
        assert detail.status_code == 404 and deleted.status_code == 404
        assert HealthCheck.objects.filter(pk=check.pk).exists()


def test_api_create_returns_rates_risks_and_matching_grievances(
    as_role, counterfeit_member, platform
):
    g = GrievanceFactory(
        platform=platform, category=Category.REFUND_DISPUTE, title="Chargebacks forced on us"
    )
    store = StoreFactory(seller=counterfeit_member.seller, platform=platform)
    client = as_role("member", api=True)
    response = client.post(
        "/api/v1/health-checks/",
        {
            "store": store.pk,
            **JAN,
            "orders": 1000,
            "chargebacks": 5,
            "unfulfillable_refunds": 30,
            "fulfilled_orders": None,
        },
        format="json",
    )
    assert response.status_code == 201, response.json()
    data = response.json()
    risks = {r["metric"]: r for r in data["risks"]}
    assert (
        risks["chargeback_rate"]["level"] == "high" and risks["chargeback_rate"]["rate"] == "0.5000"
    )
    assert risks["unfulfillable_refund_rate"]["level"] == "close"  # exactly 3 %: not above
    assert (
        risks["fulfilment_rate"]["level"] == "no_data" and risks["fulfilment_rate"]["rate"] is None
    )
    assert [m["id"] for m in data["matching_grievances"]] == [g.pk]
    again = client.post(
        "/api/v1/health-checks/", {"store": store.pk, **JAN, "orders": 0}, format="json"
    )
    assert again.status_code == 200 and again.json()["overall"] == "no_data"


def test_api_refuses_figures_above_the_order_count_and_others_stores(
    as_role, counterfeit_member, outsider
):
    client = as_role("member", api=True)
    mine, theirs = StoreFactory(seller=counterfeit_member.seller), StoreFactory(seller=outsider)
    bad = client.post(
        "/api/v1/health-checks/",
        {"store": mine.pk, **JAN, "orders": 2, "chargebacks": 3},
        format="json",
    )
    assert bad.status_code == 400 and "chargebacks" in bad.json()["errors"]
    other = client.post(
        "/api/v1/health-checks/", {"store": theirs.pk, **JAN, "orders": 2}, format="json"
    )
    assert other.status_code == 400 and "store" in other.json()["errors"]


def test_api_import_refuses_a_bad_file_with_a_clear_message(as_role, counterfeit_member):
    store = StoreFactory(seller=counterfeit_member.seller)
    client = as_role("member", api=True)
    bad = client.post(
        "/api/v1/health-checks/import/",
        {
            "store": store.pk,
            **JAN,
            "order_id": "Order ID",
            "status": "Status",
            "file": csv_file(b"Order ID,Status\n"),
        },
        format="multipart",
    )
    assert bad.status_code == 400
    assert bad.json()["errors"]["file"] == ["The file has column names but no orders in it."]
    good = client.post(
        "/api/v1/health-checks/import/",
        {
            "store": store.pk,
            **JAN,
            "order_id": "Order ID",
            "status": "Status",
            "file": csv_file(EXPORT),
        },
        format="multipart",
    )
    assert good.status_code == 201 and good.json()["orders"] == 3


def test_api_health_list_query_count_does_not_grow(as_role, counterfeit_member):
    client = as_role("member", api=True)
    store = StoreFactory(seller=counterfeit_member.seller)

    def count() -> int:
        with CaptureQueriesContext(connection) as ctx:
            assert client.get("/api/v1/health-checks/").status_code == 200
        return len(ctx)

    save(store, month=1)
    small = count()
    for month in range(2, 8):
        save(store, month=month)
    assert count() == small
