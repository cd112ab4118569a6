"""One mail path for the whole project: render here, hand to the outbox, never send from here.

Every email of Coalition is rendered by `render` from templates/emails/<name>.subject.txt, .txt and
.html in the recipient's language and time zone, and becomes an outbox row that the worker sends
(retried, held for the recipient's daytime, unsubscribable, never twice).

The outbox itself — its `Notification` rows, claims, retries and sweeper — lives in
`appeals.outbox`, beside its model. `coalition` never imports `appeals`, so this module is a *port*:
coalition hands an `Email` to `enqueue`, and the outbox plugs itself in at start-up
(`appeals.apps.AppealsConfig.ready` calls `plug_in`). We chose a port over moving the outbox down
because the outbox's tables belong to the `appeals` app label, and moving them would rename
tables and content types for no gain in behaviour. See docs/architecture.md "Email".
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any, Protocol

from django.conf import settings
from django.core.exceptions import ImproperlyConfigured
from django.template.loader import render_to_string
from django.utils import timezone, translation

from coalition.rules.timezones import known_zone


@dataclass(frozen=True)
class Rendered:
    subject: str
    text: str
    html: str


@dataclass(frozen=True)
class Email:
    """One email for the outbox. `dedupe_key` is unique for all time: queuing the same key twice
    stores one row. `recipient_id` (a user id) lets the outbox honour that user's unsubscribes;
    `zone`, when set, holds the email until daytime there."""

    kind: str
    dedupe_key: str
    to: str
    rendered: Rendered
    recipient_id: int | None = None
    grievance_id: int | None = None
    zone: str = ""
    headers: Mapping[str, str] = field(default_factory=dict)


class Outbox(Protocol):
    def enqueue_emails(self, emails: Sequence[Email]) -> int: ...


_outbox: Outbox | None = None


def plug_in(outbox: Outbox) -> None:
    """Called once at start-up by the app that owns the outbox."""
    global _outbox
    _outbox = outbox


def enqueue(emails: Iterable[Email]) -> int:
    """Store the emails in the outbox (inside the caller's transaction) and queue their sending
    for after commit. Returns how many were queued now (a duplicate key queues nothing)."""
    if _outbox is None:
        raise ImproperlyConfigured("No outbox is plugged in: 'appeals' must be in INSTALLED_APPS.")
    return _outbox.enqueue_emails(list(emails))


# --- rendering --------------------------------------------------------------------------------

LANGUAGES = {code for code, _label in settings.LANGUAGES}


def render(name: str, context: dict[str, Any], *, language: str, zone: str = "UTC") -> Rendered:
    """templates/emails/<name>.subject.txt, .txt and .html rendered in `language` and `zone`."""
    ctx = {"site_url": settings.SITE_URL, **context}
    with translation.override(safe_language(language)), timezone.override(safe_zone(zone)):
        # One line, whatever the template's whitespace; the HTML <title> shows it too.
        ctx["subject"] = " ".join(render_to_string(f"emails/{name}.subject.txt", ctx).split())[:255]
        text = render_to_string(f"emails/{name}.txt", ctx)
        html = render_to_string(f"emails/{name}.html", ctx)
    return Rendered(ctx["subject"], tidy(text), html)


def tidy(text: str) -> str:
    """Plain text as templates leave it, minus runs of blank lines and trailing spaces."""
    lines = [line.rstrip() for line in text.strip().splitlines()]
    return re.sub(r"\n{3,}", "\n\n", "\n".join(lines)) + "\n"


def absolute(path: str) -> str:
    return f"{settings.SITE_URL}{path}"


def mail_domain() -> str:
    address = settings.DEFAULT_FROM_EMAIL.rsplit("<", 1)[-1].rstrip(">")
    return address.rsplit("@", 1)[-1] or "coalition.localhost"


def safe_language(code: str) -> str:
    return code if code in LANGUAGES else settings.LANGUAGE_CODE


def safe_zone(name: str) -> str:
    """The zone's name if it exists, else UTC: a bad profile value must not stop a fan-out."""
    return name if known_zone(name) else "UTC"
