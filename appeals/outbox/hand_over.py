"""The hand-over mark's statement (docs/outbox.md): one UPDATE, so one round trip and one
commit, writing row `pk`'s hand-over mark, the `sent` mark of the rows the server accepted
before it (also of a row the sweeper gave up on meanwhile: the 250 settles the doubt) and the
lease of `renew` — each only where claim `token` still holds the row.

`write()` runs it and waits. `send_ahead()` sends it and returns at once, where the database
layer can (coalition/sql.py): the SMTP session then goes on while it commits
(appeals/outbox/smtp.py reads its answer before DATA).

Written out rather than built by the ORM, which takes longer to build it than the database to
run it. Every SET sees the row as it was (SQL), and UPDATE … RETURNING runs on PostgreSQL and
SQLite 3.35+.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime

from django.db import connection

from appeals.models import Notification
from coalition import sql as statements

N = Notification.State


def write(
    pk: int, token: datetime, accepted: list[int], renew: list[int], now: datetime, until: datetime
) -> bool:
    """Run the statement; True when row `pk`'s hand-over mark was written."""
    sql, params = statement(pk, token, accepted, renew, now, until)
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        return pk in {changed for (changed,) in cursor.fetchall()}


def send_ahead(
    pk: int, token: datetime, accepted: list[int], renew: list[int], now: datetime, until: datetime
) -> Callable[[], bool] | None:
    """Send the statement without waiting; returns what reads its answer (True when the mark was
    written; raises Django's database errors, the connection then closed). None where it cannot
    be sent ahead (coalition/sql.py `send_ahead`); raises when the connection could not take it."""
    sql, params = statement(pk, token, accepted, renew, now, until)
    ahead = statements.send_ahead(sql, params)
    if ahead is None:
        return None
    return lambda: str(pk) in {changed for (changed,) in ahead.rows()}


def statement(
    pk: int, token: datetime, accepted: list[int], renew: list[int], now: datetime, until: datetime
) -> tuple[str, list]:
    ops, meta = connection.ops, Notification._meta
    table = ops.quote_name(meta.db_table)
    ident, state, sent_at, error, leased, claimed = (
        ops.quote_name(meta.get_field(name).column)
        for name in ("id", "state", "sent_at", "last_error", "lease_until", "claimed_at")
    )
    at = ops.adapt_datetimefield_value
    sets, set_params, where, where_params = [], [], [], []

    def branch(condition: str, params: list, *assignments: tuple[str, object]) -> None:
        for column, value in assignments:
            sets.append(f"{column} = CASE WHEN {condition} THEN %s ELSE {column} END")
            set_params.extend([*params, value])
        where.append(condition)
        where_params.extend(params)

    def among(pks: list[int]) -> str:
        return f"{ident} IN ({', '.join(['%s'] * len(pks))})"

    # Not conditional on sent_at: a retried write finds its own mark.
    branch(f"({ident} = %s AND {state} = %s)", [pk, N.SENDING], (sent_at, at(now)))
    if accepted:
        branch(
            f"({among(accepted)} AND {sent_at} IS NOT NULL AND {state} IN (%s, %s))",
            [*accepted, N.SENDING, N.FAILED],
            (state, N.SENT),
            (error, ""),
        )
    if renew:
        branch(f"({among(renew)} AND {state} = %s)", [*renew, N.SENDING], (leased, at(until)))
    sql = (
        f"UPDATE {table} SET {', '.join(sets)} WHERE {claimed} = %s AND ({' OR '.join(where)}) "
        f"RETURNING {ident}"
    )
    return sql, [*set_params, at(token), *where_params]
