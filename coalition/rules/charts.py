"""Server-rendered SVG charts: a horizontal bar chart with one bar per row, drawn without
JavaScript or any outside asset. Pages put the same rows in a table beside each chart, so the
figures are readable without the picture (and by screen readers).

Pure: the caller gives labels, values and the text to print beside each bar; every piece of
text is escaped here, so a grievance title or a translated label can never break out of the SVG.
A row whose value is None (a figure hidden by the disclosure rule, or none yet) gets no bar, only
its text.

    bar_chart("Funnel", [Bar("Joined", 120, "120"), Bar("Signed", None, "hidden")])
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from decimal import Decimal

from django.utils.html import escape
from django.utils.safestring import SafeString, mark_safe

WIDTH = 640
ROW_HEIGHT = 28
BAR_HEIGHT = 18
LABEL_WIDTH = 220  # room for the row label, left of the bars
TEXT_WIDTH = 150  # room for the printed figure, right of the longest bar
PADDING = 8


@dataclass(frozen=True)
class Bar:
    label: str
    value: int | float | Decimal | None  # None: no bar (hidden or not known)
    text: str  # what is printed beside the bar: the figure, or why it is hidden
    tone: str = ""  # a CSS modifier: "success", "danger", "muted" or ""


def bar_chart(title: str, bars: Sequence[Bar], *, chart_id: str = "chart") -> SafeString:
    """An accessible <svg> (role="img", its title as the accessible name) with one bar per row,
    scaled to the largest value shown."""
    height = PADDING * 2 + ROW_HEIGHT * max(len(bars), 1)
    largest = max((float(b.value) for b in bars if b.value is not None), default=0.0)
    span = WIDTH - LABEL_WIDTH - TEXT_WIDTH - PADDING * 2
    title_id = f"{_identifier(chart_id)}-title"
    parts = [
        f'<svg xmlns="http://www.w3.org/2000/svg" class="chart" role="img" '
        f'aria-labelledby="{title_id}" viewBox="0 0 {WIDTH} {height}" '
        f'width="100%" preserveAspectRatio="xMinYMin meet">',
        f'<title id="{title_id}">{escape(title)}</title>',
    ]
    for i, bar in enumerate(bars):
        y = PADDING + i * ROW_HEIGHT
        middle = y + ROW_HEIGHT / 2
        parts.append(
            f'<text class="chart-label" x="{LABEL_WIDTH - PADDING}" y="{middle:.1f}" '
            f'text-anchor="end" dominant-baseline="middle">{escape(bar.label)}</text>'
        )
        length = 0.0
        if bar.value is not None and largest > 0 and float(bar.value) > 0:
            length = max(2.0, span * float(bar.value) / largest)
            tone = f" chart-bar-{_identifier(bar.tone)}" if bar.tone else ""
            parts.append(
                f'<rect class="chart-bar{tone}" x="{LABEL_WIDTH}" '
                f'y="{y + (ROW_HEIGHT - BAR_HEIGHT) / 2:.1f}" width="{length:.1f}" '
                f'height="{BAR_HEIGHT}" rx="2"></rect>'
            )
        muted = " chart-value-hidden" if bar.value is None else ""
        parts.append(
            f'<text class="chart-value{muted}" x="{LABEL_WIDTH + length + PADDING:.1f}" '
            f'y="{middle:.1f}" dominant-baseline="middle">{escape(bar.text)}</text>'
        )
    parts.append("</svg>")
    return mark_safe("".join(parts))  # every text above went through escape()


def _identifier(value: str) -> str:
    """Only letters, digits, - and _ (ids and class names are not escaped text)."""
    return "".join(c for c in value if c.isalnum() or c in "-_") or "chart"
