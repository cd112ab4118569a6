"""The store health check's rules: rates at the thresholds' edges, plain explanations, the chart,
reading a CSV order export (and refusing bad files clearly), and saving a check."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest
from django.utils import translation

from coalition.actions.health import record_health_check
from coalition.errors import ActionRefused
from coalition.models import AuditEvent, HealthCheck
from coalition.pages import health as health_pages
from coalition.rules.csv_import import (
    DEFAULT_FULFILLED_VALUES,
    DEFAULT_REFUND_WORDS,
    MAX_CSV_BYTES,
    ColumnMapping,
    figures_from_export,
    read_upload,
    split_values,
)
from coalition.rules.thresholds import (
    Figures,
    Level,
    Thresholds,
    assess,
    chargeback_risk,
    figure_errors,
    fulfilment_risk,
    matching_categories,
    overall,
    refund_risk,
)
from tests.factories import StoreFactory

WISH = Thresholds("Wish", Decimal("3.00"), Decimal("0.50"), Decimal("90.00"))


def level(risks, metric):
    return next(r for r in risks if r.metric == metric).level


# --- thresholds' edges ---------------------------------------------------------------------


def test_exactly_three_percent_unfulfillable_refunds_is_not_above_the_limit():
    risk = refund_risk(Figures(orders=100, unfulfillable_refunds=3), WISH)
    assert risk.level != Level.HIGH
    assert risk.rate == Decimal(3)
    assert risk.rate_display == "3%"


def test_just_over_three_percent_is_a_risk_even_when_it_rounds_to_three():
    risk = refund_risk(Figures(orders=100_000, unfulfillable_refunds=3_001), WISH)
    assert risk.level == Level.HIGH
    # 3.001 % would read "3%" at two decimals: shown with more, so it does not contradict the risk.
    assert risk.rate_display == "3.001%"


def test_refunds_close_to_the_limit_are_worth_watching():
    assert refund_risk(Figures(orders=1000, unfulfillable_refunds=24), WISH).level == Level.CLOSE
    assert refund_risk(Figures(orders=1000, unfulfillable_refunds=23), WISH).level == Level.OK


def test_exactly_half_a_percent_of_chargebacks_is_high():
    risk = chargeback_risk(Figures(orders=1000, chargebacks=5), WISH)
    assert risk.level == Level.HIGH
    assert risk.rate_display == "0.5%"


def test_just_below_half_a_percent_of_chargebacks_is_normal_or_close():
    assert chargeback_risk(Figures(orders=1000, chargebacks=4), WISH).level == Level.CLOSE
    assert chargeback_risk(Figures(orders=10_000, chargebacks=49), WISH).level == Level.CLOSE
    assert chargeback_risk(Figures(orders=1000, chargebacks=3), WISH).level == Level.OK


def test_fulfilment_is_fulfilled_over_received_and_a_risk_only_below_the_minimum():
    assert (
        fulfilment_risk(Figures(orders=200, fulfilled_orders=180), WISH).level == Level.CLOSE
    )  # exactly 90 %
    assert fulfilment_risk(Figures(orders=200, fulfilled_orders=179), WISH).level == Level.HIGH
    assert fulfilment_risk(Figures(orders=200, fulfilled_orders=199), WISH).level == Level.OK
    assert fulfilment_risk(Figures(orders=200, fulfilled_orders=179), WISH).rate == Decimal("89.5")


def test_zero_orders_gives_no_rates_and_says_not_enough_data():
    risks = assess(
        Figures(
            orders=0, unfulfillable_refunds=0, fulfilled_orders=0, chargebacks=0, late_shipments=0
        ),
        WISH,
    )
    assert {r.level for r in risks} == {Level.NO_DATA}
    assert all(r.rate is None and r.rate_display == "—" for r in risks)
    assert all("Not enough data" in r.explanation for r in risks)
    assert overall(risks) == Level.NO_DATA
    assert matching_categories(risks) == []


def test_a_figure_left_empty_is_unknown_not_zero():
    risks = assess(Figures(orders=500, chargebacks=10), WISH)
    assert level(risks, "chargeback_rate") == Level.HIGH
    refund = next(r for r in risks if r.metric == "unfulfillable_refund_rate")
    assert refund.level == Level.NO_DATA and "did not give" in refund.explanation
    assert overall(risks) == Level.HIGH


def test_rates_use_the_platforms_own_thresholds(platform):
    platform.max_unfulfillable_refund_rate = Decimal("5.00")
    limits = Thresholds.from_platform(platform)
    assert refund_risk(Figures(orders=100, unfulfillable_refunds=4), limits).level == Level.CLOSE
    assert limits.platform_name == platform.name


def test_explanations_are_plain_words_naming_the_platform_and_limit():
    risk = refund_risk(Figures(orders=100, unfulfillable_refunds=5), WISH)
    assert "5% of your orders were refunded because you could not fulfil them" in risk.explanation
    assert "Wish" in risk.explanation and "3%" in risk.explanation
    assert (
        "below 0.5%"
        in chargeback_risk(Figures(orders=1000, chargebacks=1), WISH).explanation.lower()
    )


def test_explanations_are_translated_when_a_catalogue_has_them():
    # The strings go through gettext: whichever language is active renders them (zh-hans falls
    # back to English only where the catalogue lacks the string).
    with translation.override("zh-hans"):
        risk = refund_risk(Figures(orders=100, unfulfillable_refunds=5), WISH)
    assert risk.explanation


def test_risks_point_to_the_grievance_categories_that_fight_them():
    risks = assess(
        Figures(orders=100, unfulfillable_refunds=5, fulfilled_orders=99, chargebacks=0), WISH
    )
    assert matching_categories(risks) == ["fulfilment_performance", "refund_dispute"]
    ok = assess(
        Figures(
            orders=100,
            unfulfillable_refunds=0,
            fulfilled_orders=100,
            chargebacks=0,
            late_shipments=0,
        ),
        WISH,
    )
    assert matching_categories(ok) == []


def test_counts_above_the_number_of_orders_are_refused():
    errors = figure_errors(Figures(orders=10, fulfilled_orders=11, chargebacks=2))
    assert set(errors) == {"fulfilled_orders"}


# --- chart ---------------------------------------------------------------------------------


def test_the_chart_has_one_point_per_period_with_the_figure_and_a_limit_line():
    periods = [
        ("Jan", Figures(orders=100, unfulfillable_refunds=1, chargebacks=0)),
        ("Feb", Figures(orders=0)),
        ("Mar", Figures(orders=100, unfulfillable_refunds=4, chargebacks=1)),
    ]
    charts = {c.metric: c for c in health_pages.charts(periods, WISH)}
    assert set(charts) == {
        "unfulfillable_refund_rate",
        "chargeback_rate",
    }  # no fulfilment figures at all
    refund = charts["unfulfillable_refund_rate"]
    assert [p.period for p in refund.points] == ["Jan", "Mar"]
    assert refund.points[0].x < refund.points[1].x
    assert (
        refund.points[1].y < refund.limit_y < refund.points[0].y
    )  # 4 % above the 3 % line, 1 % below it
    assert refund.polyline.count(",") == 2


# --- CSV order exports ---------------------------------------------------------------------

MAPPING = ColumnMapping(
    order_id="Order ID",
    status="Status",
    fulfilled_values=split_values(DEFAULT_FULFILLED_VALUES),
    refund="Refund reason",
    refund_words=split_values(DEFAULT_REFUND_WORDS),
    chargeback="Chargeback",
    late="Late",
)

EXPORT = (
    "Order ID,Status,Refund reason,Chargeback,Late\n"
    "A1,Shipped,,no,no\n"
    "A1,Shipped,,no,no\n"  # a second item of the same order: counted once
    "A2,Delivered,,yes,yes\n"
    "A3,Refunded,Item out of stock,no,no\n"
    "A4,Cancelled,Buyer changed mind,,\n"
)


def test_an_export_is_counted_per_order():
    figures = figures_from_export(EXPORT.encode(), MAPPING)
    assert figures == Figures(
        orders=4, fulfilled_orders=2, unfulfillable_refunds=1, chargebacks=1, late_shipments=1
    )


def test_column_names_match_whatever_their_case_and_spacing():
    data = EXPORT.replace("Order ID", "  order   id ").encode()
    assert figures_from_export(data, MAPPING).orders == 4


def test_an_unmapped_column_leaves_its_figure_unknown():
    mapping = ColumnMapping(
        order_id="Order ID", status="Status", fulfilled_values=("shipped", "delivered")
    )
    figures = figures_from_export(EXPORT.encode(), mapping)
    assert (
        figures.chargebacks is None
        and figures.unfulfillable_refunds is None
        and figures.fulfilled_orders == 2
    )


def test_gb18030_exports_with_chinese_columns_and_semicolons_are_read():
    text = "订单号;状态;退款原因\nB1;已发货;\nB2;已退款;缺货\nB3;已签收;\n"
    mapping = ColumnMapping(
        order_id="订单号",
        status="状态",
        refund="退款原因",
        fulfilled_values=split_values(DEFAULT_FULFILLED_VALUES),
        refund_words=split_values(DEFAULT_REFUND_WORDS),
    )
    figures = figures_from_export(text.encode("gb18030"), mapping)
    assert figures == Figures(orders=3, fulfilled_orders=2, unfulfillable_refunds=1)


def test_utf8_with_a_byte_order_mark_is_read():
    assert figures_from_export(("\ufeff" + EXPORT).encode(), MAPPING).orders == 4


@pytest.mark.parametrize(
    ("data", "message"),
    [
        (b"", "The file is empty."),
        (b"\x89PNG\r\n\x1a\n" + b"\x00" * 64, "This is a PNG file, not a CSV file"),
        (b"PK\x03\x04" + b"\x14\x00" * 40, "not a CSV file"),
        ("Order ID,Status\nA1,Shipped\n".encode("utf-16"), "not a plain-text CSV file"),
        (b"Order ID,Status\n\xff\xfe\xfa\xfb,\x80\x81\n", "Save it as CSV in UTF-8 or GB18030"),
        (
            b"just one line of prose without separators\nand another\n",
            "no columns separated by commas",
        ),
        (b"Order ID,Status\n", "column names but no orders"),
        (
            b"Order No,State\nA1,Shipped\n",
            "Your file has no column \u201cOrder ID\u201d. Its columns are: Order No, State.",
        ),
    ],
)
def test_bad_files_are_refused_with_a_clear_message(data, message):
    with pytest.raises(ActionRefused) as refused:
        figures_from_export(data, MAPPING)
    assert message in str(refused.value.message)


def test_a_missing_column_is_refused_on_the_mapping_field_that_names_it():
    mapping = ColumnMapping(order_id="Order ID", chargeback="Dispute")
    with pytest.raises(ActionRefused) as refused:
        figures_from_export(EXPORT.encode(), mapping)
    assert refused.value.field == "chargeback"


def test_rows_without_an_order_id_do_not_count_and_none_at_all_is_refused():
    with pytest.raises(ActionRefused, match="No row has an order ID"):
        figures_from_export(
            b"Order ID,Status\n,Shipped\n ,Delivered\n",
            MAPPING.__class__(order_id="Order ID", status="Status"),
        )


# --- saving --------------------------------------------------------------------------------

pytestmark_db = pytest.mark.django_db


@pytestmark_db
def test_a_seller_saves_a_check_and_the_same_period_again_replaces_it(member):
    store = StoreFactory(seller=member)
    start, end = dt.date(2026, 1, 1), dt.date(2026, 1, 31)
    first, created = record_health_check(
        store,
        actor=member.user,
        period_start=start,
        period_end=end,
        figures=Figures(orders=100, chargebacks=1),
    )
    again, created_again = record_health_check(
        store,
        actor=member.user,
        period_start=start,
        period_end=end,
        figures=Figures(orders=120, chargebacks=0),
    )
    assert created and not created_again and first.pk == again.pk
    assert HealthCheck.objects.get().orders == 120
    assert (
        AuditEvent.objects.filter(verb="health.recorded", subject=f"health:{first.pk}").count() == 2
    )


@pytestmark_db
def test_nobody_saves_a_check_for_someone_elses_store(member, outsider):
    store = StoreFactory(seller=member)
    with pytest.raises(ActionRefused, match="your own stores"):
        record_health_check(
            store,
            actor=outsider.user,
            period_start=dt.date(2026, 1, 1),
            period_end=dt.date(2026, 1, 31),
            figures=Figures(orders=1),
        )


@pytestmark_db
@pytest.mark.parametrize(
    ("start", "end", "figures", "field"),
    [
        (dt.date(2026, 2, 1), dt.date(2026, 1, 1), Figures(orders=1), "period_end"),
        (dt.date(2026, 1, 1), dt.date(2099, 1, 1), Figures(orders=1), "period_end"),
        (
            dt.date(2026, 1, 1),
            dt.date(2026, 1, 31),
            Figures(orders=5, chargebacks=6),
            "chargebacks",
        ),
    ],
)
def test_impossible_periods_and_figures_are_refused(member, start, end, figures, field):
    store = StoreFactory(seller=member)
    with pytest.raises(ActionRefused) as refused:
        record_health_check(
            store, actor=member.user, period_start=start, period_end=end, figures=figures
        )
    assert refused.value.field == field
    assert not HealthCheck.objects.exists()


@pytestmark_db
def test_a_saved_check_computes_its_risks_against_its_platform(member, platform):
    store = StoreFactory(seller=member, platform=platform)
    check, _created = record_health_check(
        store,
        actor=member.user,
        period_start=dt.date(2026, 1, 1),
        period_end=dt.date(2026, 1, 31),
        figures=Figures(
            orders=200,
            unfulfillable_refunds=6,
            fulfilled_orders=190,
            chargebacks=1,
            late_shipments=0,
        ),
    )
    levels = {r.metric: r.level for r in check.risks()}
    assert levels == {
        "unfulfillable_refund_rate": Level.CLOSE,
        "chargeback_rate": Level.HIGH,
        "fulfilment_rate": Level.OK,
        "late_shipment_rate": Level.OK,
    }


def test_an_oversized_upload_is_refused_before_it_is_read():
    class Huge:
        size = MAX_CSV_BYTES + 1

        def read(self):  # pragma: no cover - must not be called
            raise AssertionError("read")

    with pytest.raises(ActionRefused, match="larger than 5 MB"):
        read_upload(Huge())
