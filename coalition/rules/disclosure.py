"""THE disclosure rule: the one function every figure derived from members' private data passes
through before anyone but the grievance's organisers and staff reads it.

Members' amounts, store IDs and recovered sums are private. Grievance aggregates, the figures in
a round's letter, round and grievance totals, recovered totals, exports for non-organisers,
analytics and platform scorecards are derived from them; each such figure is a *cell* (for
example "amount withheld, EUR, grievance 12") and is released only when

1. at least MIN_CONTRIBUTORS (5) distinct contributors stand behind it, each verified and with a
   positive figure: amounts of 0, and members nobody has verified, do not count, so four
   throwaway accounts cannot make up the number;
2. the DOMINANT_TOP (2) largest contributions are together at most DOMINANT_SHARE (85 %) of
   the cell, so no one learns roughly what the one big seller lost;
3. money is rounded to SIGNIFICANT_FIGURES (2) significant figures (ROUND_HALF_UP: what
   readers expect of "about") and said as "about US$120,000", so a member who joins or leaves
   cannot be read off by difference: released totals only move in steps of the rounding unit.

Every currency is its own cell: the only EUR contributor among five sellers is a cell of one.
A cell that fails is suppressed with a plain reason in the reader's language.

Counts that follow the rule (stores) are released exactly, not rounded: each contributor brings
few units (a membership names one store), so a difference tells no more than the member
count, which is public; the threshold and dominance tests still apply to them.

Who is a contributor is the caller's choice of key, and it must match the population of the
cell: the membership id within one grievance, the seller id across grievances (a platform
scorecard), so one seller in five grievances is one contributor, not five.

Written up with examples in docs/privacy.md; tested in tests/coalition/rules/test_disclosure.py.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Hashable, Iterable
from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal

from django.utils import translation
from django.utils.translation import gettext as _
from django.utils.translation import gettext_noop

from coalition.rules.money import currency_precision, format_amount, format_approximate_money

MIN_CONTRIBUTORS = 5
DOMINANT_TOP = 2
DOMINANT_SHARE = Decimal("0.85")
SIGNIFICANT_FIGURES = 2
ROUNDING = ROUND_HALF_UP

# Why a cell was suppressed (Cell.suppressed_because).
TOO_FEW = "too_few"
DOMINATED = "dominated"

_REASONS = {
    (TOO_FEW, True): gettext_noop(
        "hidden to protect members: fewer than %(minimum)s sellers reported amounts in %(currency)s"
    ),
    (TOO_FEW, False): gettext_noop(
        "hidden to protect members: fewer than %(minimum)s sellers stand behind this figure"
    ),
    (DOMINATED, True): gettext_noop(
        "hidden to protect members: one or two sellers account for most of this amount"
    ),
    (DOMINATED, False): gettext_noop(
        "hidden to protect members: one or two sellers account for most of this figure"
    ),
}


@dataclass(frozen=True)
class Contribution:
    """One contributor's figure for a cell. Several rows with the same `contributor` are summed:
    the rule counts distinct contributors, not rows."""

    contributor: Hashable
    amount: Decimal | int | None
    verified: bool
    currency: str | None = None  # money: the ISO 4217 code; counts: None


@dataclass(frozen=True)
class Cell:
    """A figure after the rule. `value` is None unless `released`; money is already rounded.

    `contributors` (distinct, verified, positive) is for organisers' screens and tests: public
    output (describe, public_data) does not show it.
    """

    released: bool
    value: Decimal | int | None
    contributors: int
    currency: str | None = None
    suppressed_because: str = ""  # TOO_FEW or DOMINATED when not released

    @property
    def is_money(self) -> bool:
        return self.currency is not None

    @property
    def reason(self) -> str:
        """Why the cell is hidden, in the active language; "" when it is released."""
        if self.released:
            return ""
        template = _(_REASONS[(self.suppressed_because, self.is_money)])
        return template % {"minimum": MIN_CONTRIBUTORS, "currency": self.currency}


def release_money(contributions: Iterable[Contribution], currency: str) -> Cell:
    """The cell of one currency: released and rounded, or suppressed with its reason."""
    rows = list(contributions)
    if any(row.currency != currency for row in rows):
        raise ValueError(f"release_money({currency!r}) was given another currency's amounts")
    figures = _per_contributor(rows)
    why = _suppressed_because(figures)
    if why:
        return Cell(False, None, len(figures), currency, why)
    total = sum(figures, Decimal(0))
    rounded = round_significant(total, finest_places=currency_precision(currency))
    return Cell(True, rounded, len(figures), currency)


def release_money_by_currency(contributions: Iterable[Contribution]) -> dict[str, Cell]:
    """One cell per currency (sorted by code): amounts in different currencies never add up."""
    by_currency: dict[str, list[Contribution]] = defaultdict(list)
    for row in contributions:
        if row.currency is None:
            raise ValueError("a money contribution needs its currency")
        by_currency[row.currency].append(row)
    return {code: release_money(rows, code) for code, rows in sorted(by_currency.items())}


def release_count(contributions: Iterable[Contribution]) -> Cell:
    """A count that follows the rule (e.g. stores): each contribution's `amount` is how many
    units that contributor brings. Released exactly (see the module docstring for why)."""
    rows = list(contributions)
    if any(row.currency is not None for row in rows):
        raise ValueError("release_count() counts units, not money: use release_money()")
    figures = _per_contributor(rows)
    why = _suppressed_because(figures)
    if why:
        return Cell(False, None, len(figures), None, why)
    return Cell(True, int(sum(figures, Decimal(0))), len(figures), None)


def round_significant(
    value: Decimal, figures: int = SIGNIFICANT_FIGURES, *, finest_places: int | None = None
) -> Decimal:
    """`value` to `figures` significant figures: 129,700 → 130,000; 1,234.5 → 1,200.

    `finest_places` keeps the rounding unit at or above the currency's minor unit: with cents
    (2) 0.123 → 0.12; with whole yen (0) 7.4 → 7.
    """
    if value == 0:
        return Decimal(0)
    exponent = value.adjusted() - (figures - 1)
    if finest_places is not None:
        exponent = max(exponent, -finest_places)
    rounded = value.quantize(Decimal(1).scaleb(exponent), rounding=ROUNDING)
    return rounded.quantize(Decimal(1)) if exponent >= 0 else rounded


def describe(cell: Cell, *, language: str | None = None) -> str:
    """What a reader sees: "about US$120,000" / "约120,000美元", "23", or the reason it is
    hidden. `language` is a Django language code; by default the active one."""
    with translation.override(language or translation.get_language()):
        if not cell.released:
            return cell.reason
        if cell.is_money:
            amount = format_approximate_money(cell.value, cell.currency)
            return _("about %(amount)s") % {"amount": amount}
        return format_amount(cell.value)


def public_data(cell: Cell, *, language: str | None = None) -> dict:
    """The cell for an API answer or an export that non-organisers read."""
    return {
        "released": cell.released,
        "value": None if cell.value is None else str(cell.value),
        "currency": cell.currency,
        "text": describe(cell, language=language),
    }


def _per_contributor(rows: list[Contribution]) -> list[Decimal]:
    """The figures that count: verified rows summed per contributor, kept when positive."""
    sums: dict[Hashable, Decimal] = defaultdict(Decimal)
    for row in rows:
        if row.verified and row.amount is not None:
            sums[row.contributor] += Decimal(row.amount)
    return [figure for figure in sums.values() if figure > 0]


def _suppressed_because(figures: list[Decimal]) -> str:
    if len(figures) < MIN_CONTRIBUTORS:
        return TOO_FEW
    total = sum(figures, Decimal(0))
    top = sum(sorted(figures, reverse=True)[:DOMINANT_TOP], Decimal(0))
    if top > DOMINANT_SHARE * total:
        return DOMINATED
    return ""
