"""The store health check's figures against a platform's suspension thresholds, explained in plain
words (docs/domain.md, health checks).

The thresholds' edges follow the platforms' own wording:
- unfulfillable-refund rate: a risk only *above* the limit (exactly 3 % is not above 3 %);
- chargeback rate: high *from* the limit ("below 0.5 % counts as normal", so 0.5 % is high);
- fulfilment rate (fulfilled ÷ received): a risk *below* the minimum;
- no orders, or a figure left empty: no rate at all ("not enough data"), never a 0 %.
Comparisons are exact (cross-multiplied), never on rounded percentages.
"""

from __future__ import annotations

from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal
from enum import StrEnum
from typing import Any

from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from coalition.categories import Category

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
    because late or missing shipments are taken for fake orders (docs/domain.md, health checks)."""
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
