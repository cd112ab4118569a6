"""Health-check pages and API: own stores only (404 for anybody else's, staff included), the
manual form, the CSV import refusing bad files clearly, the history chart, matching grievances."""

from __future__ import annotations

import datetime as dt

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from coalition.actions.health import record_health_check
from coalition.categories import Category
from coalition.models import HealthCheck
from coalition.rules.thresholds import Figures
from tests.factories import GrievanceFactory, MembershipFactory, StoreFactory
from tests.files import ROLES, is_login_redirect, text

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


@pytest.mark.parametrize("role", ROLES)
def test_health_pages_of_a_store_are_for_its_owner_only(as_role, counterfeit_member, role):
    check = check_for(counterfeit_member.seller, unfulfillable_refunds=5)
    client = as_role(role)
    urls = [
        reverse("coalition:health_check_detail", args=[check.pk]),
        reverse("coalition:health_check_store", args=[check.store_id]),
    ]
    for url in urls:
        response = client.get(url)
        if role == "anonymous":
            assert is_login_redirect(response)
        elif role == "member":
            assert response.status_code == 200
        else:  # outsider, organiser and staff alike: another seller's figures do not exist for them
            assert response.status_code == 404
    delete = client.post(reverse("coalition:health_check_delete", args=[check.pk]))
    assert delete.status_code == {"anonymous": 302, "member": 302}.get(role, 404)
    assert HealthCheck.objects.filter(pk=check.pk).exists() is (role != "member")


@pytest.mark.parametrize("role", ROLES)
def test_the_health_list_shows_only_the_viewers_own_stores(as_role, counterfeit_member, role):
    store = check_for(counterfeit_member.seller).store
    response = as_role(role).get(reverse("coalition:health_check_list"))
    if role == "anonymous":
        assert is_login_redirect(response)
        return
    assert (store.name in text(response)) is (role == "member")


def test_nobody_enters_figures_for_someone_elses_store(as_role, counterfeit_member, outsider):
    StoreFactory(seller=counterfeit_member.seller)
    theirs = StoreFactory(seller=outsider)
    response = as_role("member").post(
        reverse("coalition:health_check_new"), {"store": theirs.pk, "orders": 10, **JAN}
    )
    assert response.status_code == 200 and "Select a valid choice" in text(response)
    assert not HealthCheck.objects.exists()


def test_a_seller_enters_figures_and_sees_each_risk_explained(as_role, counterfeit_member):
    store = StoreFactory(seller=counterfeit_member.seller)
    client = as_role("member")
    response = client.post(
        reverse("coalition:health_check_new"),
        {
            "store": store.pk,
            "orders": 100,
            "unfulfillable_refunds": 3,
            "fulfilled_orders": 97,
            "chargebacks": 1,
            "late_shipments": "",
            **JAN,
        },
    )
    check = HealthCheck.objects.get()
    assert response["Location"] == reverse("coalition:health_check_detail", args=[check.pk])
    assert check.late_shipments is None
    body = text(client.get(response["Location"]))
    assert (
        "3% of your orders were refunded" in body and "close to" in body
    )  # exactly 3 %: not above
    assert "1% of your orders ended in a chargeback" in body and "At risk" in body
    assert "Not enough data" in body  # late shipments left empty


def test_impossible_figures_are_refused_next_to_the_field(as_role, counterfeit_member):
    store = StoreFactory(seller=counterfeit_member.seller)
    response = as_role("member").post(
        reverse("coalition:health_check_new"),
        {
            "store": store.pk,
            "orders": 10,
            "fulfilled_orders": 11,
            **JAN,
        },
    )
    assert response.status_code == 200 and "cannot be more than the number of orders (10)" in text(
        response
    )


EXPORT = b"Order ID,Status,Refund reason\nA1,Shipped,\nA2,Refunded,Out of stock\nA3,Delivered,\n"


def test_a_csv_export_is_imported_with_the_sellers_column_names(as_role, counterfeit_member):
    store = StoreFactory(seller=counterfeit_member.seller)
    client = as_role("member")
    response = client.post(
        reverse("coalition:health_check_import"),
        {
            "store": store.pk,
            **JAN,
            "file": csv_file(EXPORT),
            "order_id": "Order ID",
            "status": "Status",
            "fulfilled_values": "shipped, delivered",
            "refund": "Refund reason",
            "refund_words": "out of stock",
        },
    )
    assert response.status_code == 302, text(response)
    check = HealthCheck.objects.get()
    assert (
        check.orders,
        check.fulfilled_orders,
        check.unfulfillable_refunds,
        check.chargebacks,
    ) == (3, 2, 1, None)
    assert check.source == HealthCheck.Source.CSV
    # The mapping is remembered for the next import.
    assert 'value="Refund reason"' in text(client.get(reverse("coalition:health_check_import")))


@pytest.mark.parametrize(
    ("content", "message"),
    [
        (b"\x89PNG\r\n\x1a\n" + b"\x00" * 40, "This is a PNG file, not a CSV file"),
        (b"Order ID,Status\n", "column names but no orders"),
        (b"Order number,State\nA1,Shipped\n", "Your file has no column"),
        (b"Order ID,Status\n\xff\xfe\xfa,\x80\n", "UTF-8 or GB18030"),
    ],
)
def test_a_bad_file_is_refused_with_a_clear_message_and_nothing_saved(
    as_role, counterfeit_member, content, message
):
    store = StoreFactory(seller=counterfeit_member.seller)
    response = as_role("member").post(
        reverse("coalition:health_check_import"),
        {
            "store": store.pk,
            **JAN,
            "file": csv_file(content),
            "order_id": "Order ID",
            "status": "Status",
        },
    )
    assert response.status_code == 400
    assert message in text(response)
    assert not HealthCheck.objects.exists()


def test_an_import_needs_a_column_besides_the_order_id(as_role, counterfeit_member):
    store = StoreFactory(seller=counterfeit_member.seller)
    response = as_role("member").post(
        reverse("coalition:health_check_import"),
        {
            "store": store.pk,
            **JAN,
            "file": csv_file(EXPORT),
            "order_id": "Order ID",
        },
    )
    assert response.status_code == 400 and "Name at least one column besides the order ID" in text(
        response
    )


def test_the_store_history_has_a_server_rendered_chart_over_periods(as_role, counterfeit_member):
    store = StoreFactory(seller=counterfeit_member.seller)
    for month, refunds in ((1, 1), (2, 2), (3, 5)):
        save(store, month=month, unfulfillable_refunds=refunds)
    body = text(as_role("member").get(reverse("coalition:health_check_store", args=[store.pk])))
    assert "<svg" in body
    assert "<polyline" in body and 'stroke-dasharray="6 4"' in body  # the line and the limit
    assert body.count("<circle") == 3
    assert "<script" not in body.split("<main", 1)[1]


def test_a_check_at_risk_links_to_open_grievances_of_the_matching_category(
    as_role, counterfeit_member, platform
):
    fulfilment = GrievanceFactory(
        platform=platform, category=Category.FULFILMENT_PERFORMANCE, title="Suspended for refunds"
    )
    MembershipFactory(grievance=fulfilment)
    other_platform = GrievanceFactory(category=Category.FULFILMENT_PERFORMANCE, title="Elsewhere")
    unrelated = GrievanceFactory(
        platform=platform, category=Category.ACCOUNT_LINKING, title="Linked accounts"
    )
    check = check_for(counterfeit_member.seller, platform, unfulfillable_refunds=4)
    body = text(as_role("member").get(reverse("coalition:health_check_detail", args=[check.pk])))
    assert fulfilment.title in body
    assert other_platform.title not in body and unrelated.title not in body


def test_a_healthy_check_offers_no_grievances(as_role, counterfeit_member, platform):
    GrievanceFactory(
        platform=platform, category=Category.FULFILMENT_PERFORMANCE, title="Suspended for refunds"
    )
    check = check_for(
        counterfeit_member.seller,
        platform,
        unfulfillable_refunds=0,
        fulfilled_orders=100,
        chargebacks=0,
    )
    assert "Suspended for refunds" not in text(
        as_role("member").get(reverse("coalition:health_check_detail", args=[check.pk]))
    )
