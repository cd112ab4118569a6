"""Rate windows: how many requests a caller has made in the current window of a rate limit."""

from __future__ import annotations

from django.db import models


class RateWindow(models.Model):
    """One caller's count under one rate limit (`key`: the throttle's scope and the caller),
    for the window ending at `ends` (seconds since the epoch). The next window starts the count
    again on the same row, so a caller has one row per limit.

    Written only by coalition/actions/rates.py (an upsert that adds; the co-sign's own
    statement embeds it), and forgotten an hour after its window ends. On PostgreSQL the table
    is UNLOGGED (migration 0011): a count is not worth a disk flush, so a request that writes
    nothing else commits without waiting for one; after a crash the counts start from zero."""

    key = models.CharField(max_length=200, primary_key=True)
    ends = models.BigIntegerField()
    hits = models.IntegerField()

    def __str__(self) -> str:
        return f"{self.key}: {self.hits} until {self.ends}"
