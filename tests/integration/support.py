"""Seeding many members fast (bulk inserts), small waiting helpers, a stand-in for `celery beat`
and a terminator of database connections. Used by the integration tests and by bench/fanout.py."""

from __future__ import annotations

import threading
import time
from datetime import datetime
from zoneinfo import ZoneInfo

import psycopg
from allauth.account.models import EmailAddress
from django.contrib.auth import get_user_model
from django.utils import timezone

from coalition.models import Grievance, Membership, Seller

ZONES = (
    "UTC",
    "Europe/Berlin",
    "Asia/Shanghai",
    "Asia/Tokyo",
    "Australia/Sydney",
    "Pacific/Auckland",
    "America/New_York",
    "America/Los_Angeles",
    "Pacific/Honolulu",
    "Asia/Kolkata",
    "America/Sao_Paulo",
)


def daytime_zone(now: datetime | None = None) -> str:
    """A time zone where it is mid-day now, so reminders are not held for the morning."""
    now = now or timezone.now()
    for name in ZONES:
        if 10 <= now.astimezone(ZoneInfo(name)).hour < 19:
            return name
    raise AssertionError("no zone in daytime")  # unreachable: the zones cover the clock


def seed_members(
    grievance: Grievance, count: int, *, zone: str = "UTC", prefix: str = "m", batch: int = 5000
) -> list[int]:
    """`count` verified members of `grievance`, inserted in bulk. Returns their membership ids."""
    User = get_user_model()
    ids: list[int] = []
    for start in range(0, count, batch):
        numbers = range(start, min(start + batch, count))
        users = User.objects.bulk_create(
            [
                User(username=f"{prefix}{n}", email=f"{prefix}{n}@example.com", password="!")
                for n in numbers
            ],
            batch_size=batch,
        )
        EmailAddress.objects.bulk_create(
            [EmailAddress(user=u, email=u.email, primary=True, verified=True) for u in users],
            batch_size=batch,
        )
        sellers = Seller.objects.bulk_create(
            [Seller(user=u, display_name=u.username, time_zone=zone) for u in users],
            batch_size=batch,
        )
        memberships = Membership.objects.bulk_create(
            [Membership(grievance=grievance, seller=s) for s in sellers], batch_size=batch
        )
        ids += [m.pk for m in memberships]
    return ids


def wait_until(predicate, timeout: float, interval: float = 0.1) -> bool:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if predicate():
            return True
        time.sleep(interval)
    return bool(predicate())


class Beat:
    """What `celery beat` does, faster: publishes the sweep and the dispatch every `interval`
    seconds (the real schedule: every minute) from a thread of the test process, on the
    session's private queue. It never touches the database, so terminated backends leave it
    running."""

    TASKS = ("appeals.tasks.sweep_outbox", "appeals.tasks.dispatch_due_follow_ups")

    def __init__(self, app, interval: float = 2.0) -> None:
        self.app, self.interval = app, interval
        self.ticks = 0
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, daemon=True)

    def __enter__(self) -> Beat:
        self._thread.start()
        return self

    def __exit__(self, *exc) -> None:
        self._stop.set()
        self._thread.join(timeout=10)

    def _run(self) -> None:
        while not self._stop.wait(self.interval):
            for name in self.TASKS:
                # Like the schedule's entries: a copy not run before the next tick expires.
                self.app.send_task(name, expires=self.interval * 5)
            self.ticks += 1


class Terminator:
    """A connection of its own to the test database that terminates every other backend of it
    (the worker's, the test process's), as a database restart or a failover would."""

    def __init__(self, database_url: str) -> None:
        self.conn = psycopg.connect(database_url, autocommit=True)

    def terminate_all(self) -> int:
        rows = self.conn.execute(
            "SELECT pg_terminate_backend(pid) FROM pg_stat_activity "
            "WHERE datname = current_database() AND pid <> pg_backend_pid()"
        ).fetchall()
        return sum(1 for (done,) in rows if done)

    def scalar(self, sql: str) -> int:
        return self.conn.execute(sql).fetchone()[0]

    def close(self) -> None:
        self.conn.close()
