"""The SVG bar chart: pure, accessible, and every text escaped."""

from __future__ import annotations

import re
from xml.etree import ElementTree

from coalition.rules.charts import Bar, bar_chart

SVG = "{http://www.w3.org/2000/svg}"


def test_chart_is_well_formed_svg_named_by_its_title():
    svg = ElementTree.fromstring(bar_chart("Funnel", [Bar("Joined", 10, "10")], chart_id="funnel"))

    assert svg.get("role") == "img"
    assert svg.get("aria-labelledby") == "funnel-title"
    assert svg.find(f"{SVG}title").text == "Funnel"


def test_bars_are_scaled_to_the_largest_value():
    svg = bar_chart("t", [Bar("a", 100, "100"), Bar("b", 50, "50")])

    widths = [float(w) for w in re.findall(r'<rect[^>]* width="([\d.]+)"', svg)]
    assert len(widths) == 2
    assert widths[1] == widths[0] / 2


def test_a_hidden_figure_gets_no_bar_only_its_text():
    svg = bar_chart("t", [Bar("shown", 7, "7"), Bar("secret", None, "hidden")])

    assert svg.count("<rect") == 1
    assert "chart-value-hidden" in svg and ">hidden<" in svg


def test_every_text_is_escaped():
    evil = '<script>alert("x")</script>&'
    svg = bar_chart(evil, [Bar(evil, 1, evil, tone='"><script>')], chart_id='"><b>')

    assert "<script>" not in svg
    assert "&lt;script&gt;" in svg
    ElementTree.fromstring(svg)  # still well formed


def test_an_empty_chart_is_still_valid_svg():
    assert ElementTree.fromstring(bar_chart("Nothing", [])).tag == f"{SVG}svg"
