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

from django.db import OperationalError, connection
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
    fresh_request = (
        connection.health_check_enabled
        and not connection.health_check_done
        and not connection.in_atomic_block
        and connection.connection is not None
    )
    try:
        row = _fetch_one(sql, params)
    except OperationalError:
        if not fresh_request or connection.is_usable():
            raise
        connection.close()
        row = _fetch_one(sql, params)
    connection.health_check_done = True
    return row


def _fetch_one(sql: str, params) -> tuple | None:
    with prepared_cursor() as cursor:
        cursor.execute(sql, params)
        return cursor.fetchone()
