"""The email outbox: rows are written first, sent after commit, each at most once (docs/outbox.md).

Every email of the project goes through here: the appeals app writes Notification rows itself
(appeals/emails.py builds them), and coalition hands `coalition.mail.Email`s to the mail port,
which this module implements (`enqueue_emails`; plugged in by AppealsConfig.ready). The send tasks
live beside this module (appeals/outbox/tasks.py); it queues them by name after commit and never
imports them.

Life of a row (appeals.models.Notification):

    pending ──claim──▶ sending ──hand-over──▶ sending+sent_at ──250──▶ sent
       ▲                 │                        │
       └── transient ────┘ (backoff + jitter)     └── no answer ──▶ failed ("delivery unknown")
    pending ── unsubscribed ──▶ suppressed          5xx / bad address ──▶ failed

Never twice, and what it costs (the semantics this module guarantees):

1. `enqueue` inserts rows with a unique dedupe key (`bulk_create(ignore_conflicts=True)`), so
   writing the same email twice — a job re-run, a retried task — stores it once. Send tasks are
   queued with `transaction.on_commit`, so a rolled-back job sends nothing.
2. A send task *claims* its rows before it touches SMTP: pending → sending in one transaction
   (`claim_batch`; `SELECT … FOR UPDATE SKIP LOCKED` on PostgreSQL). The claim time is the claim's
   token and every later write checks it, so a duplicated or re-delivered task (acks_late) finds
   nothing to do, and a sender whose claim was taken over can change nothing.
3. Right before a message is handed to the server — after MAIL FROM / RCPT TO were accepted, just
   before DATA — the row's `sent_at` is committed as the *hand-over* mark. When the server answers
   250 the row is `sent`; that mark rides on the next message's hand-over commit (or the batch's
   last commit), so each message costs one commit.
4. The only window in which we cannot know whether the server took a message is between its
   hand-over commit and the commit of its `sent` mark. A worker that dies there leaves a
   `sending` row *with* `sent_at`; a connection that drops while waiting for DATA's answer leaves
   the same doubt. Such a row is never sent again automatically: it is marked `failed` with
   "delivery unknown" and staff decide (the admin's "retry" re-sends it with the same Message-ID,
   which many receivers de-duplicate on). A `sending` row *without* `sent_at` never reached DATA,
   so the sweeper puts it back to pending.
5. Transient errors (cannot connect, disconnects before DATA, timeouts, 4xx answers) put the row
   back to pending with exponential backoff and jitter; short delays are also queued as a task
   countdown, longer ones are picked up by the sweeper. After MAX_ATTEMPTS the row fails.
   Permanent errors (5xx, a refused or malformed address) fail the row with the server's answer.

So: at most once per row, always; at least once for every row except those a crash or a dropped
connection leaves in the hand-over window, which are surfaced as failed rather than guessed.
"""

from __future__ import annotations

import contextlib
import logging
import random
import smtplib
from collections.abc import Callable, Iterable, Iterator, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime, time, timedelta
from email.utils import make_msgid
from functools import lru_cache, partial
from zoneinfo import ZoneInfo

from celery import current_app
from celery.exceptions import SoftTimeLimitExceeded
from django.conf import settings
from django.core.mail import EmailMultiAlternatives, get_connection
from django.core.mail.backends.smtp import EmailBackend as SMTPBackend
from django.core.mail.message import sanitize_address
from django.db import transaction
from django.db.models import Exists, F, OuterRef, Q
from django.utils import timezone

from appeals.documents import storage
from appeals.models import Notification, Unsubscribe
from coalition.mail import Email, mail_domain

logger = logging.getLogger(__name__)

N = Notification.State
BATCH_SIZE = 100  # rows per send task: one SMTP connection each
INSERT_BATCH = 500
MAX_ATTEMPTS = 8
BACKOFF_CAP = timedelta(hours=1)
# Backoffs up to this are queued as a task countdown; longer ones wait for the sweeper.
MAX_COUNTDOWN = timedelta(minutes=5)
# A claim older than this cannot belong to a live task (the hard task time limit is shorter).
STALE_CLAIM = timedelta(minutes=10)
# Pending rows younger than this still have their own send task on the way.
SWEEP_GRACE = timedelta(minutes=10)
DAY_STARTS, NIGHT_STARTS = time(9, 0), time(21, 0)
# The send tasks (appeals/outbox/tasks.py), queued by name: their names are what queued messages
# and the worker agree on, so they never change.
SEND_ONE = "appeals.tasks.send_notification"
SEND_BATCH = "appeals.tasks.send_batch"
UNKNOWN = (
    "Delivery unknown: the connection or the worker stopped while the SMTP server was taking this "
    "message, so it may have arrived. Not re-sent automatically; retry only if it did not arrive."
)


def _retry_base() -> timedelta:
    return timedelta(seconds=getattr(settings, "OUTBOX_RETRY_BASE_SECONDS", 30))


# --- writing ----------------------------------------------------------------------------------


def daytime_send_after(now: datetime, zone: str) -> datetime | None:
    """09:00 next morning in `zone` when `now` is night there (21:00-08:59), else None."""
    local = now.astimezone(ZoneInfo(zone or "UTC"))
    if DAY_STARTS <= local.time() < NIGHT_STARTS:
        return None
    day = local.date() if local.time() < DAY_STARTS else local.date() + timedelta(days=1)
    return datetime.combine(day, DAY_STARTS, tzinfo=local.tzinfo).astimezone(UTC)


def enqueue(notifications: Iterable[Notification]) -> int:
    """Store outbox rows (a row whose dedupe key exists is skipped) and queue the ones due now
    for sending once the surrounding transaction commits. Returns how many were queued.

    Pass a bounded chunk (a fan-out calls this once per chunk of recipients)."""
    rows = list(notifications)
    if not rows:
        return 0
    Notification.objects.bulk_create(rows, ignore_conflicts=True, batch_size=INSERT_BATCH)
    # ignore_conflicts leaves primary keys unset (PostgreSQL cannot say which rows went in).
    due = (
        Notification.objects.filter(dedupe_key__in=[r.dedupe_key for r in rows], state=N.PENDING)
        .filter(_due(timezone.now()))
        .order_by("pk")
        .values_list("pk", flat=True)
    )
    return queue_send(list(due))


def queue_send(pks: Sequence[int], *, countdown: float | None = None) -> int:
    """Queue send tasks for `pks` in batches, after the current transaction commits."""
    for chunk in _chunks(list(pks), BATCH_SIZE):
        # robust: a broker outage must not turn a committed action into an error page; the
        # sweeper finds rows whose task never made it.
        transaction.on_commit(partial(_publish, chunk, countdown), robust=True)
    return len(pks)


def enqueue_emails(emails: Sequence[Email]) -> int:
    """The mail port of coalition.mail: each Email becomes an outbox row like the ones
    appeals/emails.py builds (its own Message-ID; held for daytime in `zone` when it is set),
    then `enqueue` stores and queues them. Returns how many were queued now."""
    now = timezone.now()
    return enqueue(_row_for(email, now) for email in emails)


def _row_for(email: Email, now: datetime) -> Notification:
    message_id = make_msgid(domain=mail_domain())
    return Notification(
        recipient_id=email.recipient_id,
        to_email=email.to,
        kind=email.kind,
        dedupe_key=email.dedupe_key,
        grievance_id=email.grievance_id,
        subject=email.rendered.subject,
        body_text=email.rendered.text,
        body_html=email.rendered.html,
        headers={"Message-ID": message_id, **email.headers},
        message_id=message_id,
        send_after=daytime_send_after(now, email.zone) if email.zone else None,
    )


def _publish(pks: list[int], countdown: float | None = None) -> None:
    if len(pks) == 1 and countdown is None:
        current_app.send_task(SEND_ONE, args=(pks[0],))
    else:
        current_app.send_task(SEND_BATCH, args=(pks,), countdown=countdown)


# --- claiming and sending ---------------------------------------------------------------------


@dataclass
class SendReport:
    sent: int = 0
    failed: int = 0
    deferred: int = 0
    suppressed: int = 0
    skipped: int = 0  # claimed elsewhere, not due yet, or already done


def claim_batch(
    pks: Sequence[int], now: datetime | None = None
) -> tuple[datetime, list[Notification]]:
    """Claim the due pending rows among `pks` (pending → sending) in one transaction and return
    the claim token (the claimed_at written) with the rows won. A row another sender holds or
    already sent is not won: on PostgreSQL `FOR UPDATE SKIP LOCKED` passes over rows being
    claimed elsewhere; SQLite runs one writing transaction at a time."""
    token = now or timezone.now()
    with transaction.atomic():
        ids = list(
            Notification.objects.select_for_update(skip_locked=True)
            .filter(pk__in=list(pks), state=N.PENDING)
            .filter(_due(token))
            .values_list("pk", flat=True)
        )
        if ids:
            Notification.objects.filter(pk__in=ids, state=N.PENDING).update(
                state=N.SENDING, claimed_at=token, sent_at=None, attempts=F("attempts") + 1
            )
    if not ids:
        return token, []
    return token, list(
        Notification.objects.filter(pk__in=ids, state=N.SENDING, claimed_at=token).order_by("pk")
    )


def claim_for_sending(pk: int, now: datetime | None = None) -> datetime | None:
    """Claim one row; returns the claim token when this call won it, else None."""
    token, rows = claim_batch([pk], now)
    return token if rows else None


def send_many(pks: Sequence[int]) -> SendReport:
    """Send the due pending rows among `pks` over one SMTP connection."""
    pks = list(pks)
    report = SendReport(suppressed=suppress_opted_out(pks))
    token, rows = claim_batch(pks)
    report.skipped = len(pks) - report.suppressed - len(rows)
    if not rows:
        return report
    batch = _Batch(token, rows, report)
    backend = get_connection()
    try:
        try:
            backend.open()
        except Exception as exc:
            batch.put_off_rest(exc)
            return report
        batch.run(backend)
    finally:
        batch.finish()
        try:
            backend.close()
        except Exception:
            logger.debug("closing the SMTP connection failed", exc_info=True)
    return report


def send_pending(now: datetime | None = None) -> SendReport:
    """Send every due pending row in this process, batch by batch (tests, `sweep_outbox --send`)."""
    total = SendReport()
    for chunk in _pending_due_ids(now or timezone.now(), grace=timedelta(0)):
        part = send_many(chunk)
        for name in ("sent", "failed", "deferred", "suppressed", "skipped"):
            setattr(total, name, getattr(total, name) + getattr(part, name))
    return total


class _Batch:
    """Claimed rows going out one after another over one connection.

    One commit per message: the hand-over mark of a message is committed together with the
    `sent` mark of the message before it (which the server had just accepted). Each hand-over is
    still durable before its DATA, and each acceptance is recorded at the latest one message
    later — if the process dies in between, the row stays handed over and ends up as "delivery
    unknown", never sent again."""

    def __init__(self, token: datetime, rows: list[Notification], report: SendReport) -> None:
        self.token, self.rows, self.report = token, rows, report
        self.next = 0  # index of the first row not yet tried
        self.accepted: list[int] = []  # accepted by the server, `sent` not yet committed
        self.handed_over = False

    def run(self, backend) -> None:
        while self.next < len(self.rows):
            row = self.rows[self.next]
            self.next += 1
            self.handed_over = False
            try:
                delivered = _deliver(backend, row, lambda row=row: self.hand_over(row))
            except SoftTimeLimitExceeded as exc:
                # Out of time, not the row's fault: an untouched row goes back with the rest.
                if self.handed_over:
                    _settle_failure(row, self.token, exc, handed_over=True)
                else:
                    self.next -= 1
                raise
            except Exception as exc:
                outcome = _settle_failure(row, self.token, exc, handed_over=self.handed_over)
                setattr(self.report, outcome, getattr(self.report, outcome) + 1)
                if outcome == "deferred" and _connection_lost(exc):
                    self.put_off_rest(exc)  # the server is gone: the rest waits with this one
                continue
            if delivered:
                self.accepted.append(row.pk)
                self.report.sent += 1
            else:
                self.report.skipped += 1

    def hand_over(self, row: Notification) -> bool:
        with transaction.atomic():
            self._record_accepted()
            won = self._mine([row.pk]).filter(sent_at__isnull=True).update(sent_at=timezone.now())
        self.handed_over = won == 1
        return self.handed_over

    def put_off_rest(self, exc: BaseException) -> None:
        rest = [r.pk for r in self.rows[self.next :]]
        self.next = len(self.rows)
        if rest:
            self.report.deferred += _put_off(self._mine(rest), exc)

    def finish(self) -> None:
        """Record what was accepted; rows never tried (the task was stopped) go back to pending."""
        with transaction.atomic():
            self._record_accepted()
            rest = [r.pk for r in self.rows[self.next :]]
            if rest:
                self._mine(rest).filter(sent_at__isnull=True).update(state=N.PENDING)

    def _record_accepted(self) -> None:
        if self.accepted:
            self._mine(self.accepted).update(state=N.SENT, last_error="")
            self.accepted = []

    def _mine(self, pks: list[int]):
        return Notification.objects.filter(pk__in=pks, state=N.SENDING, claimed_at=self.token)


def _deliver(backend, row: Notification, hand_over: Callable[[], bool]) -> bool:
    message = build_message(row, connection=backend)
    if isinstance(backend, SMTPBackend):
        return _smtp_send(backend, message, hand_over)
    # locmem in tests, files in the embedded default: nothing between hand-over and done.
    if not hand_over():
        return False
    backend.send_messages([message])
    return True


def build_message(row: Notification, connection=None) -> EmailMultiAlternatives:
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


def _smtp_send(
    backend: SMTPBackend, message: EmailMultiAlternatives, hand_over: Callable[[], bool]
) -> bool:
    """smtplib's sendmail, split so the hand-over mark is committed between RCPT and DATA: before
    it the server cannot have taken the message, so every error there is safe to retry."""
    conn: smtplib.SMTP = backend.connection
    encoding = message.encoding or settings.DEFAULT_CHARSET
    sender = _sanitized(message.from_email, encoding)
    recipients = [sanitize_address(a, encoding) for a in message.recipients()]
    data = message.message().as_bytes(linesep="\r\n")
    conn.ehlo_or_helo_if_needed()
    options = [f"SIZE={len(data)}"] if conn.does_esmtp and conn.has_extn("size") else []
    code, reply = conn.mail(sender, options)
    if code != 250:
        _reset(conn)
        raise smtplib.SMTPSenderRefused(code, reply, sender)
    refused = {}
    for address in recipients:
        code, reply = conn.rcpt(address)
        if code not in (250, 251):
            refused[address] = (code, reply)
    if len(refused) == len(recipients):
        _reset(conn)
        raise smtplib.SMTPRecipientsRefused(refused)
    if not hand_over():
        _reset(conn)
        return False
    code, reply = conn.data(data)
    if code != 250:
        _reset(conn)
        raise smtplib.SMTPDataError(code, reply)
    return True


@lru_cache(maxsize=16)
def _sanitized(address: str, encoding: str) -> str:
    return sanitize_address(address, encoding)  # the sender is the same for every message


def _reset(conn: smtplib.SMTP) -> None:
    with contextlib.suppress(smtplib.SMTPException, OSError):  # the next command reports it
        conn.rset()


# --- failures ---------------------------------------------------------------------------------


def _settle_failure(
    row: Notification, token: datetime, exc: BaseException, *, handed_over: bool
) -> str:
    """Record a failed attempt; returns the SendReport field it counts under."""
    mine = Notification.objects.filter(pk=row.pk, state=N.SENDING, claimed_at=token)
    kind = classify(exc, after_hand_over=handed_over)
    if kind == "unknown":
        logger.warning("outbox %s: delivery unknown (%r)", row.pk, exc)
        mine.update(state=N.FAILED, last_error=f"{UNKNOWN} ({_describe(exc)})")
        return "failed"
    if kind == "permanent" or row.attempts >= MAX_ATTEMPTS:  # the claim counted this attempt
        logger.warning("outbox %s failed for good: %r", row.pk, exc)
        mine.update(state=N.FAILED, sent_at=None, last_error=_describe(exc))
        return "failed"
    return "deferred" if _put_off(mine, exc) else "skipped"


def _put_off(rows, exc: BaseException) -> int:
    """Claimed rows back to pending after a passing failure, with exponential backoff (the claim
    counted their attempt); rows out of attempts fail."""
    error = _describe(exc)
    failed = rows.filter(attempts__gte=MAX_ATTEMPTS).update(
        state=N.FAILED, sent_at=None, last_error=error
    )
    attempts = list(rows.values_list("pk", "attempts"))
    if not attempts:
        return failed
    delay = backoff(max(a for _pk, a in attempts))
    deferred = rows.update(
        state=N.PENDING, sent_at=None, send_after=timezone.now() + delay, last_error=error
    )
    _retry_later([pk for pk, _a in attempts], delay)
    return deferred + failed


def _retry_later(pks: list[int], delay: timedelta) -> None:
    if delay > MAX_COUNTDOWN:
        return  # the sweeper queues it when it is due
    try:
        _publish(pks, countdown=delay.total_seconds())
    except Exception:
        logger.warning("could not queue a retry for %s rows", len(pks), exc_info=True)


def backoff(attempts: int) -> timedelta:
    """Exponential backoff with jitter: base·2^(n-1), capped, then a random point in its upper
    half so that many rows failing together do not come back together."""
    ceiling = min(_retry_base() * (2 ** max(attempts - 1, 0)), BACKOFF_CAP)
    return ceiling * random.uniform(0.5, 1.0)


def _network_error(exc: BaseException) -> bool:
    """Lost or refused connections and timeouts (smtplib's own errors are OSErrors too, but
    apart from a disconnect they are answers or local mistakes, handled by their codes)."""
    if isinstance(exc, smtplib.SMTPServerDisconnected):
        return True
    return isinstance(exc, OSError) and not isinstance(exc, smtplib.SMTPException)


def classify(exc: BaseException, *, after_hand_over: bool = False) -> str:
    """ "transient", "permanent" or (after the hand-over, without a server answer) "unknown"."""
    codes = _smtp_codes(exc)
    if codes:
        # The server answered: it did not take the message, whatever the stage.
        return "transient" if all(400 <= c < 500 for c in codes) else "permanent"
    if after_hand_over:
        return "unknown"
    if _network_error(exc):
        return "transient"
    return "permanent"  # a bad address, an encoding error, a bug: retrying will not help


def _connection_lost(exc: BaseException) -> bool:
    return not _smtp_codes(exc) and _network_error(exc)


def _smtp_codes(exc: BaseException) -> list[int]:
    if isinstance(exc, smtplib.SMTPRecipientsRefused):
        return [code for code, _reply in exc.recipients.values()]
    if isinstance(exc, smtplib.SMTPResponseException) and exc.smtp_code and exc.smtp_code > 0:
        return [exc.smtp_code]
    return []


def _describe(exc: BaseException) -> str:
    return f"{type(exc).__name__}: {exc}"[:2000]


# --- opt-outs and emails that stopped applying ------------------------------------------------


def opted_out() -> Q:
    """Rows whose recipient asked for no email: globally, for the row's grievance, or by
    switching reminder emails off in their settings."""
    mine = Unsubscribe.objects.filter(seller__user=OuterRef("recipient"))
    return (
        Q(recipient__seller__email_notifications=False)
        | Exists(mine.filter(grievance__isnull=True))
        | Exists(mine.filter(grievance=OuterRef("grievance")))
    )


def suppress_opted_out(pks: Sequence[int]) -> int:
    """Mark pending rows of opted-out recipients `suppressed` (checked at send time, so an
    unsubscribe also stops emails already waiting for the morning)."""
    return (
        Notification.objects.filter(pk__in=list(pks), state=N.PENDING, recipient__isnull=False)
        .filter(opted_out())
        .update(state=N.SUPPRESSED, last_error="The recipient unsubscribed.")
    )


def withdraw_pending(rows: Q, reason: str) -> int:
    """Suppress pending rows that no longer apply (the member signed while the reminder waited
    for the morning). Rows already claimed for sending are left alone."""
    return Notification.objects.filter(rows, state=N.PENDING).update(
        state=N.SUPPRESSED, last_error=reason
    )


# --- the sweeper and staff retries ------------------------------------------------------------


def sweep(now: datetime | None = None) -> dict[str, int]:
    """Recover what a crash or an outage left behind; run every few minutes.

    - `sending` rows claimed longer ago than STALE_CLAIM: back to pending when they never reached
      the hand-over, `failed` ("delivery unknown") when they did;
    - pending rows that are due and have waited longer than their own send task should take are
      queued again (a second task for a row is harmless: only one claim wins).
    """
    now = now or timezone.now()
    stale = Notification.objects.filter(state=N.SENDING, claimed_at__lt=now - STALE_CLAIM)
    # Rows are claimed one at a time, so a dead worker leaves at most one row behind per process.
    orphans = list(stale.filter(sent_at__isnull=True).values_list("pk", flat=True))
    released = stale.filter(pk__in=orphans, sent_at__isnull=True).update(
        state=N.PENDING, last_error="The worker stopped before sending; queued again."
    )
    unknown = stale.filter(sent_at__isnull=False).update(state=N.FAILED, last_error=UNKNOWN)
    queued = queue_send(orphans) if released else 0
    for chunk in _pending_due_ids(now, grace=SWEEP_GRACE):
        queued += queue_send(chunk)
    return {"released": released, "unknown": unknown, "queued": queued}


def _pending_due_ids(now: datetime, *, grace: timedelta) -> Iterator[list[int]]:
    """Ids of due pending rows, BATCH_SIZE at a time, by keyset pagination (never all at once)."""
    rows = Notification.objects.filter(state=N.PENDING).filter(
        Q(send_after__isnull=False, send_after__lte=now)
        | Q(send_after__isnull=True, created_at__lte=now - grace)
    )
    last = 0
    while True:
        chunk = list(
            rows.filter(pk__gt=last).order_by("pk").values_list("pk", flat=True)[:BATCH_SIZE]
        )
        if not chunk:
            return
        yield chunk
        last = chunk[-1]


def retry(pks: Sequence[int]) -> int:
    """Staff retry of failed rows: back to pending with fresh attempts, queued after commit."""
    with transaction.atomic():
        ids = list(
            Notification.objects.filter(pk__in=list(pks), state=N.FAILED).values_list(
                "pk", flat=True
            )
        )
        Notification.objects.filter(pk__in=ids, state=N.FAILED).update(
            state=N.PENDING, attempts=0, send_after=None, claimed_at=None, sent_at=None
        )
        queue_send(ids)
    return len(ids)


# --- helpers ----------------------------------------------------------------------------------


def _due(now: datetime) -> Q:
    return Q(send_after__isnull=True) | Q(send_after__lte=now)


def _chunks(items: list, size: int) -> Iterator[list]:
    for start in range(0, len(items), size):
        yield items[start : start + size]
