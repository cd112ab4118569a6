"""Rate limits counted in the database: how many requests a caller made in the current window.

Fixed windows of the rate's period (an hour for "120/h"), identified by when they end: a caller
may spend at most twice the rate across a window's edge, which is fine for a limit whose job is
to stop floods, not to meter. Each count is one upsert (`count`); the co-sign, the hot path,
embeds the same upsert in its own statement (appeals/actions/signing.py), so its limit costs
no round trip at all. On PostgreSQL the table is unlogged (coalition/models/rates.py).

The API's throttle (coalition/api/window_throttle.py) says what to count; nothing here knows
about requests.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import cache

from django.db import connection

from coalition.models import RateWindow
from coalition.sql import fetch_one

FORGET_AFTER = 3600  # seconds after its window ends that a count is deleted (`forget_ended`)


@dataclass(frozen=True)
class Window:
    """The window a request falls in: the limit's `key` (its scope and the caller), when the
    window `ends` (whole seconds since the epoch), the `limit` of requests in it and the time
    `now` the request came."""

    key: str
    ends: int
    limit: int
    now: float

    @classmethod
    def at(cls, key: str, *, limit: int, period: int, now: float) -> Window:
        return cls(key, (int(now // period) + 1) * period, limit, now)

    @property
    def wait(self) -> float:
        """Seconds until the next window starts."""
        return max(0.0, self.ends - self.now)

    def params(self) -> dict[str, object]:
        """The values `upsert_sql()` takes."""
        return {"rate_key": self.key, "rate_ends": self.ends}


class Exceeded(Exception):
    """A request beyond its window's limit; it was counted, and nothing else was done."""

    def __init__(self, window: Window) -> None:
        super().__init__(f"{window.key}: more than {window.limit} requests")
        self.window = window


@cache
def upsert_sql() -> str:
    """Add one request to the caller's window (starting the count again in a later window) and
    return its count, `hits`. Plain SQL that PostgreSQL and SQLite both run, with named
    parameters, so that another statement can embed it as a CTE."""
    q = connection.ops.quote_name
    table, key, ends, hits = (
        q(name) for name in (RateWindow._meta.db_table, "key", "ends", "hits")
    )
    later = f"excluded.{ends} > {table}.{ends}"
    return (
        f"INSERT INTO {table} ({key}, {ends}, {hits}) "
        f"VALUES (%(rate_key)s, CAST(%(rate_ends)s AS bigint), 1) "
        f"ON CONFLICT ({key}) DO UPDATE SET "
        f"{hits} = CASE WHEN {later} THEN 1 ELSE {table}.{hits} + 1 END, "
        f"{ends} = CASE WHEN {later} THEN excluded.{ends} ELSE {table}.{ends} END "
        f"RETURNING {hits}"
    )


def count(window: Window) -> int:
    """Count one request in `window` and return how many it holds now. One statement; outside
    a transaction it commits on its own, so the count stays whatever the request then does."""
    (hits,) = fetch_one(upsert_sql(), window.params())
    return hits


def check(window: Window) -> None:
    """Count one request in `window`; Exceeded when that goes beyond the limit."""
    if count(window) > window.limit:
        raise Exceeded(window)


def forget_ended(now: float) -> int:
    """Delete the counts of windows that ended more than FORGET_AFTER seconds before `now` (a
    caller who does not come back, a made-up token); returns how many."""
    deleted, _ = RateWindow.objects.filter(ends__lt=int(now) - FORGET_AFTER).delete()
    return deleted
