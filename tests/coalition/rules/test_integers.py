"""Numbers from outside, checked against what the database's integer columns can hold."""

from __future__ import annotations

import pytest

from coalition.rules.integers import BIGINT_MAX, PAGE_MAX, parse_id, parse_int

BIG = "217320388136139950236962390016"


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        ("12", 12),
        (" 12 ", 12),
        (12, 12),
        (str(BIGINT_MAX), BIGINT_MAX),
        (str(BIGINT_MAX + 1), None),
        (BIG, None),
        ("9" * 5000, None),  # never even converted
        ("0", None),
        ("-3", None),
        ("", None),
        ("12.0", None),
        ("1e3", None),
        ("²", None),  # str.isdigit() says yes; int() says no
        ("٣", None),  # an Arabic-Indic digit: not what an id looks like
        ("0x1F", None),
        (True, None),
        (None, None),
    ],
)
def test_parse_id(value, expected):
    assert parse_id(value) == expected


def test_parse_int_keeps_to_the_given_bounds():
    assert parse_int("1", minimum=1, maximum=PAGE_MAX) == 1
    assert parse_int(str(PAGE_MAX), minimum=1, maximum=PAGE_MAX) == PAGE_MAX
    assert parse_int(str(PAGE_MAX + 1), minimum=1, maximum=PAGE_MAX) is None
    assert parse_int("-5", minimum=-10, maximum=10) == -5
