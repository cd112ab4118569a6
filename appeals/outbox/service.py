"""The email outbox: rows are written first, sent after commit, each at most once (docs/outbox.md).

Every email of the project goes through here: the appeals app writes Notification rows itself
(appeals/emails.py builds them), and coalition hands `coalition.mail.Email`s to the mail port,
which this module implements (`enqueue_emails`; plugged in by AppealsConfig.ready). The send tasks
live beside this module (appeals/outbox/tasks.py); it queues them by name after commit and never
imports them. The SMTP conversation and what its failures mean are in appeals/outbox/smtp.py.

Life of a row (appeals.models.Notification):

    pending ──claim (lease)──▶ sending ──hand-over──▶ sending+sent_at ──250──▶ sent
       ▲                         │                         │
       └── transient / lease ────┘ (backoff + jitter)      └── body sent, no answer ──▶ failed
           expired before hand-over                             ("delivery unknown")
    pending ── unsubscribed ──▶ suppressed     5xx to RCPT / bad address / out of attempts ──▶ failed

Never twice, never lost (the semantics this module guarantees):

1. `enqueue` inserts rows with a unique dedupe key (`bulk_create(ignore_conflicts=True)`), so
   writing the same email twice — a job re-run, a retried task — stores it once. Send tasks are
   queued with `transaction.on_commit`, so a rolled-back job sends nothing.
2. A send task *claims* its rows before it touches SMTP: pending → sending in one transaction
   (`claim_batch`; `SELECT … FOR UPDATE SKIP LOCKED` on PostgreSQL). The claim time is the claim's
   token and every later write checks it, so a duplicated or re-delivered task (acks_late) finds
   nothing to do, and a sender whose claim was taken over can change nothing. The claim carries a
   short *lease* (`lease_until`, LEASE), renewed while the batch is being sent; once it has
   expired the sweeper (every minute) takes the rows over.
3. Before a message is handed to the server the row's `sent_at` is committed as the *hand-over*
   mark: sent with MAIL FROM where it can be, committed before DATA (appeals/outbox/smtp.py).
   When the server answers 250 the row is `sent`; that mark rides on the next message's
   hand-over commit (or the batch's last commit), so each message costs one commit. The rows
   accepted are kept in memory until that commit has succeeded.
4. Every bookkeeping write is retried from the row's true state (`_durably`): a database error
   closes the broken connection and tries again, a few times, with short pauses. Each write is
   idempotent for the claim that makes it, so a commit whose answer was lost is harmless.
5. The only window in which we cannot know whether the server took a message is between sending
   its body and the server's answer. A connection that drops or times out there, or a worker that
   dies there, leaves the row `failed` with "delivery unknown" and the reason; it is never sent
   again automatically, staff decide (the admin's "retry" warns that it may arrive twice). A 250
   that arrives after the sweeper gave up on the row still marks it sent.
6. Transient errors (the database, lost connections, timeouts, any answer but a 5xx to RCPT) put
   the row back to pending with exponential backoff and jitter; short delays are queued as a task
   countdown, longer ones are picked up by the sweeper. After MAX_ATTEMPTS the row fails.
   Permanent errors (a 5xx to RCPT, an address that cannot be written) fail the row. After any
   failure inside an SMTP session the session is reset (RSET, or a new connection).

So: at most once per row, always; at least once for every row except those a crash or a dropped
connection leaves between a body and its answer, which are surfaced as failed rather than guessed.
"""

from __future__ import annotations

import logging
import random
import time as monotonic_time
from collections.abc import Callable, Iterable, Iterator, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime, time, timedelta
from email.utils import make_msgid
from functools import partial
from typing import TypeVar
from zoneinfo import ZoneInfo

from celery import current_app
from celery.exceptions import SoftTimeLimitExceeded
from django.conf import settings
from django.core.mail import get_connection
from django.core.mail.backends.smtp import EmailBackend as SMTPBackend
from django.db import InterfaceError, OperationalError, connection, transaction
from django.db.models import Exists, F, OuterRef, Q
from django.utils import timezone

from appeals.models import Notification, Unsubscribe
from appeals.outbox import hand_over as marks
from appeals.outbox import smtp
from appeals.outbox.mime import build_message, outgoing
from appeals.outbox.rows import due, insert_new, is_due, pending_due
from coalition import sql as statements
from coalition.mail import Email, mail_domain
from coalition.models import Seller

logger = logging.getLogger(__name__)

N = Notification.State
T = TypeVar("T")
BATCH_SIZE = 100  # rows per send task: one SMTP connection each
INSERT_BATCH = 500
MAX_ATTEMPTS = 8
BACKOFF_CAP = timedelta(hours=1)
# Backoffs up to this are queued as a task countdown; longer ones wait for the sweeper.
MAX_COUNTDOWN = timedelta(minutes=5)
# Rows claimed before leases existed (lease_until empty) are taken over after this.
STALE_CLAIM = timedelta(minutes=10)
# Pending rows younger than this still have their own send task on the way.
SWEEP_GRACE = timedelta(minutes=2)
# Pauses between tries of a bookkeeping write that met a database error (about 8 s in all).
DB_RETRY_PAUSES = (0.05, 0.2, 0.5, 1.0, 2.0, 4.0)
# The batch's last write holds 250s only this process knows of: it waits longer (about 30 s).
FINAL_RETRY_PAUSES = (*DB_RETRY_PAUSES, 8.0, 15.0)
DAY_STARTS, NIGHT_STARTS = time(9, 0), time(21, 0)
# The send tasks (appeals/outbox/tasks.py), queued by name: their names are what queued messages
# and the worker agree on, so they never change.
SEND_ONE = "appeals.tasks.send_notification"
SEND_BATCH = "appeals.tasks.send_batch"
# Every "delivery unknown" reason starts with these words (the admin filters on them).
UNKNOWN = "Delivery unknown"
UNKNOWN_DROPPED = (
    "Delivery unknown: the connection dropped or timed out while the SMTP server was taking this "
    "message, so it may have arrived. Not re-sent automatically; retry only if it did not arrive."
)
UNKNOWN_WORKER = (
    "Delivery unknown: the worker stopped after handing this message to the SMTP server and "
    "before its answer was recorded, so it may have arrived. Not re-sent automatically; retry "
    "only if it did not arrive."
)


def lease() -> timedelta:
    """How long a claim is owned without renewal (60-120 s in production; short in tests)."""
    return timedelta(seconds=getattr(settings, "OUTBOX_LEASE_SECONDS", 90))


def _retry_base() -> timedelta:
    return timedelta(seconds=getattr(settings, "OUTBOX_RETRY_BASE_SECONDS", 30))


# --- writing ----------------------------------------------------------------------------------


def daytime_send_after(now: datetime, zone: str) -> datetime | None:
    """09:00 next morning in `zone` when `now` is night there (21:00-08:59), else None (and
    always None where settings.OUTBOX_DAYTIME_HOLD is off: the `make run` demo)."""
    if not getattr(settings, "OUTBOX_DAYTIME_HOLD", True):
        return None
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
    now = timezone.now()
    if connection.vendor != "postgresql":
        Notification.objects.bulk_create(rows, ignore_conflicts=True, batch_size=INSERT_BATCH)
        # ignore_conflicts leaves primary keys unset (the database cannot say which went in).
        return queue_send(list(pending_due([r.dedupe_key for r in rows], now)))
    waiting, existing = [], []
    for chunk in _chunks(rows, INSERT_BATCH):
        inserted = insert_new(chunk)
        waiting += [pk for pk, state, after in inserted.values() if is_due(state, after, now)]
        existing += [r.dedupe_key for r in chunk if r.dedupe_key not in inserted]
    if existing:  # rows written before (a fan-out run again): queued again if still waiting
        waiting += pending_due(existing, now)
    return queue_send(sorted(set(waiting)))


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
    pks: Sequence[int], now: datetime | None = None, *, resume: bool = False
) -> tuple[datetime, list[Notification]]:
    """Claim the due pending rows among `pks` (pending → sending, leased until now + LEASE) in one
    transaction and return the claim token (the claimed_at written) with the rows won. A row
    another sender holds or already sent is not won: on PostgreSQL `FOR UPDATE SKIP LOCKED`
    passes over rows being claimed elsewhere; SQLite runs one writing transaction at a time.

    After a database error, call it again with the same `now` and `resume=True`: the rows an
    earlier call claimed with that token (its commit may have gone through) are returned too."""
    token = now or timezone.now()
    with transaction.atomic():
        ids = list(
            Notification.objects.select_for_update(skip_locked=True)
            .filter(pk__in=list(pks), state=N.PENDING)
            .filter(due(token))
            .values_list("pk", flat=True)
        )
        if ids:
            Notification.objects.filter(pk__in=ids, state=N.PENDING).update(
                state=N.SENDING,
                claimed_at=token,
                lease_until=token + lease(),
                sent_at=None,
                attempts=F("attempts") + 1,
            )
    won = list(pks) if resume else ids
    if not won:
        return token, []
    return token, list(
        Notification.objects.filter(pk__in=won, state=N.SENDING, claimed_at=token).order_by("pk")
    )


def claim_for_sending(pk: int, now: datetime | None = None) -> datetime | None:
    """Claim one row; returns the claim token when this call won it, else None."""
    token, rows = claim_batch([pk], now)
    return token if rows else None


def send_many(pks: Sequence[int]) -> SendReport:
    """Send the due pending rows among `pks` over one SMTP connection."""
    pks = list(pks)
    report = SendReport(suppressed=_durably(lambda: suppress_opted_out(pks)))
    token, tries = timezone.now(), 0

    def claim() -> tuple[datetime, list[Notification]]:
        nonlocal tries
        tries += 1
        return claim_batch(pks, token, resume=tries > 1)

    token, rows = _durably(claim)
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

    One statement and commit per message: the hand-over mark of a message is written together
    with the `sent` mark of the message before it (which the server had just accepted) and,
    every third of a lease, the renewal of the lease on the rows still to go (`_hand_over`). Each hand-over is durable
    before its DATA; each acceptance is kept in `accepted` until a commit has recorded it."""

    def __init__(self, token: datetime, rows: list[Notification], report: SendReport) -> None:
        self.token, self.rows, self.report = token, rows, report
        self.next = 0  # index of the first row not yet tried
        self.accepted: list[int] = []  # accepted by the server, `sent` not yet committed
        self.handed_over = False  # the current row's hand-over mark is committed
        self.in_doubt = False  # the current row's body went out: the server may have it
        self.renewed = token  # when the lease was last set

    def run(self, backend) -> None:
        while self.next < len(self.rows):
            row = self.rows[self.next]
            self.next += 1
            self.handed_over = self.in_doubt = False
            try:
                delivered = _deliver(backend, row, _HandOver(self, row), self.mark_in_doubt)
            except SoftTimeLimitExceeded as exc:
                # Out of time, not the row's fault: a row not in doubt goes back with the rest.
                if self.in_doubt:
                    _durably(lambda row=row, exc=exc: _settle_failure(row, self.token, exc, True))
                else:
                    self.next -= 1
                raise
            except Exception as exc:
                outcome = _durably(
                    lambda row=row, exc=exc: _settle_failure(row, self.token, exc, self.in_doubt)
                )
                setattr(self.report, outcome, getattr(self.report, outcome) + 1)
                if not self.fresh_session(backend, exc):
                    return
                continue
            if delivered:
                self.accepted.append(row.pk)
                self.report.sent += 1
            else:
                self.report.skipped += 1

    def fresh_session(self, backend, exc: BaseException) -> bool:
        """Reset the SMTP session after a failure; when no new connection opens, the rest of the
        batch waits (with backoff) and False is returned."""
        if not isinstance(backend, SMTPBackend):
            return True
        try:
            smtp.recover(backend, exc, in_doubt=self.in_doubt)
        except Exception as reopening:
            self.put_off_rest(reopening)
            return False
        return True

    def mark_in_doubt(self) -> None:
        self.in_doubt = True

    def hand_over(self, row: Notification, ahead: Callable[[], bool] | None = None) -> bool:
        """Commit the row's hand-over mark in one statement (so one round trip and one commit)
        that also marks the rows accepted before it `sent` and, when due, renews the lease
        (appeals/outbox/hand_over.py). `ahead` reads that statement sent ahead (`send_ahead`)
        and counts as its first try."""

        def write() -> bool:
            nonlocal ahead
            if ahead is not None:
                attempt, ahead = ahead, None
                return attempt()
            now, renew = timezone.now(), self._renew_lease()
            won = marks.write(row.pk, self.token, self.accepted, renew, now, now + lease())
            if renew:
                self.renewed = now
            return won

        self.handed_over = _durably(write)
        self.accepted = []  # committed
        if not self.handed_over:
            _durably(lambda: self._never_sent(row))
        return self.handed_over

    def send_ahead(self, row: Notification) -> Callable[[], bool] | None:
        """Send the row's hand-over statement without waiting, where the database layer can;
        the callable returned reads its answer, raising what the statement met (`hand_over`
        then tries again). None where it cannot be sent ahead."""
        if not statements.can_send_ahead():
            return None
        try:
            now, renew = timezone.now(), self._renew_lease()
            answer = marks.send_ahead(row.pk, self.token, self.accepted, renew, now, now + lease())
        except (OperationalError, InterfaceError) as exc:
            return partial(_raise, exc)
        if answer is None:
            return None

        def attempt() -> bool:
            won = answer()
            if renew:
                self.renewed = now
            return won

        return attempt

    def _never_sent(self, row: Notification) -> None:
        """A hand-over whose first commit went through unseen, retried after the sweeper had
        taken the lease (and called the row "delivery unknown"): its body never went out, so
        it goes back to pending."""
        with transaction.atomic():
            if Notification.objects.filter(
                pk=row.pk, claimed_at=self.token, state=N.FAILED, sent_at__isnull=False
            ).update(state=N.PENDING, sent_at=None, send_after=timezone.now(), last_error=""):
                queue_send([row.pk])

    def put_off_rest(self, exc: BaseException) -> None:
        rest = [r.pk for r in self.rows[self.next :]]
        self.next = len(self.rows)
        if rest:
            self.report.deferred += _durably(lambda: _put_off(self._mine(rest), exc))

    def finish(self) -> None:
        """Record what was accepted; rows never tried (the task was stopped) go back to pending
        and are queued again."""
        rest = [r.pk for r in self.rows[self.next :]]

        def write() -> None:
            if not rest:  # the usual end: one statement
                return self._record_accepted()
            with transaction.atomic():
                self._record_accepted()
                if rest:
                    back = self._mine(rest).update(
                        state=N.PENDING, sent_at=None, send_after=timezone.now()
                    )
                    if back:
                        queue_send(rest)

        _durably(write, pauses=FINAL_RETRY_PAUSES)
        self.accepted = []
        self.next = len(self.rows)

    def _record_accepted(self) -> None:
        """Mark the accepted rows sent — also a row the sweeper gave up on meanwhile ("delivery
        unknown" after its lease expired): the server's 250 settles the doubt."""
        if self.accepted:
            Notification.objects.filter(self._accepted_rows(), claimed_at=self.token).update(
                state=N.SENT, last_error=""
            )

    def _accepted_rows(self) -> Q:
        return Q(pk__in=self.accepted, sent_at__isnull=False, state__in=[N.SENDING, N.FAILED])

    def _renew_lease(self) -> list[int]:
        """The rows whose lease the next write renews: the ones still to go, every third of a
        lease (none in between)."""
        if timezone.now() - self.renewed < lease() / 3:
            return []
        return [r.pk for r in self.rows[max(self.next - 1, 0) :]]

    def _mine(self, pks: list[int]):
        return Notification.objects.filter(pk__in=pks, state=N.SENDING, claimed_at=self.token)


class _HandOver:
    """One row's hand-over for smtp.send (smtp.HandOver): `start()` sends its statement ahead,
    where the database layer can, so it commits while the server answers MAIL FROM and RCPT TO;
    calling it waits for that answer (or writes the mark) and says whether the row is still
    ours. Without `start()`, as for the other backends, calling it writes the mark."""

    def __init__(self, batch: _Batch, row: Notification) -> None:
        self.batch, self.row = batch, row
        self.ahead: Callable[[], bool] | None = None

    def start(self) -> None:
        self.ahead = self.batch.send_ahead(self.row)

    def __call__(self) -> bool:
        ahead, self.ahead = self.ahead, None
        return self.batch.hand_over(self.row, ahead)


def _deliver(
    backend, row: Notification, hand_over: Callable[[], bool], in_doubt: Callable[[], None]
) -> bool:
    if isinstance(backend, SMTPBackend):
        return smtp.send(backend, outgoing(row), hand_over, in_doubt)
    message = build_message(row, connection=backend)
    # locmem in tests, files in the embedded default: nothing between hand-over and done.
    if not hand_over():
        return False
    in_doubt()
    backend.send_messages([message])
    return True


# --- bookkeeping that survives database faults ------------------------------------------------


def _durably(write: Callable[[], T], *, pauses: Sequence[float] | None = None) -> T:
    """Run a bookkeeping write (its own transaction, idempotent for its claim) until it commits.

    A connection error (the server restarted, the backend was terminated, the network blinked)
    closes the broken connection and tries again after a short pause; the last error is raised,
    and whatever is still claimed then waits for its lease to expire. Inside a caller's
    transaction nothing can be retried, so the error is raised at once."""
    for pause in (*(DB_RETRY_PAUSES if pauses is None else pauses), None):
        try:
            return write()
        except (OperationalError, InterfaceError):
            if connection.in_atomic_block or pause is None:
                raise
            logger.warning("outbox bookkeeping met a database error; retrying", exc_info=True)
            connection.close()
            monotonic_time.sleep(pause * random.uniform(0.8, 1.2))
    raise AssertionError("unreachable")  # the loop returns or raises


# --- failures ---------------------------------------------------------------------------------


def _raise(exc: BaseException) -> bool:
    raise exc


def _settle_failure(row: Notification, token: datetime, exc: BaseException, in_doubt: bool) -> str:
    """Record a failed attempt; returns the SendReport field it counts under."""
    mine = Notification.objects.filter(pk=row.pk, state=N.SENDING, claimed_at=token)
    kind = smtp.classify(exc, in_doubt=in_doubt)
    if kind == smtp.UNKNOWN:
        logger.warning("outbox %s: delivery unknown (%r)", row.pk, exc)
        mine.update(state=N.FAILED, last_error=f"{UNKNOWN_DROPPED} ({smtp.describe(exc)})")
        return "failed"
    if kind == smtp.PERMANENT or row.attempts >= MAX_ATTEMPTS:  # the claim counted this attempt
        logger.warning("outbox %s failed for good: %r", row.pk, exc)
        mine.update(state=N.FAILED, sent_at=None, last_error=smtp.describe(exc))
        return "failed"
    return "deferred" if _put_off(mine, exc) else "skipped"


def _put_off(rows, exc: BaseException) -> int:
    """Claimed rows back to pending after a passing failure, with exponential backoff (the claim
    counted their attempt), in one transaction; rows out of attempts fail. Short delays are queued
    as a countdown once it commits; the sweeper finds the others when they are due."""
    error = smtp.describe(exc)
    with transaction.atomic():
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
        if delay <= MAX_COUNTDOWN:
            pks = [pk for pk, _a in attempts]
            transaction.on_commit(partial(_retry_later, pks, delay), robust=True)
    return deferred + failed


def _retry_later(pks: list[int], delay: timedelta) -> None:
    try:
        _publish(pks, countdown=delay.total_seconds())
    except Exception:
        logger.warning("could not queue a retry for %s rows", len(pks), exc_info=True)


def backoff(attempts: int) -> timedelta:
    """Exponential backoff with jitter: base·2^(n-1), capped, then a random point in its upper
    half so that many rows failing together do not come back together."""
    ceiling = min(_retry_base() * (2 ** max(attempts - 1, 0)), BACKOFF_CAP)
    return ceiling * random.uniform(0.5, 1.0)


classify = smtp.classify  # what a failure means (appeals/outbox/smtp.py)


# --- opt-outs and emails that stopped applying ------------------------------------------------


def opted_out() -> Q:
    """Rows whose recipient asked for no email: globally, for the row's grievance, or by
    switching reminder emails off in their settings."""
    # Correlated EXISTS, not a join: the UPDATE that uses it then looks each row's recipient up
    # by index, instead of joining every seller (a join made Django write the UPDATE as
    # "id IN (subquery)", which took milliseconds per batch of a 100,000-member fan-out).
    switched_off = Seller.objects.filter(user=OuterRef("recipient"), email_notifications=False)
    mine = Unsubscribe.objects.filter(seller__user=OuterRef("recipient"))
    return (
        Q(Exists(switched_off))
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
    """Recover what a crash or an outage left behind; the beat runs it every minute.

    - pending rows that are due and have waited longer than their own send task should take are
      queued again (a second task for a row is harmless: only one claim wins);
    - `sending` rows whose lease expired (the sender died or hangs): back to pending and queued
      when they were never handed over, `failed` ("delivery unknown") when they were.
    """
    now = now or timezone.now()
    queued = 0
    for chunk in _pending_due_ids(now, grace=SWEEP_GRACE):
        queued += queue_send(chunk)
    expired = Notification.objects.filter(state=N.SENDING).filter(
        Q(lease_until__lt=now) | Q(lease_until__isnull=True, claimed_at__lt=now - STALE_CLAIM)
    )
    released = 0
    while True:
        with transaction.atomic():
            orphans = list(
                expired.filter(sent_at__isnull=True)
                .order_by("pk")
                .values_list("pk", flat=True)[:BATCH_SIZE]
            )
            if not orphans:
                break
            # Due now: should this commit's queued task be lost, the next sweep sends them.
            released += expired.filter(pk__in=orphans, sent_at__isnull=True).update(
                state=N.PENDING,
                send_after=now,
                last_error="The worker stopped before sending; queued again.",
            )
            queued += queue_send(orphans)
    unknown = expired.filter(sent_at__isnull=False).update(
        state=N.FAILED, last_error=UNKNOWN_WORKER
    )
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
            state=N.PENDING,
            attempts=0,
            send_after=None,
            claimed_at=None,
            lease_until=None,
            sent_at=None,
        )
        queue_send(ids)
    return len(ids)


# --- helpers ----------------------------------------------------------------------------------


def _chunks(items: list, size: int) -> Iterator[list]:
    for start in range(0, len(items), size):
        yield items[start : start + size]
