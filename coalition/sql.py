"""The few hand-written hot statements: prepared (the co-sign, the API token) and sent ahead
(the outbox's hand-over mark).

Django sends every query as text with its values written in (client-side binding), so
PostgreSQL parses and plans each one afresh: for the co-sign statement, planning took three
times as long as running it. `prepared_cursor()` gives a cursor like `connection.cursor()`
(Django's error wrapping, its query log when that is on) that binds values on the server and
prepares each statement on first use, so it is planned once per connection.

Django leaves prepared statements off (its `prepare_threshold` of None, kept for connection
poolers). The settings instead give psycopg a threshold no query reaches
(config/settings/base.py), so nothing else is prepared, and an explicit prepare=True — only
here — is honoured. A pooler in transaction mode must support prepared statements (README,
Deploying). The module is a bottom layer: it imports nothing of the project.

`fetch_one()` runs such a statement and returns its row, keeping what CONN_HEALTH_CHECKS
promises: Django checks a kept connection with `SELECT 1` before a request's first query, a
round trip the hot paths do not pay. When a request's first statement instead finds the
connection dead (the database restarted since the last request), it is run once more on a
fresh connection, which is what the check would have given. Only outside a transaction, and
only for that first statement, so nothing already done in the request is lost or repeated.

`StatementActor` is who acts when the statement itself is to find the acting user (the
co-sign's API token, coalition/api/authentication.py `Bearer`): one round trip instead of two.

`send_ahead()` sends a statement and returns at once; its `Ahead` reads the answer later, so the
caller works while the database does (the outbox's hand-over mark commits while the SMTP server
answers MAIL FROM and RCPT TO). Only outside a transaction, on PostgreSQL, and where no Django
wrapper (the query log, an `execute_wrapper`) is to see the statement; elsewhere it answers
None and the caller runs the statement as usual.
"""

from __future__ import annotations

import contextlib
import re
import select
from collections.abc import Sequence
from datetime import date, datetime

from django.db import DEFAULT_DB_ALIAS, OperationalError, connection, connections
from django.db.backends.postgresql.base import ServerBindingCursor
from django.db.backends.utils import CursorDebugWrapper
from psycopg import errors as pg_errors
from psycopg import pq


class StatementActor:
    """An actor whose user a hand-written statement looks up itself, in the same round trip
    as its work. `user_sql()` gives a SELECT of the user's id (a row only for a credential that
    is good) and its parameters; `user()` looks the user up on its own, refusing the
    credential in the words it would otherwise have been refused in, for when the statement
    found no row."""

    def user_sql(self) -> tuple[str, dict[str, object]]:
        raise NotImplementedError

    def user(self):
        raise NotImplementedError


class PreparedCursor(ServerBindingCursor):
    def execute(self, query, params=None, *, prepare=None, binary=None):
        return super().execute(query, params, prepare=True, binary=binary)


class _LoggedPrepared(CursorDebugWrapper):
    """Django's query log (DEBUG, and the tests' query counts) with the statement as written:
    Django cannot rebuild the text of a server-bound statement."""

    def execute(self, sql, params=None):
        with self.debug_sql(sql, params, use_last_executed_query=False):
            return self._execute_with_wrappers(sql, params, many=False, executor=self._execute)


def prepared_cursor():
    """On PostgreSQL, a cursor on the default connection whose statements are prepared (write
    `%(name)s` or `%s` placeholders, and casts where PostgreSQL cannot tell a value's type);
    on other databases, `connection.cursor()`."""
    if connection.vendor != "postgresql":
        return connection.cursor()
    connection.ensure_connection()
    with connection.wrap_database_errors:
        raw = PreparedCursor(connection.connection)
    if connection.queries_logged:
        return _LoggedPrepared(raw, connection)
    return connection.make_cursor(raw)


def fetch_one(sql: str, params) -> tuple | None:
    """Run one statement through `prepared_cursor()` and return its first row (see above)."""
    db = connections[DEFAULT_DB_ALIAS]  # once: each `connection.x` looks the connection up
    fresh_request = (
        db.health_check_enabled
        and not db.health_check_done
        and not db.in_atomic_block
        and db.connection is not None
    )
    try:
        row = _fetch_one(db, sql, params)
    except OperationalError:
        if not fresh_request or db.is_usable():
            raise
        db.close()
        row = _fetch_one(db, sql, params)
    db.health_check_done = True
    return row


def _fetch_one(db, sql: str, params) -> tuple | None:
    if db.vendor != "postgresql" or db.queries_logged or db.execute_wrappers:
        with prepared_cursor() as cursor:  # Django's wrappers: the query log, execute_wrapper
            cursor.execute(sql, params)
            return cursor.fetchone()
    # Otherwise what those wrappers would do and nothing more, on a cursor kept for the
    # connection: making a cursor and its wrappers cost as much as running the statement.
    db.ensure_connection()
    db.validate_no_broken_transaction()
    raw = db.connection
    kept = getattr(db, "_coalition_kept_cursor", None)
    if kept is None or kept[0] is not raw:
        with db.wrap_database_errors:
            kept = (raw, PreparedCursor(raw))
        db._coalition_kept_cursor = kept
    with db.wrap_database_errors:
        cursor = kept[1]
        cursor.execute(sql, params)
        return cursor.fetchone()


# --- a statement sent ahead -------------------------------------------------------------------

_PLACEHOLDER = re.compile(r"%s")


class Ahead:
    """A statement on its way; `rows()` waits for its answer. Until then nothing else may use
    the connection. Any error while waiting (the connection dropped, the task's time limit)
    closes the connection, whose state is then unknown, so the next query opens a new one."""

    def __init__(self, db, raw) -> None:
        self.db, self.raw = db, raw

    def rows(self) -> list[tuple[str | None, ...]]:
        """The statement's rows as text; raises Django's database errors."""
        db, pgconn = self.db, self.raw.pgconn
        try:
            with db.wrap_database_errors:
                pgconn.consume_input()
                while pgconn.is_busy():
                    select.select([pgconn.socket], [], [])
                    pgconn.consume_input()
                results = []
                while (result := pgconn.get_result()) is not None:
                    results.append(result)
                return _rows(results)
        except BaseException:
            _close(db)
            raise


def can_send_ahead() -> bool:
    """Whether `send_ahead` would send a statement now (see the module's docstring). Asks
    nothing of the database: `autocommit` as the connection last set it (a connection never
    opened says False, so its first statement runs as usual)."""
    db = connections[DEFAULT_DB_ALIAS]
    return not (
        db.vendor != "postgresql"
        or db.in_atomic_block
        or not db.autocommit
        or db.queries_logged
        or db.execute_wrappers
    )


def send_ahead(sql: str, params: Sequence) -> Ahead | None:
    """Send `sql` (with `%s` placeholders, no literal `%`) and return without waiting; None when
    it cannot be sent ahead here (see the module's docstring). Raises Django's database errors
    when the connection cannot take it (it is then closed)."""
    if not can_send_ahead():
        return None
    db = connections[DEFAULT_DB_ALIAS]
    db.ensure_connection()
    raw = db.connection
    numbered = iter(range(1, len(params) + 1))
    query = _PLACEHOLDER.sub(lambda _m: f"${next(numbered)}", sql).encode()
    try:
        with db.wrap_database_errors:
            pgconn = raw.pgconn
            pgconn.send_query_params(query, [_text(value) for value in params])
            while pgconn.flush():
                select.select([], [pgconn.socket], [])
    except BaseException:
        _close(db)
        raise
    return Ahead(db, raw)


def _text(value) -> bytes | None:
    """A parameter in PostgreSQL's text format (the type comes from where it stands)."""
    if value is None:
        return None
    if isinstance(value, bool):
        return b"true" if value else b"false"
    if isinstance(value, datetime | date):
        return value.isoformat().encode()
    return str(value).encode()


def _rows(results) -> list[tuple[str | None, ...]]:
    rows: list[tuple[str | None, ...]] = []
    for result in results:
        if result.status not in (pq.ExecStatus.TUPLES_OK, pq.ExecStatus.COMMAND_OK):
            raise pg_errors.error_from_result(result)
        for i in range(result.ntuples):
            rows.append(
                tuple(
                    None if (v := result.get_value(i, j)) is None else v.decode()
                    for j in range(result.nfields)
                )
            )
    return rows


def _close(db) -> None:
    with contextlib.suppress(Exception):  # the connection may be broken already
        db.close()
