"""The health-check pages' view-models: a store's rates over periods as inline SVG line charts
(coordinates computed here, drawn by templates/coalition/health/_chart.html: no JavaScript, no
library)."""

from __future__ import annotations

from dataclasses import dataclass, field
from decimal import Decimal

from django.utils.translation import gettext as _

from coalition.rules.thresholds import HUNDRED, Figures, Thresholds, percent, rate


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
