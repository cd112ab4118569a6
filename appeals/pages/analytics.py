"""View-model of a grievance's outcome analytics: the member funnel, own appeals' outcomes and
recovered amounts per round, and business days to each of the platform's answers, each as a
chart with its table. Organisers and staff read exact figures; everyone else reads what the
disclosure rule releases (docs/privacy.md)."""

from __future__ import annotations

from dataclasses import dataclass

from django.utils import timezone
from django.utils.formats import date_format
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from appeals.models import PlatformResponse, Submission
from appeals.pages.charts import Chart, Line, chart, count_line
from appeals.queries.analytics import GrievanceAnalytics, RoundFigures, grievance_analytics
from appeals.queries.rounds import rounds_for, standing_in
from coalition.models import Grievance
from coalition.rules.disclosure import describe
from coalition.rules.money import format_money

SUCCESS = {Submission.Outcome.REINSTATED, Submission.Outcome.FUNDS_RELEASED}


@dataclass
class AnalyticsPage:
    grievance: Grievance
    exact: bool  # organisers and staff: exact figures
    charts: list[Chart]


def analytics_page(user, grievance: Grievance) -> AnalyticsPage:
    standing = standing_in(user, grievance)
    exact = standing.organiser
    data = grievance_analytics(grievance, rounds_for(user, grievance))
    charts = [
        _funnel_chart(data, exact),
        _outcomes_chart(data.rounds, exact),
        *_recovered_charts(data.rounds, exact),
        _answers_chart(data.rounds, grievance.platform.response_business_days),
    ]
    return AnalyticsPage(grievance=grievance, exact=exact, charts=charts)


def _round_label(figures: RoundFigures) -> str:
    return _("Round %(number)s") % {"number": figures.appeal.number}


def _funnel_chart(data: GrievanceAnalytics, exact: bool) -> Chart:
    labels = {
        "joined": _("Joined"),
        "verified": _("Verified by the organisers"),
        "signed": _("Signed a round"),
        "filed": _("Filed their own appeal"),
        "reported": _("Reported its outcome"),
    }
    lines = [
        count_line(labels[key], counted.exact, counted.cell, exact_view=exact)
        for key, counted in data.funnel.items()
    ]
    return chart(
        "funnel",
        _("From joining to an outcome"),
        [_("Stage"), _("Members")],
        lines,
        note=_("Each stage counts members who reached it, whatever they did next."),
    )


def _outcomes_chart(rounds: list[RoundFigures], exact: bool) -> Chart:
    labels = dict(Submission.Outcome.choices)
    lines = [
        count_line(
            _round_label(figures),
            counted.exact,
            counted.cell,
            exact_view=exact,
            tone="success" if outcome in SUCCESS else "",
            extra=[str(labels[outcome])],
        )
        for figures in rounds
        for outcome, counted in figures.outcomes.items()
    ]
    return chart(
        "outcomes",
        _("How members' own appeals ended, per round"),
        [_("Round"), _("Outcome"), _("Own appeals")],
        lines,
        empty=_("No member has logged an own appeal yet."),
    )


def _recovered_charts(rounds: list[RoundFigures], exact: bool) -> list[Chart]:
    currencies = sorted({code for figures in rounds for code in figures.recovered})
    charts = []
    for code in currencies:
        lines = []
        for figures in rounds:
            cell = figures.recovered.get(code)
            if cell is None:
                continue
            if exact:
                amount = figures.recovered_exact[code]
                lines.append(Line(_round_label(figures), float(amount), format_money(amount, code)))
            elif cell.released:
                lines.append(Line(_round_label(figures), float(cell.value), describe(cell)))
            else:
                lines.append(Line(_round_label(figures), None, cell.reason, tone="muted"))
        charts.append(
            chart(
                f"recovered-{code.lower()}",
                _("Recovered in members' own appeals (%(currency)s)") % {"currency": code},
                [_("Round"), _("Recovered")],
                lines,
            )
        )
    return charts


def _answers_chart(rounds: list[RoundFigures], expected: int) -> Chart:
    labels = dict(PlatformResponse.Classification.choices)
    lines = [
        Line(
            _round_label(figures),
            answer.business_days,
            ngettext("%(n)s business day", "%(n)s business days", answer.business_days)
            % {"n": answer.business_days},
            tone="danger" if answer.business_days > expected else "",
            extra=[str(labels[answer.classification]), _date(answer.received_at)],
        )
        for figures in rounds
        for answer in figures.answers
    ]
    return chart(
        "answers",
        _("Business days the platform took to answer"),
        [_("Round"), _("Answer"), _("Received"), _("Business days")],
        lines,
        empty=_("The platform has not answered a round yet."),
        note=_("Counted on the platform's calendar, from the day the round was submitted."),
    )


def _date(moment) -> str:
    """The day in the viewer's time zone (business days are counted on the platform's)."""
    return date_format(timezone.localtime(moment), "DATE_FORMAT")
