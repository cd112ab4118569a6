"""The bytes of an outbox email, the shared parts built once per batch (docs/outbox.md).

A fan-out's emails differ only in their recipient, Message-ID, unsubscribe links and the member's
name (appeals/emails.py fills those in when it writes the rows). Building each one through
Django's `EmailMultiAlternatives` costs MIME objects, header encoding and the email package's
generator for every email. Here what the emails of a batch share — the multipart Content-Type
with its boundary, the encoded Subject and From, the constant headers and the parts' headers — is
built once per (subject, sender, headers) and kept; for each email only the To, Date, Message-ID
and List-Unsubscribe lines and the two bodies are written.

The bytes are exactly those Django writes for the same row (each header line goes through the
same functions Django and the email package use; tests/appeals/outbox/test_mime.py compares
them). A row of any other shape — an attachment, Cc or Reply-To, a text-only email, a line
longer than a message line may be (Django then switches to quoted-printable) — is left to Django
(`fast_bytes` returns None).
"""

from __future__ import annotations

import re
import time
from email import policy
from email.generator import Generator
from email.utils import formatdate
from functools import lru_cache

from django.conf import settings
from django.core.mail import EmailMultiAlternatives
from django.core.mail.message import RFC5322_EMAIL_LINE_LENGTH_LIMIT, forbid_multi_line_headers

from appeals.documents import storage
from appeals.models import Notification
from appeals.outbox import smtp

# The policy Django's messages carry (compat32), writing the SMTP line ending.
POLICY = policy.compat32.clone(linesep="\r\n")
CHARSET = "utf-8"
# Headers written per email; a row carrying any other extra header is built by Django.
PER_EMAIL = ("Message-ID", "List-Unsubscribe")
SHARED = ("List-Unsubscribe-Post", "Auto-Submitted")
NEWLINES = re.compile(r"\r\n|\r|\n")  # what the email package turns into a line ending


def header_line(name: str, value: str) -> bytes:
    """One header line as Django's message and the email package's generator write it (raises
    BadHeaderError for a value with a line break, as Django does)."""
    name, value = forbid_multi_line_headers(name, value, CHARSET)
    return POLICY.fold_binary(name, value)


@lru_cache(maxsize=512)
def _shared_line(name: str, value: str) -> bytes:
    return header_line(name, value)


@lru_cache(maxsize=4)
def _date_line(second: int, localtime: bool) -> bytes:
    # formatdate drops the fraction of a second: one line per second is the same text.
    return header_line("Date", formatdate(second, localtime=localtime))


@lru_cache(maxsize=64)
def _skeleton(subject: str, from_email: str) -> tuple[bytes, bytes]:
    """What every email with this subject and sender shares: its boundary and the head up to
    the per-email lines."""
    boundary = _new_boundary()
    head = b"".join(
        (
            header_line("Content-Type", f'multipart/alternative; boundary="{boundary}"'),
            header_line("MIME-Version", "1.0"),
            header_line("Subject", subject),
            header_line("From", from_email),
        )
    )
    return boundary.encode("ascii"), head


def _new_boundary() -> str:
    return Generator._make_boundary()  # the email package's own: random, never in a template


@lru_cache(maxsize=8)
def _part_head(subtype: str, cte: str) -> bytes:
    return b"".join(
        (
            header_line("Content-Type", f'text/{subtype}; charset="{CHARSET}"'),
            header_line("MIME-Version", "1.0"),
            header_line("Content-Transfer-Encoding", cte),
        )
    )


def _body(text: str) -> tuple[str, bytes] | None:
    """A part's transfer encoding and bytes, or None when Django would quote-print it."""
    if any(
        len(line.encode(errors="surrogateescape")) > RFC5322_EMAIL_LINE_LENGTH_LIMIT
        for line in text.splitlines()
    ):
        return None
    return ("7bit" if text.isascii() else "8bit"), NEWLINES.sub("\r\n", text).encode(CHARSET)


def simple(row: Notification) -> bool:
    """A row of the fan-out shape: text and HTML, no Cc, only the outbox's own headers."""
    headers = row.headers or {}
    return bool(
        row.body_text
        and row.body_html
        and not row.cc
        and (settings.DEFAULT_CHARSET or "").lower() == CHARSET
        and "Message-ID" in headers
        and all(name in PER_EMAIL or name in SHARED for name in headers)
    )


def fast_bytes(
    row: Notification, *, from_email: str | None = None, now: float | None = None
) -> bytes | None:
    """The message Django would write for `row`, built from the batch's shared parts; None for
    a row that is not `simple` or whose lines Django would quote-print."""
    if not simple(row):
        return None
    headers = row.headers
    text, html = _body(row.body_text), _body(row.body_html)
    if text is None or html is None:
        return None
    boundary, head = _skeleton(row.subject, from_email or settings.DEFAULT_FROM_EMAIL)
    if boundary in text[1] or boundary in html[1]:
        return None  # never: the boundary is random; Django would pick another
    second = int(time.time() if now is None else now)
    extra = b"".join(
        header_line(name, value) if name in PER_EMAIL else _shared_line(name, value)
        for name, value in headers.items()  # in the row's order, as Django writes them
    )
    dash = b"--" + boundary
    return b"".join(
        (
            head,
            header_line("To", row.to_email),
            _date_line(second, bool(settings.EMAIL_USE_LOCALTIME)),
            extra,
            b"\r\n",
            dash + b"\r\n",
            _part_head("plain", text[0]) + b"\r\n" + text[1],
            b"\r\n" + dash + b"\r\n",
            _part_head("html", html[0]) + b"\r\n" + html[1],
            b"\r\n" + dash + b"--\r\n",
        )
    )


# --- a row as a message ---------------------------------------------------------------------


def outgoing(row: Notification) -> smtp.Outgoing:
    """The row as SMTP carries it: the fan-out shape built from the batch's shared parts (the
    same bytes), anything else by Django."""
    if not simple(row):
        return smtp.outgoing_message(build_message(row))
    return smtp.outgoing(
        settings.DEFAULT_FROM_EMAIL,
        [row.to_email],
        lambda: fast_bytes(row) or build_message(row).message().as_bytes(linesep="\r\n"),
        CHARSET,
    )


def build_message(row: Notification, connection=None) -> EmailMultiAlternatives:
    """The row as a Django message (the backends of tests and of the embedded default send
    these; so does SMTP for every shape `fast_bytes` leaves to Django)."""
    headers = dict(row.headers or {})
    reply_to = [a.strip() for a in headers.pop("Reply-To", "").split(",") if a.strip()]
    message = EmailMultiAlternatives(
        subject=row.subject,
        body=row.body_text,
        from_email=settings.DEFAULT_FROM_EMAIL,
        to=[row.to_email],
        cc=list(row.cc or []),
        reply_to=reply_to,
        headers=headers,
        connection=connection,
    )
    if row.body_html:
        message.attach_alternative(row.body_html, "text/html")
    _attach_packet(row, message)
    return message


def _attach_packet(row: Notification, message: EmailMultiAlternatives) -> None:
    """A round emailed to the platform carries its evidence packet: the bytes kept at submission
    under the fingerprint its header names, attached only while they are still there, small
    enough and the same bytes. Otherwise the body's signed link answers for it, honestly."""
    expected = (row.headers or {}).get(storage.PACKET_HEADER)
    if not expected or row.appeal_id is None:
        return
    content = storage.stored_packet(expected, limit=storage.email_limit())
    if content is not None:
        message.attach(storage.packet_filename(row.appeal), content, "application/zip")
