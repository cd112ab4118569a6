"""A chart as pages show it: the SVG (coalition/rules/charts.py) and, beside it, a table with the
same figures, so nothing is said only in a picture. Shared by the outcome analytics of a
grievance and the platform scorecard."""

from __future__ import annotations

from dataclasses import dataclass, field

from django.utils.safestring import SafeString
from django.utils.translation import gettext as _

from coalition.rules.charts import Bar, bar_chart
from coalition.rules.disclosure import Cell, describe
from coalition.rules.money import format_amount


@dataclass
class Chart:
    key: str  # a stable id: the SVG's and the table's anchors, and a handle for tests
    title: str
    headers: list[str]
    rows: list[list[str]]
    svg: SafeString
    note: str = ""
    empty: str = ""  # shown instead of the chart when there is nothing to draw
    hidden_rows: int = 0  # rows whose figure the disclosure rule hid

    @property
    def has_rows(self) -> bool:
        return bool(self.rows)


@dataclass
class Line:
    """One row of a chart: its label, the figure to draw (None: no bar) and what is printed."""

    label: str
    value: int | float | None
    text: str
    tone: str = ""
    extra: list[str] = field(default_factory=list)  # further table columns before the figure


def chart(
    key: str, title: str, headers: list[str], lines: list[Line], *, draw: bool = True, **kw
) -> Chart:
    """Draw `lines` as bars and list them in the table, the figure in the last column. With
    `draw` False only the table is shown (figures that must not share one scale)."""
    bars = [
        Bar(
            " · ".join([line.label, *line.extra[:1]]),  # the row's label and its first column
            line.value,
            line.text if line.value is not None else _("hidden"),
            line.tone,
        )
        for line in lines
    ]
    return Chart(
        key=key,
        title=title,
        headers=headers,
        rows=[[line.label, *line.extra, line.text] for line in lines],
        svg=bar_chart(title, bars, chart_id=key) if lines and draw else SafeString(""),
        hidden_rows=sum(line.value is None for line in lines),
        **kw,
    )


def count_line(label: str, exact: int, cell: Cell | None, *, exact_view: bool, **kw) -> Line:
    """A count: exact for organisers and staff (or when it is public, `cell` None), otherwise
    what the disclosure rule releases, or its reason."""
    if exact_view or cell is None:
        return Line(label, exact, format_amount(exact), **kw)
    if not cell.released:
        return Line(label, None, cell.reason, **{**kw, "tone": "muted"})
    return Line(label, cell.value, describe(cell), **kw)
