"""Coupon codes: how many an offer may hold, how codes are made, and how pasted codes are read."""

from __future__ import annotations

import secrets
from collections.abc import Iterable

MAX_COUPONS_PER_OFFER = 1000


CODE_ALPHABET = "ABCDEFGHJKMNPQRSTUVWXYZ23456789"  # no 0/O, 1/I/L: codes are typed by hand


def new_codes(n: int) -> list[str]:
    codes: set[str] = set()
    while len(codes) < n:
        codes.add("".join(secrets.choice(CODE_ALPHABET) for _i in range(10)))
    return sorted(codes)


def clean_codes(text_or_codes: str | Iterable[str]) -> list[str]:
    """One code per line (or comma); blanks and repeats dropped, order kept."""
    items = (
        text_or_codes.replace(",", "\n").splitlines()
        if isinstance(text_or_codes, str)
        else text_or_codes
    )
    seen: dict[str, None] = {}
    for item in items:
        code = item.strip()
        if code:
            seen.setdefault(code, None)
    return list(seen)
