"""API token authentication: DRF's `TokenAuthentication`, with the lookup made cheaper.

DRF reads the token with `Token.objects.select_related("user").get(key=key)`, which compiles
the ORM query afresh on every request: on a co-sign that was the largest single cost of the
request after the signing statement itself. The same lookup is done here as one plain SQL
statement (the token joined with its user, by the token's primary key; prepared, so planned
once per connection), and the user is built
from the row with `Model.from_db`, as the ORM would. What it accepts and refuses is DRF's: an
unknown key or an inactive user is handed to DRF's own lookup, which refuses it in its words.
"""

from __future__ import annotations

from functools import cache

from django.contrib.auth import get_user_model
from django.db import connection
from rest_framework import authentication
from rest_framework.authtoken.models import Token

from coalition.sql import fetch_one


@cache
def _lookup() -> tuple[str, list[str]]:
    """The statement, and the user's field names in the order of its columns."""
    User = get_user_model()
    fields = User._meta.concrete_fields
    q = connection.ops.quote_name
    sql = (
        f"SELECT t.{q('created')}, {', '.join(f'u.{q(f.column)}' for f in fields)} "
        f"FROM {q(Token._meta.db_table)} t "
        f"JOIN {q(User._meta.db_table)} u ON u.{q(User._meta.pk.column)} = t.{q('user_id')} "
        f"WHERE t.{q('key')} = %s"
    )
    return sql, [f.attname for f in fields]


class TokenAuthentication(authentication.TokenAuthentication):
    def authenticate_credentials(self, key: str):
        sql, names = _lookup()
        row = fetch_one(sql, [key])  # planned once per connection (coalition/sql.py)
        user = None if row is None else get_user_model().from_db(connection.alias, names, row[1:])
        if user is None or not user.is_active:
            return super().authenticate_credentials(key)  # refuses, with DRF's message
        token = Token(key=key, user=user, created=row[0])
        token._state.adding, token._state.db = False, connection.alias
        return user, token
