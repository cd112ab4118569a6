"""Time-zone names from profiles, browsers and cookies: the one check of whether a name exists."""

from __future__ import annotations

import zoneinfo


def known_zone(name: str | None) -> zoneinfo.ZoneInfo | None:
    """The zone called `name`, or None when it is empty or unknown to this server's tz database
    (a browser may report one it lacks; a profile may hold an old name)."""
    if not name:
        return None
    try:
        return zoneinfo.ZoneInfo(name)
    except (zoneinfo.ZoneInfoNotFoundError, ValueError):
        return None
