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


def upload(client, store, content: bytes = EXPORT, **extra):
    """Step 1 of an import: store, period, file."""
    return client.post(
        reverse("coalition:health_check_import"),
        {"store": store.pk, **JAN, "file": csv_file(content), **extra},
    )


def choose(client, action: str = "import", **columns):
    """Step 2: the columns chosen from the file's own header."""
    return client.post(reverse("coalition:health_check_import_map"), {"action": action, **columns})


def test_a_csv_export_is_imported_after_choosing_its_columns_from_its_own_header(
    as_role, counterfeit_member
):
    store = StoreFactory(seller=counterfeit_member.seller)
    client = as_role("member")
    step_1 = upload(client, store)
    assert step_1.status_code == 302 and step_1.url == reverse("coalition:health_check_import_map")
    page = client.get(step_1.url)
    # The columns are chosen from the file's own names, guessed in advance.
    form = page.context["form"]
    assert [c for c, _label in form.fields["status"].choices] == [
        "",
        "Order ID",
        "Status",
        "Refund reason",
    ]
    assert (form["order_id"].value(), form["status"].value(), form["refund"].value()) == (
        "Order ID",
        "Status",
        "Refund reason",
    )
    assert "A2" in text(page)  # the preview shows the file's first rows
    response = choose(
        client,
        order_id="Order ID",
        status="Status",
        fulfilled_values="shipped, delivered",
        refund="Refund reason",
        refund_words="out of stock",
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


def test_chinese_headers_of_a_marketplace_export_are_guessed(as_role, counterfeit_member):
    store = StoreFactory(seller=counterfeit_member.seller)
    client = as_role("member")
    export = "订单编号,订单状态,退款原因,拒付\nB1,已发货,,\nB2,已签收,,是\n".encode("gb18030")
    upload(client, store, export)
    form = client.get(reverse("coalition:health_check_import_map")).context["form"]
    guessed = {
        name: form[name].value() for name in ("order_id", "status", "refund", "chargeback", "late")
    }
    assert guessed == {
        "order_id": "订单编号",
        "status": "订单状态",
        "refund": "退款原因",
        "chargeback": "拒付",
        "late": "",
    }


def test_the_last_mapping_is_offered_only_where_the_new_file_has_those_columns(
    as_role, counterfeit_member
):
    store = StoreFactory(seller=counterfeit_member.seller)
    client = as_role("member")
    upload(client, store, b"Ref,Stage,Why refunded\nA1,shipped,\nA2,shipped,out of stock\n")
    assert choose(client, order_id="Ref", status="Stage", refund="Why refunded").status_code == 302
    # The next export names its columns differently: the remembered ones are not forced on it.
    upload(client, store, EXPORT, period_start="2026-02-01", period_end="2026-02-28")
    form = client.get(reverse("coalition:health_check_import_map")).context["form"]
    assert (form["order_id"].value(), form["status"].value(), form["refund"].value()) == (
        "Order ID",
        "Status",
        "Refund reason",
    )


def test_every_problem_row_is_listed_at_once_with_its_number_before_importing(
    as_role, counterfeit_member
):
    store = StoreFactory(seller=counterfeit_member.seller)
    client = as_role("member")
    upload(client, store, b"Order ID,Status\nA1,Shipped\n,Shipped\nA3\nA4,Delivered\n,Lost\n")
    preview = choose(client, action="preview", order_id="Order ID", status="Status")
    body = text(preview)
    assert preview.status_code == 200
    for row, why in ((3, "has no order ID"), (4, "has 1 cells"), (6, "has no order ID")):
        assert f"Row {row} {why}" in body
    assert preview.context["report"].figures.orders == 2
    assert not HealthCheck.objects.exists()  # a preview saves nothing


def test_importing_over_an_earlier_check_of_the_period_needs_an_explicit_choice(
    as_role, counterfeit_member
):
    store = StoreFactory(seller=counterfeit_member.seller)
    client = as_role("member")
    manual = save(store, month=1, orders=50)  # typed in by hand for 1-28 January
    upload(client, store, period_start="2026-01-01", period_end="2026-01-28")
    columns = {"order_id": "Order ID", "status": "Status"}
    refused = choose(client, **columns)
    assert refused.status_code == 400 and "Replace them" in text(refused)
    manual.refresh_from_db()
    assert (manual.orders, manual.source) == (50, HealthCheck.Source.MANUAL)
    accepted = choose(client, replace="on", **columns)
    assert accepted.status_code == 302
    manual.refresh_from_db()
    assert (manual.orders, manual.source) == (3, HealthCheck.Source.CSV)


def test_typing_in_figures_for_a_period_already_checked_needs_the_same_choice(
    as_role, counterfeit_member
):
    store = StoreFactory(seller=counterfeit_member.seller)
    client = as_role("member")
    save(store, month=1, orders=50)
    data = {
        "store": store.pk,
        "period_start": "2026-01-01",
        "period_end": "2026-01-28",
        "orders": 70,
    }
    refused = client.post(reverse("coalition:health_check_new"), data)
    assert refused.status_code == 200 and "Tick “Replace them”" in text(refused)
    assert HealthCheck.objects.get().orders == 50
    assert (
        client.post(reverse("coalition:health_check_new"), {**data, "replace": "on"}).status_code
        == 302
    )
    assert HealthCheck.objects.get().orders == 70


@pytest.mark.parametrize(
    ("content", "message"),
    [
        (b"\x89PNG\r\n\x1a\n" + b"\x00" * 40, "This is a PNG file, not a CSV file"),
        (b"Order ID,Status\n", "column names but no orders"),
        (b"Order ID,Status\n\xff\xfe\xfa,\x80\n", "UTF-8 or GB18030"),
    ],
)
def test_a_bad_file_is_refused_with_a_clear_message_and_nothing_saved(
    as_role, counterfeit_member, content, message
):
    store = StoreFactory(seller=counterfeit_member.seller)
    response = upload(as_role("member"), store, content)
    assert response.status_code == 400
    assert message in text(response)
    assert not HealthCheck.objects.exists()


def test_an_import_needs_a_column_besides_the_order_id(as_role, counterfeit_member):
    store = StoreFactory(seller=counterfeit_member.seller)
    client = as_role("member")
    upload(client, store)
    response = choose(client, order_id="Order ID")
    assert (
        response.status_code == 400
        and "Choose at least one column besides the order ID" in text(response)
    )
    assert not HealthCheck.objects.exists()


def test_the_column_step_without_an_upload_sends_the_seller_back_to_step_1(
    as_role, counterfeit_member
):
    response = as_role("member").get(reverse("coalition:health_check_import_map"))
    assert response.status_code == 302 and response.url == reverse("coalition:health_check_import")


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
