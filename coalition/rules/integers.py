"""What the database's integer columns can hold, checked before a number from outside (a path id,
a filter, a page number) reaches a query.

SQLite refuses to bind a Python int outside 64 bits (OverflowError) and PostgreSQL compares a
bigint column with a numeric of any size, so ?grievance=217320388136139950236962390016 is a
server error on one and a silent empty list on the other. Parsing here gives both the same
clear answer. Ids are BigAutoField (DEFAULT_AUTO_FIELD): 1 … 2**63 - 1 on both databases.
"""

from __future__ import annotations

import re

BIGINT_MAX = 2**63 - 1
ID_MIN, ID_MAX = 1, BIGINT_MAX
# Page numbers: far beyond any real list, well inside every integer type.
PAGE_MAX = 2**31 - 1

# ASCII digits only: str.isdigit() is true for "²", which int() refuses.
_INTEGER = re.compile(r"[+-]?[0-9]+")
_MAX_DIGITS = 25  # longer than any 64-bit number; longer strings are not even converted


def parse_int(value: object, *, minimum: int, maximum: int) -> int | None:
    """The integer written in `value` if it lies in [minimum, maximum], else None.

    Leading and trailing spaces are allowed; signs, decimals, exponents and non-ASCII digits
    are not numbers here unless the sign is part of a valid integer in range.
    """
    if isinstance(value, bool):
        return None
    if isinstance(value, int):
        number = value
    else:
        text = str(value).strip()
        if len(text) > _MAX_DIGITS or not _INTEGER.fullmatch(text):
            return None
        number = int(text)
    return number if minimum <= number <= maximum else None


def parse_id(value: object) -> int | None:
    """A primary key as the database could hold it (1 … 2**63 - 1), else None."""
    return parse_int(value, minimum=ID_MIN, maximum=ID_MAX)
