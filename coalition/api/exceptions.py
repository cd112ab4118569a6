"""The API's exception handler: the project's (coalition.api.errors) plus the fallbacks for
input that got past parsing and validation and would otherwise be a 500.

- OverflowError (SQLite cannot bind an integer beyond 64 bits) and PostgreSQL's "numeric value
  out of range" DataError: a number in the request is too large for the database → 400.
- RequestDataTooBig / TooManyFieldsSent / TooManyFilesSent, raised by Django while DRF reads
  the body: → 400, where Django alone would answer with its HTML error page.

These are the last line; the first are the bounded parsers (coalition/api/parsers.py) and the
integer checks (coalition/api/integers.py). Settings: REST_FRAMEWORK["EXCEPTION_HANDLER"].
"""

from __future__ import annotations

from django.core.exceptions import RequestDataTooBig, TooManyFieldsSent, TooManyFilesSent
from django.db import DataError
from django.utils.translation import gettext as _
from rest_framework.exceptions import ParseError

from coalition.api.errors import exception_handler as project_exception_handler

NUMERIC_VALUE_OUT_OF_RANGE = "22003"  # PostgreSQL SQLSTATE


def exception_handler(exc, context):
    if isinstance(exc, OverflowError) or _out_of_range(exc):
        exc = ParseError(_("A number in the request is too large."), code="out_of_range")
    elif isinstance(exc, RequestDataTooBig):
        exc = ParseError(_("The request body is too large."), code="too_large")
    elif isinstance(exc, (TooManyFieldsSent, TooManyFilesSent)):
        exc = ParseError(_("The form has too many fields."), code="too_many_fields")
    return project_exception_handler(exc, context)


def _out_of_range(exc: BaseException) -> bool:
    if not isinstance(exc, DataError):
        return False
    cause = exc.__cause__
    state = getattr(cause, "sqlstate", None) or getattr(cause, "pgcode", None)
    return state == NUMERIC_VALUE_OUT_OF_RANGE or "out of range" in str(exc).lower()
