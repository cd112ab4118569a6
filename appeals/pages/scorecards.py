"""View-model of a platform's public scorecard: its record over the last 12 months in rounds
submitted through Coalition (public grievances only), with a chart and a table for each figure.
Everyone reads the same page: recovered amounts are released figures only (docs/privacy.md)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from appeals.models import Appeal
from appeals.pages.charts import Chart, Line, chart
from appeals.queries.analytics import AWAITING, Scorecard, platform_scorecard
from coalition.cache import LISTS, cached
from coalition.categories import Category
from coalition.models import Platform
from coalition.rules.disclosure import describe
from coalition.rules.money import format_amount

OUTCOME_TONES = {Appeal.Outcome.GRANTED: "success", Appeal.Outcome.REJECTED: "danger"}


@dataclass
class ScorecardPage:
    platform: Platform
    scorecard: Scorecard
    charts: list[Chart]

    @property
    def median_text(self) -> str:
        return days_text(self.scorecard.median_days)

    @property
    def p90_text(self) -> str:
        return days_text(self.scorecard.p90_days)

    @property
    def late_text(self) -> str:
        return percent_text(self.scorecard.late_share)


def scorecard_page(platform: Platform, now: datetime | None = None) -> ScorecardPage:
    """The page in the active language. The figures are the same for every reader, so they come
    from the shared cache, fresh by the lists' version that every write bumps (coalition/cache.py);
    an explicit `now` always computes them afresh."""
    if now is not None:
        card = platform_scorecard(platform, now)
    else:
        card = cached(
            "appeals.scorecard",
            [LISTS],
            [platform.pk],
            lambda: platform_scorecard(platform, timezone.now()),
        )
    charts = [_days_chart(card), _late_chart(card), _outcomes_chart(card), _recovered_chart(card)]
    return ScorecardPage(platform=platform, scorecard=card, charts=charts)


def days_text(days: float | int | None) -> str:
    """ "4.5 business days"; "no answer yet" when there is nothing to measure."""
    if days is None:
        return _("no answer yet")
    shown = format_amount(days if days != int(days) else int(days))
    return ngettext("%(n)s business day", "%(n)s business days", 1 if days == 1 else 2) % {
        "n": shown
    }


def percent_text(share: float | None) -> str:
    if share is None:
        return _("not known yet")
    return _("%(percent)s%%") % {"percent": format_amount(round(100 * share))}


def _days_chart(card: Scorecard) -> Chart:
    lines = [
        Line(_("Median"), card.median_days, days_text(card.median_days)),
        Line(_("90th percentile"), card.p90_days, days_text(card.p90_days)),
        Line(
            _("Its own stated time"),
            card.platform.response_business_days,
            days_text(card.platform.response_business_days),
            tone="muted",
        ),
    ]
    return chart(
        "first-answer",
        _("Business days to a first answer"),
        [_("Measure"), _("Business days")],
        lines if card.answered else [],
        empty=_("The platform has not answered a round in this period."),
        note=ngettext(
            "From %(n)s answered round. An acknowledgement is not an answer.",
            "From %(n)s answered rounds. An acknowledgement is not an answer.",
            card.answered,
        )
        % {"n": card.answered},
    )


def _late_chart(card: Scorecard) -> Chart:
    on_time = card.judged - card.late
    lines = [
        Line(_("Answered on time"), on_time, format_amount(on_time), tone="success"),
        Line(_("Answered late or not at all"), card.late, format_amount(card.late), tone="danger"),
    ]
    return chart(
        "late",
        _("Answered on time or late"),
        [_("Rounds"), _("Number")],
        lines if card.judged else [],
        empty=_("No round's answer is due yet."),
        note=_(
            "Late: the first answer came after the platform's own stated time, or has not come."
        ),
    )


def _outcomes_chart(card: Scorecard) -> Chart:
    outcome_labels = {**dict(Appeal.Outcome.choices), AWAITING: _("Awaiting a decision")}
    categories = dict(Category.choices)
    lines = [
        Line(
            str(categories.get(category, category)),
            n,
            format_amount(n),
            tone=OUTCOME_TONES.get(outcome, ""),
            extra=[str(outcome_labels[outcome])],
        )
        for category, outcomes in card.outcomes_by_category.items()
        for outcome in [*Appeal.Outcome.values[1:], AWAITING]
        if (n := outcomes.get(outcome))
    ]
    return chart(
        "outcomes",
        _("What the platform decided, by kind of grievance"),
        [_("What happened"), _("Decision"), _("Rounds")],
        lines,
        empty=_("No round was submitted in this period."),
    )


def _recovered_chart(card: Scorecard) -> Chart:
    lines = [
        Line(code, float(cell.value), describe(cell))
        if cell.released
        else Line(code, None, cell.reason, tone="muted")
        for code, cell in card.recovered.items()
    ]
    return chart(
        "recovered",
        _("Recovered in members' own appeals"),
        [_("Currency"), _("Recovered")],
        lines,
        draw=False,  # amounts in different currencies share no scale
        empty=_("No member has reported money recovered in this period."),
        note=_("Rounded, and shown only when enough sellers stand behind a figure."),
    )
