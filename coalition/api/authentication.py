"""API token authentication: DRF's `TokenAuthentication`, with the lookup made cheaper.

DRF reads the token with `Token.objects.select_related("user").get(key=key)`, which compiles
the ORM query afresh on every request: on a co-sign that was the largest single cost of the
request after the signing statement itself. The same lookup is done here as one plain SQL
statement (the token joined with its user, by the token's primary key; prepared, so planned
once per connection), and the user is built
from the row with `Model.from_db`, as the ORM would. What it accepts and refuses is DRF's: an
unknown key or an inactive user is handed to DRF's own lookup, which refuses it in its words.

The co-sign goes further (`Bearer`): the token is not looked up before the view at all. Its
one statement finds the token's active user itself (appeals/actions/signing.py), so a co-sign
is one database round trip, not two. A `Bearer` claims to be authenticated, which is all that
DRF's permission check asks before the statement; the throttle counts it under a digest of its
token (a token belongs to one user, so that is per user); and anything that asks more of it
(its `pk`, its email, a queryset scoped to it) first looks the token up as above, refused in
DRF's words when it is no good. A request whose session is signed in, or whose header is not a
plain `Token <key>`, is authenticated by DRF as usual.
"""

from __future__ import annotations

import hashlib
from functools import cache

from django.contrib.auth import get_user_model
from django.db import connection
from rest_framework import authentication
from rest_framework.authtoken.models import Token

from coalition.sql import StatementActor, fetch_one


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


class Bearer(StatementActor):
    """The caller of a co-sign: the API token of the request's header, not yet looked up (see
    the module's docstring)."""

    is_authenticated = True
    is_anonymous = False

    def __init__(self, key: str) -> None:
        self.key = key
        self._verified = None

    @property
    def throttle_ident(self) -> str:
        return token_ident(self.key)

    def user_sql(self) -> tuple[str, dict[str, object]]:
        return _user_id_sql(), {"bearer_token": self.key}

    def user(self):
        """The token's user, looked up as TokenAuthentication does (AuthenticationFailed when
        the token is unknown or its user inactive)."""
        if self._verified is None:
            self._verified, _token = TokenAuthentication().authenticate_credentials(self.key)
        return self._verified

    def __getattr__(self, name: str):
        if name.startswith("__") or name == "_verified":
            raise AttributeError(name)
        return getattr(self.user(), name)


def token_ident(key: str) -> str:
    """Who a throttle counts a request authenticated by this token as (a digest: the key is a
    password). A co-sign's `Bearer` and a withdrawal by the same token share their count."""
    return "token:" + hashlib.sha256(key.encode()).hexdigest()[:32]


def bearer(request) -> Bearer | None:
    """The token of `request` (Django's, not DRF's wrapper) as a `Bearer`, when DRF would
    authenticate the request by that token alone: no signed-in session (session authentication
    comes first) and a well-formed `Token <key>` header. None otherwise: DRF then authenticates
    the request, and refuses a bad header."""
    if request.user.is_authenticated:
        return None
    words = authentication.get_authorization_header(request).split()
    if len(words) != 2 or words[0].lower() != TokenAuthentication.keyword.lower().encode():
        return None
    try:
        return Bearer(words[1].decode())
    except UnicodeError:
        return None


@cache
def _user_id_sql() -> str:
    """The active user of the token `%(bearer_token)s`: a row only when DRF would accept it."""
    User = get_user_model()
    q = connection.ops.quote_name
    return (
        f"SELECT u.{q(User._meta.pk.column)} AS id FROM {q(Token._meta.db_table)} t "
        f"JOIN {q(User._meta.db_table)} u ON u.{q(User._meta.pk.column)} = t.{q('user_id')} "
        f"WHERE t.{q('key')} = %(bearer_token)s AND u.{q('is_active')}"
    )
