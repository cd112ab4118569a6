"""Prepared statements for the few hand-written hot statements (the co-sign, the API token).

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
"""

from __future__ import annotations

from django.db import DEFAULT_DB_ALIAS, OperationalError, connection, connections
from django.db.backends.postgresql.base import ServerBindingCursor
from django.db.backends.utils import CursorDebugWrapper


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
