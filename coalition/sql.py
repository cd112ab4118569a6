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
"""

from __future__ import annotations

from django.db import connection
from django.db.backends.postgresql.base import ServerBindingCursor
from django.db.backends.utils import CursorDebugWrapper


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
