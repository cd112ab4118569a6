"""Every clock of an appeal round, as pure functions.

Nothing here touches the database: callers pass dates or aware datetimes and a platform's calendar
profile (the `coalition.Platform` model satisfies `ClockProfile`). Business days skip the weekend and
the public holidays of the platform's calendar, taken from the `holidays` package — never from a table
kept by hand, because holiday dates move (lunar calendars, substitute days announced each year).

Two counting rules run through the module, both the usual legal ones (EU Regulation 1182/71 Art. 3;
PRC Civil Code Art. 201 and 203):
- a period counts from the day *after* the event, so the day something happens is never day one;
- a period in calendar days that ends on a weekend or holiday ends on the next business day.

Due moments are the end of the day (23:59:59) in the platform's time zone and are returned in UTC,
which is how the database stores them.
"""

from __future__ import annotations

import logging
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, time, timedelta
from functools import lru_cache
from typing import Literal, Protocol
from zoneinfo import ZoneInfo

import holidays
from dateutil.relativedelta import relativedelta
from django.utils.functional import Promise
from django.utils.text import format_lazy
from django.utils.translation import gettext_lazy as _

logger = logging.getLogger(__name__)

ONE_DAY = timedelta(days=1)
END_OF_DAY = time(23, 59, 59)
# Reminders go out in the recipient's daytime (docs/domain.md "Clocks"); a chase's recipient is the
# platform, so chases are due at this hour in the platform's time zone.
CHASE_TIME = time(9, 0)

ClockState = Literal["on_time", "due_today", "overdue", "very_overdue", "none"]


class ClockProfile(Protocol):
    """What the clocks need to know about a platform (read-only, so frozen dataclasses fit too)."""

    @property
    def holiday_country(self) -> str: ...  # ISO code for `holidays`; "" = weekends only

    @property
    def holiday_subdivision(self) -> str: ...  # e.g. "CA" for California; "" = country-wide

    @property
    def time_zone(self) -> str: ...  # IANA name, e.g. "Asia/Shanghai"

    @property
    def response_business_days(self) -> int: ...

    @property
    def chase_business_days(self) -> int: ...  # 0 = never chase

    @property
    def round_cap(self) -> int: ...

    @property
    def appeal_window_days(self) -> int: ...  # 0 = the platform states no window


@dataclass(frozen=True)
class Profile:
    """A plain `ClockProfile`, for tests and for callers without a platform row.

    The defaults are a convenience, not policy: real values come from the platform profile.
    """

    holiday_country: str = ""
    holiday_subdivision: str = ""
    time_zone: str = "UTC"
    response_business_days: int = 10
    chase_business_days: int = 5
    round_cap: int = 3
    appeal_window_days: int = 90


@dataclass(frozen=True)
class ClockStatus:
    """How a round's clock looks at a moment, for "due in 3 business days" / "overdue by 5"."""

    state: ClockState
    # Business days left when on time; business days overdue (at least 1) when (very) overdue;
    # 0 when due today or when there is no clock.
    business_days: int = 0


@dataclass(frozen=True)
class Window:
    """A legal or policy window shown on the grievance page."""

    key: str
    # Kept out of repr: a lazy label needs configured settings to print, a log line or a failing
    # assertion should not.
    label: str | Promise = field(repr=False)
    closes: date
    source: str | Promise = field(repr=False)


# --- Calendars ---------------------------------------------------------------------------------


def holiday_calendar(profile: ClockProfile, years: Iterable[int]) -> holidays.HolidayBase:
    """The platform's public holidays (and weekend rules) for `years`, shared across calls.

    Never mutate the returned object: it is cached and shared between threads.
    """
    return _calendar(
        profile.holiday_country.strip().upper(),
        profile.holiday_subdivision.strip(),
        tuple(sorted(set(years))),
    )


@lru_cache(maxsize=256)
def _calendar(country: str, subdivision: str, years: tuple[int, ...]) -> holidays.HolidayBase:
    # Keyed on the codes, not the profile: a model instance is mutable, and every platform on the
    # same calendar shares one object. The year is in the key so each object is fully built before
    # it is shared (expand=False): a lazily expanding calendar mutates itself on look-up, which is
    # not thread-safe. Neighbouring years are loaded too, because a year's holidays can reach across
    # New Year: CN swaps a January holiday with a December weekend, which becomes a working day, and
    # the US observes a Saturday New Year's Day on the Friday before.
    padded = sorted({y + delta for y in years for delta in (-1, 0, 1)})
    if not country:
        return holidays.HolidayBase(years=padded, expand=False)  # Saturday/Sunday weekend only
    try:
        return holidays.country_holidays(
            country, subdiv=subdivision or None, years=padded, expand=False
        )
    except NotImplementedError:
        if not subdivision:
            # A typo in a staff-edited profile must not take the board down.
            logger.warning("No holiday calendar for %r; counting weekends only.", country)
            return holidays.HolidayBase(years=padded, expand=False)
    # An unknown subdivision still has its country's holidays, which is closer than none.
    logger.warning("No subdivision %r in %r; using the country calendar.", subdivision, country)
    return _calendar(country, "", years)


def is_business_day(d: date, profile: ClockProfile) -> bool:
    """False on the calendar's weekend and public holidays.

    Uses the package's own notion of a working day, so a weekend day that a country declares a
    working day (China's make-up Saturdays around Spring Festival) counts as a business day.
    """
    return holiday_calendar(profile, (d.year,)).is_working_day(d)


def add_business_days(d: date, n: int, profile: ClockProfile) -> date:
    """The n-th business day after `d` (`d` itself never counts); n=0 returns `d`."""
    if n < 0:
        raise ValueError(f"n must be >= 0, not {n}")
    day = d
    while n:
        day += ONE_DAY
        if is_business_day(day, profile):
            n -= 1
    return day


def business_days_between(start: date, end: date, profile: ClockProfile) -> int:
    """Business days after `start` up to and including `end`; negative when `end` < `start`.

    The inverse of `add_business_days`: `business_days_between(d, add_business_days(d, n)) == n`.
    """
    if end < start:
        return -business_days_between(end, start, profile)
    span = (end - start).days
    return sum(is_business_day(start + timedelta(days=i), profile) for i in range(1, span + 1))


def roll_forward(d: date, profile: ClockProfile) -> date:
    """`d` if it is a business day, else the next one (a window cannot close on a day off)."""
    while not is_business_day(d, profile):
        d += ONE_DAY
    return d


def add_calendar_days(d: date, n: int, profile: ClockProfile) -> date:
    """`d` + n calendar days, rolled forward to a business day."""
    return roll_forward(d + timedelta(days=n), profile)


# --- Time zones --------------------------------------------------------------------------------


def _zone(profile: ClockProfile) -> ZoneInfo:
    # An empty zone means UTC; a wrong name raises, since guessing would shift every due date.
    return ZoneInfo(profile.time_zone or "UTC")


def local_date(when: datetime, profile: ClockProfile) -> date:
    """The date of `when` on the platform's wall calendar.

    Friday 23:30 in Los Angeles is Saturday 07:30 UTC, yet it was sent on a Friday and counts from
    Friday.
    """
    if when.tzinfo is None or when.utcoffset() is None:
        raise ValueError("local_date() needs an aware datetime")
    return when.astimezone(_zone(profile)).date()


def end_of_business_day(d: date, profile: ClockProfile) -> datetime:
    """23:59:59 on `d` in the platform's time zone, as an aware UTC datetime."""
    return datetime.combine(d, END_OF_DAY, tzinfo=_zone(profile)).astimezone(UTC)


def _local_moment(d: date, at: time, profile: ClockProfile) -> datetime:
    return datetime.combine(d, at, tzinfo=_zone(profile)).astimezone(UTC)


# --- Response clock ----------------------------------------------------------------------------


def response_due(submitted_at: datetime, profile: ClockProfile) -> datetime:
    """When the platform's answer is due: response_business_days after submission, end of day."""
    day = local_date(submitted_at, profile)
    return end_of_business_day(
        add_business_days(day, profile.response_business_days, profile), profile
    )


def very_overdue_at(submitted_at: datetime, profile: ClockProfile) -> datetime:
    """When a round becomes very overdue: twice the response span (docs/domain.md "Clocks")."""
    day = local_date(submitted_at, profile)
    span = 2 * profile.response_business_days
    return end_of_business_day(add_business_days(day, span, profile), profile)


def chase_dates(submitted_at: datetime, profile: ClockProfile) -> list[datetime]:
    """Every chase while no response arrives: at most `round_cap` of them.

    Chase k goes out once k * chase_business_days have fully passed, at CHASE_TIME local on the next
    business day — so a 3-day chase for a Monday submission goes out Friday morning.
    """
    interval = profile.chase_business_days
    if interval <= 0:
        return []
    day = local_date(submitted_at, profile)
    return [
        _local_moment(add_business_days(day, k * interval + 1, profile), CHASE_TIME, profile)
        for k in range(1, profile.round_cap + 1)
    ]


def next_chase(
    submitted_at: datetime, now: datetime, chases_sent: int, profile: ClockProfile
) -> datetime | None:
    """The next chase strictly after `now`, or None once the cap is reached or no slot is left.

    Slots already in the past are skipped rather than sent at once: after an outage two chases a
    minute apart would read as "excessive contacts", which platforms penalise.
    """
    if chases_sent >= profile.round_cap:
        return None
    return next((t for t in chase_dates(submitted_at, profile) if t > now), None)


# --- Pause while the platform asks for information ---------------------------------------------


def remaining_business_days(due: datetime, paused_at: datetime, profile: ClockProfile) -> int:
    """Business days the platform still had when it asked for information (never below 0).

    The pause day itself is used up, just as a submission day does not count.
    """
    left = business_days_between(local_date(paused_at, profile), local_date(due, profile), profile)
    return max(left, 0)


def resumed_due(resumed_at: datetime, remaining: int, profile: ClockProfile) -> datetime:
    """The new due moment once the information is sent: the kept days restart the next day."""
    day = add_business_days(local_date(resumed_at, profile), remaining, profile)
    # With nothing left, the platform still gets the rest of a business day, not a Sunday.
    return end_of_business_day(roll_forward(day, profile), profile)


# --- Status for the organiser's board ----------------------------------------------------------


def clock_status(
    due: datetime | None, very_overdue: datetime | None, now: datetime, profile: ClockProfile
) -> ClockStatus:
    """Where a clock stands at `now`. The due moment itself is still on time (due today)."""
    if due is None:
        return ClockStatus("none")
    today, due_day = local_date(now, profile), local_date(due, profile)
    if now > due:
        # At least 1, so "overdue by 0" never appears on the Saturday after a Friday due date.
        late = max(business_days_between(due_day, today, profile), 1)
        very = very_overdue is not None and now > very_overdue
        return ClockStatus("very_overdue" if very else "overdue", late)
    if today == due_day:
        return ClockStatus("due_today")
    return ClockStatus("on_time", max(business_days_between(today, due_day, profile), 1))


# --- Legal and policy windows ------------------------------------------------------------------
# Each counts calendar days from the day after the event and rolls forward (see module docstring).
# They use the platform's calendar: the one the platform itself works by.


def appeal_window_closes(infraction: date, profile: ClockProfile) -> date:
    """Last day to appeal under the platform's own policy (e.g. Wish: 90 days)."""
    return add_calendar_days(infraction, profile.appeal_window_days, profile)


def dsa_complaint_window_closes(decision: date, profile: ClockProfile) -> date:
    """EU DSA Art. 20(1): complaints possible for at least six months after the decision.

    relativedelta clamps to the month's end (31 August → 28/29 February), as Reg. 1182/71 Art. 3(2)(c)
    does for periods in months.
    """
    return roll_forward(decision + relativedelta(months=6), profile)


def p2b_termination_notice_ends(notice: date, profile: ClockProfile) -> date:
    """EU P2B Reg. 2019/1150 Art. 4(2): a termination takes effect no sooner than 30 days' notice."""
    return add_calendar_days(notice, 30, profile)


def dsa_settlement_decision_due(filed: date, profile: ClockProfile, complex: bool = False) -> date:
    """EU DSA Art. 21(4): out-of-court body decides within 90 days, 180 for highly complex disputes."""
    return add_calendar_days(filed, 180 if complex else 90, profile)


def cn_counter_notice_window_ends(forwarded: date, profile: ClockProfile) -> date:
    """China E-Commerce Law Art. 43: takedown ends unless the rights holder complains or sues within
    15 days of the seller's counter-notice reaching them."""
    return add_calendar_days(forwarded, 15, profile)


def cn_rule_change_effective_earliest(published: date, profile: ClockProfile) -> date:
    """China E-Commerce Law Art. 34: platform rule changes are published at least 7 days ahead."""
    return add_calendar_days(published, 7, profile)


def legal_windows(
    profile: ClockProfile,
    infraction: date | None,
    decision: date | None,
    regimes: Iterable[str] | None = None,
) -> list[Window]:
    """The windows that follow from a grievance's dates, soonest first.

    `regimes` (coalition/rules/jurisdictions.py keys) keeps only the laws that apply: the DSA
    window needs `eu_dsa`, the P2B notice `eu_p2b`; None keeps every window (pure callers).
    Windows that need other dates (a counter-notice, a settlement filing, a rule change) are shown
    where those dates are recorded.
    """
    applies = (lambda key: True) if regimes is None else set(regimes).__contains__
    windows: list[Window] = []
    if infraction is not None and profile.appeal_window_days > 0:
        windows.append(
            Window(
                key="appeal_window",
                label=_("End of the appeal window under the platform's policy"),
                closes=appeal_window_closes(infraction, profile),
                source=format_lazy(
                    _("Platform policy ({days} days after the infraction)"),
                    days=profile.appeal_window_days,
                ),
            )
        )
    if decision is not None and applies("eu_dsa"):
        windows.append(
            Window(
                key="dsa_complaint",
                label=_(
                    "End of the window for a complaint to the platform's internal complaint "
                    "system (at the earliest)"
                ),
                closes=dsa_complaint_window_closes(decision, profile),
                source=_("EU Digital Services Act (Regulation 2022/2065), Art. 20(1)"),
            )
        )
    if decision is not None and applies("eu_p2b"):
        windows.append(
            Window(
                key="p2b_termination_notice",
                label=_(
                    "If the decision ends the account: earliest date the termination may take effect"
                ),
                closes=p2b_termination_notice_ends(decision, profile),
                source=_("EU Platform-to-Business Regulation 2019/1150, Art. 4(2)"),
            )
        )
    return sorted(windows, key=lambda w: w.closes)
