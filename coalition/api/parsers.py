"""Request bodies the API will read: well-formed, and of a plausible shape.

DRF's own JSON parser hands the body to json.load, which recurses once per nesting level: a body
of 5,000 "[" is a RecursionError and a 500. These parsers answer every unreadable or absurd body
with a ParseError, which the API's exception handler turns into a 400 with a JSON message:

- JSON nested deeper than MAX_DEPTH levels, or an array or object with more than MAX_ITEMS
  members, or that is not valid (strict) JSON in the request's encoding;
- forms with more fields or files than Django allows (DATA_UPLOAD_MAX_NUMBER_FIELDS,
  DATA_UPLOAD_MAX_NUMBER_FILES), which Django would otherwise answer with an HTML 400.

The names are DRF's, so a view changes its import line, not its parser_classes.
"""

from __future__ import annotations

import codecs
import re

from django.core.exceptions import TooManyFieldsSent, TooManyFilesSent
from django.utils.translation import gettext as _
from rest_framework import parsers
from rest_framework.exceptions import ParseError
from rest_framework.settings import api_settings
from rest_framework.utils import json

MAX_DEPTH = 32
MAX_ITEMS = 10_000

_STRING = re.compile(r'"(?:[^"\\]|\\.)*"', re.DOTALL)
_NOT_BRACKET = re.compile(r"[^\[\]{}]+")
_EMPTY_PAIR = re.compile(r"\[\]|\{\}")
_DEEP_RUN = re.compile(r"[\[{]{" + str(MAX_DEPTH + 1) + "}")  # more opening brackets in a row


class JSONParser(parsers.JSONParser):
    def parse(self, stream, media_type=None, parser_context=None):
        encoding = parsers.get_encoding(parser_context or {})
        try:
            text = codecs.getreader(encoding)(stream).read()
        except (UnicodeDecodeError, LookupError) as exc:
            raise ParseError(
                _("The request body is not text in %(encoding)s.") % {"encoding": encoding}
            ) from exc
        check_nesting(text)
        try:
            parse_constant = json.strict_constant if api_settings.STRICT_JSON else None
            data = json.loads(text, parse_constant=parse_constant)
        except (ValueError, RecursionError) as exc:
            raise ParseError(
                _("The request body is not valid JSON: %(error)s") % {"error": exc}
            ) from exc
        check_sizes(data)
        return data


class FormParser(parsers.FormParser):
    def parse(self, stream, media_type=None, parser_context=None):
        try:
            return super().parse(stream, media_type, parser_context)
        except (TooManyFieldsSent, TooManyFilesSent) as exc:
            raise ParseError(_("The form has too many fields.")) from exc


class MultiPartParser(parsers.MultiPartParser):
    def parse(self, stream, media_type=None, parser_context=None):
        try:
            return super().parse(stream, media_type, parser_context)
        except TooManyFieldsSent as exc:
            raise ParseError(_("The form has too many fields.")) from exc
        except TooManyFilesSent as exc:
            raise ParseError(_("The form has too many files.")) from exc


def check_nesting(text: str) -> None:
    """Refuse JSON nested deeper than MAX_DEPTH before json.loads recurses into it.

    Strings are cut out first (brackets inside them do not nest). Then, in C-speed passes:
    a run of more than MAX_DEPTH opening brackets is too deep; otherwise innermost empty pairs
    are removed (which leaves every other bracket's depth as it was) and the usual body is
    empty within MAX_DEPTH passes. What is left (unbalanced, or deep in a shape the passes did
    not settle) is counted bracket by bracket, stopping at the limit.
    """
    brackets = _NOT_BRACKET.sub("", _STRING.sub("", text))
    remainder = brackets
    for _pass in range(MAX_DEPTH):
        if _DEEP_RUN.search(remainder):
            raise _too_deep()
        remainder, removed = _EMPTY_PAIR.subn("", remainder)
        if not remainder or not removed:
            break
    if not remainder:
        return
    depth = 0
    for char in brackets:
        depth += 1 if char in "[{" else -1
        if depth > MAX_DEPTH:
            raise _too_deep()
        if depth < 0:
            return  # unbalanced: json.loads says where


def _too_deep() -> ParseError:
    return ParseError(
        _("The request body is nested too deeply (more than %(limit)s levels).")
        % {"limit": MAX_DEPTH}
    )


def check_sizes(data: object) -> None:
    """Refuse arrays and objects of more than MAX_ITEMS members (depth is bounded by now)."""
    pending = [data]
    while pending:
        value = pending.pop()
        if isinstance(value, (list, dict)):
            if len(value) > MAX_ITEMS:
                raise ParseError(
                    _("The request body has a list or object of more than %(limit)s items.")
                    % {"limit": f"{MAX_ITEMS:,}"}
                )
            pending.extend(value.values() if isinstance(value, dict) else value)
