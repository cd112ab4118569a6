"""Seeding many members fast (bulk inserts), and small waiting helpers. Used by the integration
tests and by bench/fanout.py."""

from __future__ import annotations

import time
from datetime import datetime
from zoneinfo import ZoneInfo

from allauth.account.models import EmailAddress
from django.contrib.auth import get_user_model
from django.utils import timezone

from coalition.models import Grievance, Membership, Seller

ZONES = (
    "UTC",
    "Europe/Berlin",
    "Asia/Shanghai",
    "Asia/Tokyo",
    "Australia/Sydney",
    "Pacific/Auckland",
    "America/New_York",
    "America/Los_Angeles",
    "Pacific/Honolulu",
    "Asia/Kolkata",
    "America/Sao_Paulo",
)


def daytime_zone(now: datetime | None = None) -> str:
    """A time zone where it is mid-day now, so reminders are not held for the morning."""
    now = now or timezone.now()
    for name in ZONES:
        if 10 <= now.astimezone(ZoneInfo(name)).hour < 19:
            return name
    raise AssertionError("no zone in daytime")  # unreachable: the zones cover the clock


def seed_members(
    grievance: Grievance, count: int, *, zone: str = "UTC", prefix: str = "m", batch: int = 5000
) -> list[int]:
    """`count` verified members of `grievance`, inserted in bulk. Returns their membership ids."""
    User = get_user_model()
    ids: list[int] = []
    for start in range(0, count, batch):
        numbers = range(start, min(start + batch, count))
        users = User.objects.bulk_create(
            [
                User(username=f"{prefix}{n}", email=f"{prefix}{n}@example.com", password="!")
                for n in numbers
            ],
            batch_size=batch,
        )
        EmailAddress.objects.bulk_create(
            [EmailAddress(user=u, email=u.email, primary=True, verified=True) for u in users],
            batch_size=batch,
        )
        sellers = Seller.objects.bulk_create(
            [Seller(user=u, display_name=u.username, time_zone=zone) for u in users],
            batch_size=batch,
        )
        memberships = Membership.objects.bulk_create(
            [Membership(grievance=grievance, seller=s) for s in sellers], batch_size=batch
        )
        ids += [m.pk for m in memberships]
    return ids


def wait_until(predicate, timeout: float, interval: float = 0.1) -> bool:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if predicate():
            return True
        time.sleep(interval)
    return bool(predicate())
