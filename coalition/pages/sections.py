"""The extension point of the grievance page: sections other parts (evidence, reports, appeals'
rounds) add to it."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from django.http import HttpRequest
from django.template.loader import render_to_string


@dataclass(frozen=True)
class GrievanceSection:
    """A block another app adds to the grievance page (appeals adds its rounds).

    `context(request, grievance=, membership=, organiser=)` returns the template's extra context
    (added to the page's own: grievance, membership, organiser, agg, members, ...), or None to
    leave the section out for this viewer. `slot` is "main" (after the demands) or "side" (after
    "Your part"); `replaces` names a built-in block the section supersedes — today only
    "checklist", the static evidence list. coalition never imports appeals, so appeals registers
    its sections from its AppConfig.ready() (coalition's own from CoalitionConfig.ready()).
    """

    template: str
    context: Callable[..., dict[str, Any] | None]
    order: int = 50
    slot: str = "main"
    replaces: str = ""


GRIEVANCE_SECTIONS: list[GrievanceSection] = []


def register_grievance_section(
    template: str,
    context: Callable[..., dict[str, Any] | None],
    *,
    order: int = 50,
    slot: str = "main",
    replaces: str = "",
) -> None:
    """Add a section to every grievance page; registering the same section twice is harmless."""
    if slot not in {"main", "side"}:
        raise ValueError(f"unknown grievance page slot {slot!r}")
    section = GrievanceSection(template, context, order, slot, replaces)
    if section not in GRIEVANCE_SECTIONS:
        GRIEVANCE_SECTIONS.append(section)
        GRIEVANCE_SECTIONS.sort(key=lambda s: s.order)


def render_sections(request: HttpRequest, base: dict[str, Any]) -> dict[str, Any]:
    """{"main": [html, ...], "side": [...], "replaced": {"checklist", ...}} for this viewer."""
    rendered: dict[str, Any] = {"main": [], "side": [], "replaced": set()}
    for section in GRIEVANCE_SECTIONS:
        extra = section.context(
            request,
            grievance=base["grievance"],
            membership=base["membership"],
            organiser=base["organiser"],
        )
        if extra is None:
            continue
        html = render_to_string(section.template, {**base, **extra}, request=request)
        rendered[section.slot].append(html)
        if section.replaces:
            rendered["replaced"].add(section.replaces)
    return rendered
