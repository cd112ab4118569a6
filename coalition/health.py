"""The store health check: a store's figures for a period against its platform's suspension
thresholds (DESIGN.md §2), explained in plain words, with the grievances that fight those
suspensions.

The top of this module is pure functions over numbers (rates, risks, the chart, reading a CSV
order export); the bottom holds the two writes (record and delete a check) and one query.

The thresholds' edges follow the platforms' own wording:
- unfulfillable-refund rate: a risk only *above* the limit (exactly 3 % is not above 3 %);
- chargeback rate: high *from* the limit ("below 0.5 % counts as normal", so 0.5 % is high);
- fulfilment rate (fulfilled ÷ received): a risk *below* the minimum;
- no orders, or a figure left empty: no rate at all ("not enough data"), never a 0 %.
Comparisons are exact (cross-multiplied), never on rounded percentages.
"""

from __future__ import annotations

import csv
import io
from dataclasses import dataclass, field
from datetime import date
from decimal import ROUND_HALF_UP, Decimal
from enum import StrEnum
from typing import Any

import filetype
from django.db import IntegrityError, transaction
from django.db.models import QuerySet
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from coalition.categories import Category
from coalition.errors import ActionRefused

HUNDRED = Decimal(100)
MAX_COUNT = (
    1_000_000_000  # orders in one period: far beyond any store, well inside the database's integers
)
# "Close to the limit" starts at this share of the way to a maximum (e.g. 2.4 % of a 3 % limit).
CLOSE_SHARE = Decimal("0.8")
# A fulfilment rate within this many points above the minimum is "close".
FULFILMENT_CLOSE_POINTS = Decimal(5)


class Level(StrEnum):
    NO_DATA = "no_data"
    OK = "ok"
    CLOSE = "close"
    HIGH = "high"


LEVEL_LABELS = {
    Level.NO_DATA: gettext_lazy("Not enough data"),
    Level.OK: gettext_lazy("Normal"),
    Level.CLOSE: gettext_lazy("Watch"),
    Level.HIGH: gettext_lazy("At risk"),
}


@dataclass(frozen=True)
class Figures:
    """A store's counts for one period; None means "not known", which is not zero."""

    orders: int
    unfulfillable_refunds: int | None = None
    fulfilled_orders: int | None = None
    chargebacks: int | None = None
    late_shipments: int | None = None


PART_FIELDS = ("unfulfillable_refunds", "fulfilled_orders", "chargebacks", "late_shipments")


@dataclass(frozen=True)
class Thresholds:
    platform_name: str
    max_unfulfillable_refund_rate: Decimal
    max_chargeback_rate: Decimal
    min_fulfilment_rate: Decimal

    @classmethod
    def from_platform(cls, platform: Any) -> Thresholds:
        return cls(
            platform_name=platform.name,
            max_unfulfillable_refund_rate=Decimal(platform.max_unfulfillable_refund_rate),
            max_chargeback_rate=Decimal(platform.max_chargeback_rate),
            min_fulfilment_rate=Decimal(platform.min_fulfilment_rate),
        )


@dataclass(frozen=True)
class Risk:
    metric: str
    label: str
    rate: Decimal | None  # the exact percentage, or None without enough data
    limit: Decimal | None
    level: Level
    explanation: str
    categories: tuple[str, ...] = ()

    @property
    def rate_display(self) -> str:
        return percent(self.rate, self.limit) if self.rate is not None else "—"

    @property
    def limit_display(self) -> str:
        return percent(self.limit) if self.limit is not None else ""

    @property
    def level_label(self) -> str:
        return str(LEVEL_LABELS[self.level])

    @property
    def needs_attention(self) -> bool:
        return self.level in (Level.CLOSE, Level.HIGH)


# --- rates ---------------------------------------------------------------------------------


def rate(part: int | None, whole: int) -> Decimal | None:
    """part ÷ whole in percent, unrounded; None when there is no figure or no order."""
    if part is None or not whole:
        return None
    return Decimal(part) * HUNDRED / Decimal(whole)


def percent(value: Decimal | None, limit: Decimal | None = None) -> str:
    """ "3%", "0.5%", "2.75%": two decimals at most, more only when rounding would make a rate
    look equal to a limit it is not equal to."""
    if value is None:
        return "—"
    shown = value.quantize(Decimal("0.01"), rounding=ROUND_HALF_UP)
    if limit is not None and shown == limit and value != limit:
        shown = value.quantize(Decimal("0.0001"), rounding=ROUND_HALF_UP)
    text = format(shown.normalize(), "f")
    return f"{text}%"


def _above(part: int, whole: int, limit: Decimal) -> bool:
    return Decimal(part) * HUNDRED > limit * whole


def _at_least(part: int, whole: int, limit: Decimal) -> bool:
    return Decimal(part) * HUNDRED >= limit * whole


def _below(part: int, whole: int, limit: Decimal) -> bool:
    return Decimal(part) * HUNDRED < limit * whole


def _no_data(
    metric: str, label: str, limit: Decimal | None, figures: Figures, missing: str
) -> Risk:
    if not figures.orders:
        text = _(
            "Not enough data: there were no orders in this period, so there is no rate to compare."
        )
    else:
        text = _("Not enough data: you did not give %(what)s for this period.") % {"what": missing}
    return Risk(metric, label, None, limit, Level.NO_DATA, text)


def refund_risk(figures: Figures, limits: Thresholds) -> Risk:
    """Refunds for orders the seller could not fulfil: a risk only above the limit."""
    label, limit = _("Refunds for unfulfillable orders"), limits.max_unfulfillable_refund_rate
    part, whole = figures.unfulfillable_refunds, figures.orders
    value = rate(part, whole)
    if value is None:
        return _no_data(
            "unfulfillable_refund_rate",
            label,
            limit,
            figures,
            _("the number of orders refunded because you could not fulfil them"),
        )
    words = {
        "rate": percent(value, limit),
        "limit": percent(limit),
        "platform": limits.platform_name,
    }
    categories = (Category.FULFILMENT_PERFORMANCE, Category.REFUND_DISPUTE)
    if _above(part, whole, limit):
        text = (
            _(
                "%(rate)s of your orders were refunded because you could not fulfil them. That is above "
                "the limit of %(limit)s on %(platform)s, and stores above it get suspended. Take down listings you "
                "cannot ship and keep the reason for every refund on record."
            )
            % words
        )
        return Risk("unfulfillable_refund_rate", label, value, limit, Level.HIGH, text, categories)
    if _at_least(part, whole, limit * CLOSE_SHARE):
        text = (
            _(
                "%(rate)s of your orders were refunded because you could not fulfil them: close to "
                "the limit of %(limit)s on %(platform)s. Check your stock before it goes over."
            )
            % words
        )
        return Risk("unfulfillable_refund_rate", label, value, limit, Level.CLOSE, text, categories)
    text = (
        _(
            "%(rate)s of your orders were refunded because you could not fulfil them. That is within "
            "the limit of %(limit)s on %(platform)s."
        )
        % words
    )
    return Risk("unfulfillable_refund_rate", label, value, limit, Level.OK, text)


def chargeback_risk(figures: Figures, limits: Thresholds) -> Risk:
    """Chargebacks: high from the limit on; below it counts as normal."""
    label, limit = _("Chargebacks"), limits.max_chargeback_rate
    part, whole = figures.chargebacks, figures.orders
    value = rate(part, whole)
    if value is None:
        return _no_data("chargeback_rate", label, limit, figures, _("the number of chargebacks"))
    words = {
        "rate": percent(value, limit),
        "limit": percent(limit),
        "platform": limits.platform_name,
    }
    categories = (Category.REFUND_DISPUTE, Category.FULFILMENT_PERFORMANCE)
    if _at_least(part, whole, limit):
        text = (
            _(
                "%(rate)s of your orders ended in a chargeback. %(platform)s treats %(limit)s and more as "
                "high. Answer every dispute with the order record, the tracking and your chat with the "
                "buyer."
            )
            % words
        )
        return Risk("chargeback_rate", label, value, limit, Level.HIGH, text, categories)
    if _at_least(part, whole, limit * CLOSE_SHARE):
        text = (
            _(
                "%(rate)s of your orders ended in a chargeback: close to %(limit)s, which %(platform)s "
                "treats as high."
            )
            % words
        )
        return Risk("chargeback_rate", label, value, limit, Level.CLOSE, text, categories)
    text = (
        _(
            "%(rate)s of your orders ended in a chargeback. Below %(limit)s counts as normal on "
            "%(platform)s."
        )
        % words
    )
    return Risk("chargeback_rate", label, value, limit, Level.OK, text)


def fulfilment_risk(figures: Figures, limits: Thresholds) -> Risk:
    """Fulfilled ÷ received orders: a risk below the minimum."""
    label, limit = _("Fulfilment rate"), limits.min_fulfilment_rate
    part, whole = figures.fulfilled_orders, figures.orders
    value = rate(part, whole)
    if value is None:
        return _no_data(
            "fulfilment_rate", label, limit, figures, _("the number of orders you fulfilled")
        )
    words = {
        "rate": percent(value, limit),
        "limit": percent(limit),
        "platform": limits.platform_name,
    }
    categories = (Category.FULFILMENT_PERFORMANCE,)
    if _below(part, whole, limit):
        text = (
            _(
                "You fulfilled %(rate)s of the orders you received. %(platform)s expects at least %(limit)s, "
                "and a low fulfilment rate can get a store suspended. Ship every order you accept, or stop "
                "selling what you cannot ship."
            )
            % words
        )
        return Risk("fulfilment_rate", label, value, limit, Level.HIGH, text, categories)
    if _below(part, whole, min(limit + FULFILMENT_CLOSE_POINTS, HUNDRED)):
        text = (
            _(
                "You fulfilled %(rate)s of the orders you received: just above "
                "the minimum of %(limit)s on %(platform)s."
            )
            % words
        )
        return Risk("fulfilment_rate", label, value, limit, Level.CLOSE, text, categories)
    text = (
        _(
            "You fulfilled %(rate)s of the orders you received, above the minimum of %(limit)s on %(platform)s."
        )
        % words
    )
    return Risk("fulfilment_rate", label, value, limit, Level.OK, text)


def late_shipment_risk(figures: Figures, limits: Thresholds) -> Risk:
    """Platforms publish no rate for late shipments, so there is no limit: any is worth watching,
    because late or missing shipments are taken for fake orders (DESIGN.md §2)."""
    label = _("Late shipments")
    value = rate(figures.late_shipments, figures.orders)
    if value is None:
        return _no_data(
            "late_shipment_rate", label, None, figures, _("the number of late shipments")
        )
    if figures.late_shipments:
        text = _(
            "%(rate)s of your orders shipped late. Platforms take late or missing shipments for fake "
            "orders: keep the tracking for every order."
        ) % {"rate": percent(value)}
        return Risk(
            "late_shipment_rate",
            label,
            value,
            None,
            Level.CLOSE,
            text,
            (Category.FULFILMENT_PERFORMANCE,),
        )
    return Risk(
        "late_shipment_rate", label, value, None, Level.OK, _("None of your orders shipped late.")
    )


def assess(figures: Figures, limits: Thresholds) -> list[Risk]:
    """Every rate against its threshold, in the order a seller reads them."""
    return [
        refund_risk(figures, limits),
        chargeback_risk(figures, limits),
        fulfilment_risk(figures, limits),
        late_shipment_risk(figures, limits),
    ]


def overall(risks: list[Risk]) -> Level:
    """The worst level among the rates that could be computed (no data only when none could)."""
    known = [r.level for r in risks if r.level != Level.NO_DATA]
    for level in (Level.HIGH, Level.CLOSE, Level.OK):
        if level in known:
            return level
    return Level.NO_DATA


def matching_categories(risks: list[Risk]) -> list[str]:
    """Grievance categories that fight the suspensions these risks lead to, most pressing first."""
    found: list[str] = []
    for risk in sorted(risks, key=lambda r: r.level != Level.HIGH):
        if risk.needs_attention:
            found.extend(c for c in risk.categories if c not in found)
    return found


def figure_errors(figures: Figures) -> dict[str, str]:
    """Counts that cannot be right: more refunds, fulfilled orders, … than orders."""
    errors = {}
    for name in PART_FIELDS:
        value = getattr(figures, name)
        if value is not None and value < 0:
            errors[name] = _("Counts cannot be negative.")
        elif value is not None and value > figures.orders:
            errors[name] = _("This cannot be more than the number of orders (%(orders)s).") % {
                "orders": figures.orders
            }
    if figures.orders < 0:
        errors["orders"] = _("Counts cannot be negative.")
    if figures.orders > MAX_COUNT:
        errors["orders"] = _("That is more orders than any store receives in one period.")
    return errors


# --- the chart -----------------------------------------------------------------------------


@dataclass
class ChartPoint:
    x: float
    y: float
    period: str
    value: str


@dataclass
class Chart:
    """One metric over periods as an inline SVG line chart (coordinates computed here, drawn by
    templates/coalition/health/_chart.html): no JavaScript, no library."""

    metric: str
    label: str
    limit_label: str
    width: int
    height: int
    points: list[ChartPoint] = field(default_factory=list)
    limit_y: float | None = None
    ticks: list[tuple[float, str]] = field(default_factory=list)
    left: int = 48
    bottom: int = 0

    @property
    def polyline(self) -> str:
        return " ".join(f"{p.x:.1f},{p.y:.1f}" for p in self.points)

    @property
    def right(self) -> int:
        return self.width - 12


CHART_METRICS = (
    ("unfulfillable_refund_rate", "unfulfillable_refunds", "max_unfulfillable_refund_rate"),
    ("chargeback_rate", "chargebacks", "max_chargeback_rate"),
    ("fulfilment_rate", "fulfilled_orders", "min_fulfilment_rate"),
)


def charts(
    periods: list[tuple[str, Figures]], limits: Thresholds, *, width: int = 640, height: int = 180
) -> list[Chart]:
    """One chart per thresholded rate, oldest period on the left; periods without the figure
    (or without orders) leave no point. A metric with no point at all gets no chart."""
    labels = {
        "unfulfillable_refund_rate": _("Refunds for unfulfillable orders"),
        "chargeback_rate": _("Chargebacks"),
        "fulfilment_rate": _("Fulfilment rate"),
    }
    result = []
    for metric, figure, limit_name in CHART_METRICS:
        limit = getattr(limits, limit_name)
        values = [(period, rate(getattr(f, figure), f.orders)) for period, f in periods]
        if all(v is None for _p, v in values):
            continue
        result.append(_chart(metric, str(labels[metric]), values, limit, width, height))
    return result


def _chart(
    metric: str,
    label: str,
    values: list[tuple[str, Decimal | None]],
    limit: Decimal,
    width: int,
    height: int,
) -> Chart:
    known = [v for _p, v in values if v is not None]
    if metric == "fulfilment_rate":
        low = min([*known, limit]) - Decimal(5)
        lo, hi = max(Decimal(0), low.to_integral_value()), HUNDRED
    else:
        lo, hi = Decimal(0), max([*known, limit * Decimal("1.5")])
    hi = hi if hi > lo else lo + 1
    chart = Chart(metric, label, _("limit %(limit)s") % {"limit": percent(limit)}, width, height)
    top, chart.bottom = 12, height - 28
    span_x = chart.right - chart.left
    step = span_x / max(len(values) - 1, 1)

    def y_of(v: Decimal) -> float:
        return chart.bottom - float((v - lo) / (hi - lo)) * (chart.bottom - top)

    for i, (period, value) in enumerate(values):
        x = chart.left + (i * step if len(values) > 1 else span_x / 2)
        if value is not None:
            chart.points.append(ChartPoint(x, y_of(value), period, percent(value, limit)))
    chart.limit_y = y_of(limit)
    chart.ticks = [(y_of(v), percent(v)) for v in (lo, (lo + hi) / 2, hi)]
    return chart


# --- reading a CSV order export ------------------------------------------------------------

MAX_CSV_BYTES = 5 * 1024 * 1024
TRUE_FLAGS = {"1", "y", "yes", "true", "x", "✓", "✔", "是", "有", "对"}
DEFAULT_FULFILLED_VALUES = "shipped, delivered, fulfilled, completed, 已发货, 已签收, 已完成"
DEFAULT_REFUND_WORDS = (
    "unfulfillable, out of stock, cannot ship, can't ship, unable to fulfil, 无法发货, 缺货"
)
ENCODINGS = ("utf-8-sig", "gb18030")


@dataclass(frozen=True)
class ColumnMapping:
    """Which of the seller's columns hold what. Only the order ID is required; a column left
    out gives an unknown figure, not a zero."""

    order_id: str
    status: str = ""
    fulfilled_values: tuple[str, ...] = ()
    refund: str = ""
    refund_words: tuple[str, ...] = ()
    chargeback: str = ""
    late: str = ""

    def columns(self) -> dict[str, str]:
        """Mapping field -> the seller's column name, for the columns that are mapped."""
        pairs = {
            "order_id": self.order_id,
            "status": self.status,
            "refund": self.refund,
            "chargeback": self.chargeback,
            "late": self.late,
        }
        return {k: v for k, v in pairs.items() if v.strip()}


def split_values(text: str) -> tuple[str, ...]:
    """ "shipped, delivered" -> ("shipped", "delivered"), compared case-insensitively."""
    return tuple(v.strip().casefold() for v in text.replace("\uff0c", ",").split(",") if v.strip())


def _norm(name: str) -> str:
    return " ".join(name.replace("\ufeff", "").split()).casefold()


def read_upload(uploaded: Any) -> bytes:
    """An uploaded export's bytes, refusing an oversized one before reading it."""
    if (getattr(uploaded, "size", 0) or 0) > MAX_CSV_BYTES:
        raise ActionRefused(
            _("The file is larger than 5 MB. Export a shorter period."), field="file"
        )
    return uploaded.read()


def decode_export(data: bytes) -> str:
    """The file's text, or a refusal that says what is wrong with the file and what to do."""
    if not data.strip():
        raise ActionRefused(_("The file is empty."), field="file")
    if len(data) > MAX_CSV_BYTES:
        raise ActionRefused(
            _("The file is larger than 5 MB. Export a shorter period."), field="file"
        )
    kind = filetype.guess(data)
    if kind is not None:
        raise ActionRefused(
            _(
                "This is a %(kind)s file, not a CSV file. In your platform's order export, choose CSV, or save the "
                "spreadsheet as “CSV (comma delimited)”."
            )
            % {"kind": kind.extension.upper()},
            field="file",
        )
    if b"\x00" in data:
        raise ActionRefused(
            _("This is not a plain-text CSV file. Save it as CSV in UTF-8 and upload it again."),
            field="file",
        )
    for encoding in ENCODINGS:
        try:
            return data.decode(encoding)
        except UnicodeDecodeError:
            continue
    raise ActionRefused(
        _(
            "We could not read the text of this file. Save it as CSV in UTF-8 or GB18030 (GBK) encoding."
        ),
        field="file",
    )


def read_export(data: bytes) -> tuple[list[str], list[list[str]]]:
    """The header and the data rows of a CSV export (comma, semicolon or tab separated)."""
    text = decode_export(data)
    sample = text[:8192]
    try:
        dialect: Any = csv.Sniffer().sniff(sample, delimiters=",;\t|")
    except csv.Error:
        dialect = csv.excel
    try:
        rows = [
            row
            for row in csv.reader(io.StringIO(text), dialect)
            if any(cell.strip() for cell in row)
        ]
    except csv.Error as exc:
        raise ActionRefused(
            _("This is not a valid CSV file: %(error)s.") % {"error": exc}, field="file"
        ) from exc
    if not rows or len(rows[0]) < 2:
        raise ActionRefused(
            _(
                "This does not look like a CSV order export: we found no columns separated by commas, semicolons "
                "or tabs."
            ),
            field="file",
        )
    header, body = rows[0], rows[1:]
    if not body:
        raise ActionRefused(_("The file has column names but no orders in it."), field="file")
    return header, body


def figures_from_export(data: bytes, mapping: ColumnMapping) -> Figures:
    """Count orders (distinct order IDs: an order on several rows counts once) and, for each
    mapped column, the orders it flags."""
    header, rows = read_export(data)
    index = _column_index(header, mapping)
    orders: dict[str, dict[str, bool]] = {}
    for row in rows:
        order_id = _cell(row, index["order_id"])
        if not order_id:
            continue
        flags = orders.setdefault(
            order_id, {"status": False, "refund": False, "chargeback": False, "late": False}
        )
        for key in ("status", "refund", "chargeback", "late"):
            if key in index and _matches(key, _cell(row, index[key]), mapping):
                flags[key] = True
    if not orders:
        raise ActionRefused(
            _("No row has an order ID in the column “%(column)s”.") % {"column": mapping.order_id},
            field="order_id",
        )

    def count(key: str) -> int | None:
        return sum(1 for f in orders.values() if f[key]) if key in index else None

    return Figures(
        orders=len(orders),
        fulfilled_orders=count("status"),
        unfulfillable_refunds=count("refund"),
        chargebacks=count("chargeback"),
        late_shipments=count("late"),
    )


def _column_index(header: list[str], mapping: ColumnMapping) -> dict[str, int]:
    positions: dict[str, int] = {}
    for i, name in enumerate(header):
        positions.setdefault(_norm(name), i)
    index = {}
    for key, column in mapping.columns().items():
        if _norm(column) not in positions:
            raise ActionRefused(
                _("Your file has no column “%(column)s”. Its columns are: %(columns)s.")
                % {"column": column, "columns": ", ".join(h.strip() for h in header if h.strip())},
                field=key,
            )
        index[key] = positions[_norm(column)]
    return index


def _cell(row: list[str], i: int) -> str:
    return row[i].strip() if i < len(row) else ""


def _matches(key: str, value: str, mapping: ColumnMapping) -> bool:
    value = value.casefold()
    if not value:
        return False
    if key == "status":
        return value in mapping.fulfilled_values
    if value in TRUE_FLAGS:
        return True
    # A refund column may hold a reason ("Refunded: item out of stock") rather than a flag.
    return key == "refund" and any(word in value for word in mapping.refund_words)


# --- writes and queries --------------------------------------------------------------------


@transaction.atomic
def record_health_check(
    store: Any,
    *,
    actor: Any,
    period_start: date,
    period_end: date,
    figures: Figures,
    source: str = "manual",
) -> tuple[Any, bool]:
    """Save a store's figures for a period; the same period again replaces its figures.
    Returns (check, created)."""
    from coalition.models import HealthCheck
    from coalition.timeline import record_event

    _require_owner(store, actor)
    _check_period(period_start, period_end)
    errors = figure_errors(figures)
    if errors:
        name, message = next(iter(errors.items()))
        raise ActionRefused(message, field=name)
    values = {
        "orders": figures.orders,
        **{f: getattr(figures, f) for f in PART_FIELDS},
        "source": source,
    }
    lookup = {"store": store, "period_start": period_start, "period_end": period_end}
    check = HealthCheck.objects.select_for_update().filter(**lookup).first()
    created = check is None
    if created:
        try:
            with transaction.atomic():
                check = HealthCheck.objects.create(**lookup, **values)
        except IntegrityError:  # the same period saved at the same moment: update that one
            check, created = HealthCheck.objects.select_for_update().get(**lookup), False
    if not created:
        for name, value in values.items():
            setattr(check, name, value)
        check.save(update_fields=[*values, "updated_at"])
    record_event(
        None,
        "health.recorded",
        actor=actor,
        subject=f"health:{check.pk}",
        store=store.pk,
        created=created,
    )
    return check, created


@transaction.atomic
def delete_health_check(check: Any, *, actor: Any) -> None:
    from coalition.timeline import record_event

    _require_owner(check.store, actor)
    record_event(
        None, "health.deleted", actor=actor, subject=f"health:{check.pk}", store=check.store_id
    )
    check.delete()


def _require_owner(store: Any, actor: Any) -> None:
    if getattr(actor, "pk", None) is None or store.seller.user_id != actor.pk:
        raise ActionRefused(_("You can only check your own stores."), field="store")


def _check_period(start: date, end: date) -> None:
    if end < start:
        raise ActionRefused(
            _("The period must end on or after the day it starts."), field="period_end"
        )
    if end > timezone.localdate():
        raise ActionRefused(_("The period cannot end in the future."), field="period_end")


def matching_grievances(platform: Any, risks: list[Risk], *, user: Any, limit: int = 5) -> QuerySet:
    """Open grievances on the store's platform whose category fights the suspensions these risks
    lead to, biggest first."""
    from coalition.models import Grievance
    from coalition.queries import listed_grievances, with_member_count

    categories = matching_categories(risks)
    if not categories:
        return Grievance.objects.none()
    qs = listed_grievances(user).filter(
        platform=platform, state=Grievance.State.OPEN, hidden=False, category__in=categories
    )
    return with_member_count(qs).order_by("-member_count", "-created_at")[:limit]
