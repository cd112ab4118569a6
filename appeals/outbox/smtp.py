"""The SMTP side of the outbox (docs/outbox.md): one message over an open session, split at the
points the service's bookkeeping needs; what a failure means; and how a session is made clean again
after one.

smtplib's `sendmail` is one call from MAIL FROM to the final answer. Here it is taken apart:

    hand_over.start() ─ MAIL FROM ─ RCPT TO ─ hand_over() ─ DATA ─ 354 ─ in_doubt() ─ body ─ 250

`hand_over.start()` sends the row's hand-over mark to the database without waiting, so it commits
while the server answers MAIL FROM and RCPT TO; `hand_over()` waits until it is committed (or
writes it, where it could not be sent ahead) and may decline: the row is no longer ours. Either
way the mark is committed before DATA. `in_doubt` is called right before the body goes out. Only
between it and the final answer can the server have taken a message we do not know about.
"""

from __future__ import annotations

import contextlib
import re
import smtplib
from collections.abc import Callable
from dataclasses import dataclass
from functools import lru_cache
from typing import Protocol

from django.conf import settings
from django.core.mail import EmailMultiAlternatives
from django.core.mail.backends.smtp import EmailBackend as SMTPBackend
from django.core.mail.message import sanitize_address

TRANSIENT, PERMANENT, UNKNOWN = "transient", "permanent", "unknown"


class BadAddress(ValueError):
    """An address that cannot be written in an SMTP envelope: retrying will not help."""


class HandOver(Protocol):
    """A row's hand-over mark: `start()` sends it ahead; calling it returns once it is
    committed, True while the row is still ours."""

    def start(self) -> None: ...

    def __call__(self) -> bool: ...


@dataclass(frozen=True)
class Outgoing:
    """One message as SMTP carries it: the envelope's sender and recipients, and its bytes."""

    sender: str
    recipients: list[str]
    data: bytes


def outgoing(
    from_email: str, recipients: list[str], data: Callable[[], bytes], encoding: str
) -> Outgoing:
    """The envelope for a message (raises BadAddress for an address that cannot be written in
    one, before the message is built); `data` builds the message's bytes."""
    try:
        sender = _sanitized(from_email, encoding)
        envelope = [sanitize_address(a, encoding) for a in recipients]
    except (ValueError, UnicodeError) as exc:
        raise BadAddress(str(exc)) from exc
    return Outgoing(sender, envelope, data())


def outgoing_message(message: EmailMultiAlternatives) -> Outgoing:
    """A Django message as SMTP carries it (what Django's SMTP backend would send)."""
    return outgoing(
        message.from_email,
        message.recipients(),
        lambda: message.message().as_bytes(linesep="\r\n"),
        message.encoding or settings.DEFAULT_CHARSET,
    )


def send(
    backend: SMTPBackend,
    message: Outgoing,
    hand_over: HandOver,
    in_doubt: Callable[[], None],
) -> bool:
    """Send `message` over the backend's open session. Returns False when `hand_over` declined
    (the session is reset); raises on any failure, leaving the session for `recover` to clean."""
    conn: smtplib.SMTP = backend.connection
    sender, recipients, data = message.sender, message.recipients, message.data
    conn.ehlo_or_helo_if_needed()
    hand_over.start()
    waiting = True  # for the hand-over: nothing else may use the database until it is read
    try:
        options = [f"SIZE={len(data)}"] if conn.does_esmtp and conn.has_extn("size") else []
        code, reply = conn.mail(sender, options)
        if code != 250:
            raise smtplib.SMTPSenderRefused(code, reply, sender)
        if not recipients:
            raise smtplib.SMTPRecipientsRefused({})
        refused = {}
        *first, last = recipients
        for address in first:
            code, reply = conn.rcpt(address)
            if code not in (250, 251):
                refused[address] = (code, reply)
        # A mark not sent ahead is committed while the server answers the last RCPT: the
        # database's round trip and the server's overlap. The answer is read whatever happens,
        # so the session stays in step; a refusal after the mark is settled like any failure
        # before DATA (the mark is taken back, nothing is in doubt).
        conn.putcmd("rcpt", f"TO:{smtplib.quoteaddr(last)}")
        try:
            waiting = False
            handed_over = hand_over()
        finally:
            code, reply = conn.getreply()
    finally:
        if waiting:  # the server failed us first; the failure is settled over the database
            hand_over()
    if code not in (250, 251):
        refused[last] = (code, reply)
    if len(refused) == len(recipients):
        raise smtplib.SMTPRecipientsRefused(refused)
    if not handed_over:
        if not _rset(conn):
            reopen(backend)
        return False
    conn.putcmd("data")
    code, reply = conn.getreply()
    if code != 354:
        raise smtplib.SMTPDataError(code, reply)
    in_doubt()
    body = re.sub(rb"(?m)^\.", b"..", data)
    if not body.endswith(b"\r\n"):
        body += b"\r\n"
    conn.send(body + b".\r\n")
    code, reply = conn.getreply()
    if code != 250:
        raise smtplib.SMTPDataError(code, reply)
    return True


def recover(backend: SMTPBackend, exc: BaseException, *, in_doubt: bool) -> None:
    """Make the session clean for the next message after `exc`: RSET while client and server
    still agree where they are (the server answered, or the failure was ours, e.g. the
    database), else a new connection — after a drop, a timeout or a message in doubt a late
    answer could be read as the reply to the next command. Raises when no connection opens."""
    conn = backend.connection
    if conn is not None and not in_doubt and not network_error(exc) and _rset(conn):
        return
    reopen(backend)


def reopen(backend: SMTPBackend) -> None:
    with contextlib.suppress(Exception):  # the old session is broken; closing may fail too
        backend.close()
    backend.connection = None
    backend.open()


def _rset(conn: smtplib.SMTP) -> bool:
    try:
        code, _reply = conn.rset()
    except (smtplib.SMTPException, OSError):
        return False
    return code == 250


@lru_cache(maxsize=16)
def _sanitized(address: str, encoding: str) -> str:
    return sanitize_address(address, encoding)  # the sender is the same for every message


# --- what a failure means ---------------------------------------------------------------------


def classify(exc: BaseException, *, in_doubt: bool = False) -> str:
    """TRANSIENT, PERMANENT or UNKNOWN (the body went out and no answer came back).

    Only the server refusing the recipient itself (a 5xx to RCPT) or an address that cannot be
    written is permanent. Any other answer means the server did not take the message — a 4xx,
    or a 5xx to MAIL FROM or DATA, which speaks of the session or the sender, not of this
    recipient — and is retried, as are lost connections, timeouts, database errors and anything
    unexpected; a row out of attempts fails all the same."""
    if isinstance(exc, BadAddress):
        return PERMANENT
    if isinstance(exc, smtplib.SMTPRecipientsRefused):
        codes = [code for code, _reply in exc.recipients.values()]
        return PERMANENT if codes and all(code >= 500 for code in codes) else TRANSIENT
    if answer_code(exc):
        return TRANSIENT
    return UNKNOWN if in_doubt else TRANSIENT


def network_error(exc: BaseException) -> bool:
    """Lost or refused connections and timeouts (smtplib's own errors are OSErrors too, but
    apart from a disconnect they are answers, handled by their codes)."""
    if isinstance(exc, smtplib.SMTPServerDisconnected):
        return True
    return isinstance(exc, OSError) and not isinstance(exc, smtplib.SMTPException)


def answer_code(exc: BaseException) -> int | None:
    """The server's reply code carried by `exc`, if the server answered."""
    if isinstance(exc, smtplib.SMTPRecipientsRefused):
        return min((code for code, _reply in exc.recipients.values()), default=None)
    if isinstance(exc, smtplib.SMTPResponseException) and exc.smtp_code and exc.smtp_code > 0:
        return exc.smtp_code
    return None


def describe(exc: BaseException) -> str:
    return f"{type(exc).__name__}: {exc}"[:2000]
