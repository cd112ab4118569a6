"""The clock engine, table by table. Plain functions: no database, no frozen time.

Every expected date below was worked out by hand from a 2026 calendar; comments show the count.
"""

from __future__ import annotations

from dataclasses import replace
from datetime import UTC, date, datetime, timedelta
from zoneinfo import ZoneInfo

import holidays
import pytest

from appeals.deadlines import (
    ClockStatus,
    Profile,
    add_business_days,
    add_calendar_days,
    appeal_window_closes,
    business_days_between,
    chase_dates,
    clock_status,
    cn_counter_notice_window_ends,
    cn_rule_change_effective_earliest,
    dsa_complaint_window_closes,
    dsa_settlement_decision_due,
    end_of_business_day,
    holiday_calendar,
    is_business_day,
    legal_windows,
    local_date,
    next_chase,
    p2b_termination_notice_ends,
    remaining_business_days,
    response_due,
    resumed_due,
    roll_forward,
    very_overdue_at,
)

WEEKENDS = Profile(holiday_country="", time_zone="UTC")
US = Profile(
    holiday_country="US",
    time_zone="America/Los_Angeles",
    response_business_days=5,
    chase_business_days=3,
    round_cap=3,
    appeal_window_days=90,
)
US_CA = replace(US, holiday_subdivision="CA")
CN = Profile(holiday_country="CN", time_zone="Asia/Shanghai", response_business_days=5)
DE = Profile(holiday_country="DE", time_zone="Europe/Berlin", appeal_window_days=90)

LA = ZoneInfo("America/Los_Angeles")


def la(*args: int) -> datetime:
    """A wall-clock moment in Los Angeles, handed to the engine in UTC as the database stores it."""
    return datetime(*args, tzinfo=LA).astimezone(UTC)


# --- Business days -----------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("start", "n", "profile", "expected"),
    [
        pytest.param(date(2026, 3, 6), 1, WEEKENDS, date(2026, 3, 9), id="friday_plus_1_is_monday"),
        pytest.param(
            date(2026, 3, 6), 5, WEEKENDS, date(2026, 3, 13), id="friday_plus_5_is_friday"
        ),
        pytest.param(
            date(2026, 3, 7), 1, WEEKENDS, date(2026, 3, 9), id="saturday_plus_1_is_monday"
        ),
        pytest.param(date(2026, 3, 2), 10, WEEKENDS, date(2026, 3, 16), id="two_weeks"),
        pytest.param(date(2026, 3, 4), 0, WEEKENDS, date(2026, 3, 4), id="zero_is_the_same_day"),
        pytest.param(date(2026, 3, 8), 0, WEEKENDS, date(2026, 3, 8), id="zero_on_a_sunday_too"),
        # Thanksgiving Thu 26 Nov is a federal holiday; Fri 27 is not.
        pytest.param(date(2026, 11, 25), 1, US, date(2026, 11, 27), id="us_skips_thanksgiving"),
        pytest.param(date(2026, 11, 25), 2, US, date(2026, 11, 30), id="us_counts_day_after"),
        # California also closes on the day after Thanksgiving.
        pytest.param(date(2026, 11, 25), 1, US_CA, date(2026, 11, 30), id="us_ca_skips_both_days"),
        # New Year 2028 is a Saturday, observed on Fri 31 Dec 2027: a holiday across the year line.
        pytest.param(date(2027, 12, 30), 1, US, date(2028, 1, 3), id="us_observed_new_year"),
    ],
)
def test_add_business_days_skips_weekends_and_holidays(start, n, profile, expected):
    assert add_business_days(start, n, profile) == expected


def test_add_business_days_refuses_negative_counts():
    with pytest.raises(ValueError):
        add_business_days(date(2026, 3, 6), -1, WEEKENDS)


@pytest.mark.parametrize(
    ("day", "profile", "expected"),
    [
        pytest.param(date(2026, 11, 26), US, False, id="thanksgiving_closed"),
        pytest.param(date(2026, 11, 27), US, True, id="day_after_thanksgiving_open_federally"),
        pytest.param(date(2026, 11, 27), US_CA, False, id="day_after_thanksgiving_closed_in_ca"),
        pytest.param(date(2026, 12, 25), Profile(holiday_country="XX"), True, id="unknown_country"),
        pytest.param(date(2026, 12, 26), Profile(holiday_country="XX"), False, id="unknown_sat"),
        pytest.param(
            date(2026, 11, 26), replace(US, holiday_subdivision="ZZ"), False, id="bad_sub"
        ),
        pytest.param(
            date(2026, 11, 26), replace(US, holiday_country=" us "), False, id="lowercase"
        ),
        pytest.param(date(2026, 11, 26), WEEKENDS, True, id="no_country_means_weekends_only"),
    ],
)
def test_is_business_day_follows_the_platform_calendar(day, profile, expected):
    assert is_business_day(day, profile) is expected


def test_calendars_are_shared_between_profiles_with_the_same_codes():
    other = replace(US, time_zone="America/New_York", response_business_days=20)
    assert holiday_calendar(US, [2026]) is holiday_calendar(other, [2026])


@pytest.mark.parametrize(
    ("start", "end", "profile", "expected"),
    [
        pytest.param(date(2026, 3, 6), date(2026, 3, 6), WEEKENDS, 0, id="same_day"),
        pytest.param(date(2026, 3, 6), date(2026, 3, 8), WEEKENDS, 0, id="friday_to_sunday"),
        pytest.param(date(2026, 3, 6), date(2026, 3, 13), WEEKENDS, 5, id="one_week"),
        pytest.param(date(2026, 3, 13), date(2026, 3, 6), WEEKENDS, -5, id="backwards_negative"),
        pytest.param(date(2026, 11, 25), date(2026, 11, 30), US, 2, id="over_thanksgiving"),
        pytest.param(date(2026, 11, 30), date(2026, 11, 25), US, -2, id="back_over_thanksgiving"),
    ],
)
def test_business_days_between_counts_after_start_up_to_end(start, end, profile, expected):
    assert business_days_between(start, end, profile) == expected


# --- Spring Festival on the CN calendar --------------------------------------------------------
# holidays 0.109 for CN 2026: Eve Mon 16 Feb, Festival Tue 17 to Thu 19, substitute days off Fri 20
# and Mon 23; Sun 15 and Sat 21 / Sun 22 are the weekend. The State Council's make-up working days
# Sat 14 Feb and Sat 28 Feb are in `weekend_workdays`, so the package counts them as working days.


def test_package_holds_the_2026_spring_festival_and_its_make_up_saturdays():
    calendar = holidays.country_holidays("CN", years=2026)
    closed = [date(2026, 2, day) for day in (16, 17, 18, 19, 20, 23)]
    assert all(day in calendar for day in closed)
    assert {date(2026, 2, 14), date(2026, 2, 28)} <= calendar.weekend_workdays


@pytest.mark.parametrize(
    ("day", "expected"),
    [
        pytest.param(date(2026, 2, 13), True, id="fri_13_last_day_before"),
        pytest.param(date(2026, 2, 14), True, id="sat_14_make_up_working_day"),
        *[
            pytest.param(date(2026, 2, d), False, id=f"feb_{d}_closed")
            for d in (15, 16, 17, 18, 19, 20, 21, 22, 23)
        ],
        pytest.param(date(2026, 2, 24), True, id="tue_24_back_to_work"),
        pytest.param(date(2026, 2, 28), True, id="sat_28_make_up_working_day"),
        pytest.param(date(2026, 3, 1), False, id="sun_1_march_ordinary_weekend"),
    ],
)
def test_cn_spring_festival_week_is_closed(day, expected):
    assert is_business_day(day, CN) is expected


@pytest.mark.parametrize(
    ("start", "n", "expected"),
    [
        # Fri 13 (1), Sat 14 make-up (2), then nothing until Tue 24 (3).
        pytest.param(date(2026, 2, 12), 3, date(2026, 2, 24), id="skips_the_whole_week"),
        # Sat 14 (1), Tue 24 (2), Wed 25 (3), Thu 26 (4), Fri 27 (5).
        pytest.param(date(2026, 2, 13), 5, date(2026, 2, 27), id="counts_make_up_saturday"),
        pytest.param(date(2026, 2, 13), 6, date(2026, 2, 28), id="ends_on_make_up_saturday"),
    ],
)
def test_cn_due_dates_skip_spring_festival(start, n, expected):
    assert add_business_days(start, n, CN) == expected


def test_response_due_for_a_submission_just_before_spring_festival():
    # Fri 13 Feb 22:00 in Shanghai; 5 business days land on Fri 27 Feb, due 23:59:59 +08:00.
    submitted = datetime(2026, 2, 13, 14, 0, tzinfo=UTC)
    assert response_due(submitted, CN) == datetime(2026, 2, 27, 15, 59, 59, tzinfo=UTC)
    # The same submission on a weekends-only calendar would have been due a week earlier.
    assert response_due(submitted, replace(CN, holiday_country="")) == datetime(
        2026, 2, 20, 15, 59, 59, tzinfo=UTC
    )


# --- Time zones --------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("when", "profile", "expected"),
    [
        # Sat 07:30 UTC is Fri 23:30 in Los Angeles (PST, -8): still Friday.
        pytest.param(la(2026, 3, 6, 23, 30), US, date(2026, 3, 6), id="late_friday_los_angeles"),
        pytest.param(la(2026, 3, 6, 23, 30), CN, date(2026, 3, 7), id="same_moment_in_shanghai"),
        pytest.param(la(2026, 3, 6, 23, 30), WEEKENDS, date(2026, 3, 7), id="same_moment_in_utc"),
    ],
)
def test_local_date_is_the_platforms_wall_calendar(when, profile, expected):
    assert when == datetime(2026, 3, 7, 7, 30, tzinfo=UTC)
    assert local_date(when, profile) == expected


def test_local_date_refuses_naive_datetimes():
    with pytest.raises(ValueError):
        local_date(datetime(2026, 3, 6, 23, 30), US)


@pytest.mark.parametrize(
    ("day", "profile", "expected"),
    [
        pytest.param(date(2026, 3, 6), US, datetime(2026, 3, 7, 7, 59, 59, tzinfo=UTC), id="pst"),
        # Daylight saving time starts Sun 8 Mar 2026 in Los Angeles (-7).
        pytest.param(date(2026, 3, 13), US, datetime(2026, 3, 14, 6, 59, 59, tzinfo=UTC), id="pdt"),
        pytest.param(
            date(2026, 2, 27), CN, datetime(2026, 2, 27, 15, 59, 59, tzinfo=UTC), id="cst"
        ),
    ],
)
def test_end_of_business_day_is_local_midnight_less_a_second_in_utc(day, profile, expected):
    assert end_of_business_day(day, profile) == expected


@pytest.mark.parametrize(
    ("submitted", "n", "expected_local"),
    [
        # Fri 23:30: Mon 9 … Fri 13 (5), across the DST change.
        pytest.param(
            la(2026, 3, 6, 23, 30), 5, datetime(2026, 3, 13, 23, 59, 59), id="late_friday"
        ),
        # Thu 23:30 is Fri in UTC, but counts from Thursday: 1 day is Friday, not Monday.
        pytest.param(
            la(2026, 3, 5, 23, 30), 1, datetime(2026, 3, 6, 23, 59, 59), id="late_thursday"
        ),
        pytest.param(
            la(2026, 3, 6, 23, 30), 1, datetime(2026, 3, 9, 23, 59, 59), id="late_friday_1"
        ),
    ],
)
def test_response_due_counts_from_the_local_submission_date(submitted, n, expected_local):
    profile = replace(US, response_business_days=n)
    assert response_due(submitted, profile) == expected_local.replace(tzinfo=LA)


@pytest.mark.parametrize(
    ("submitted", "expected_local"),
    [
        # Fri 6 Mar + 10: Mon 9 … Fri 20.
        pytest.param(la(2026, 3, 6, 23, 30), datetime(2026, 3, 20, 23, 59, 59), id="plain_weeks"),
        # Mon 16 Nov + 10: 17 18 19 20 23 24 25 (skip 26) 27 30, Tue 1 Dec — not Mon 30 Nov, which
        # doubling the 5-day span by calendar days would give.
        pytest.param(la(2026, 11, 16, 9, 0), datetime(2026, 12, 1, 23, 59, 59), id="thanksgiving"),
    ],
)
def test_very_overdue_is_twice_the_response_span_in_business_days(submitted, expected_local):
    assert very_overdue_at(submitted, US) == expected_local.replace(tzinfo=LA)
    assert response_due(submitted, US) < very_overdue_at(submitted, US)


# --- Chasing -----------------------------------------------------------------------------------

SUBMITTED = la(2026, 3, 6, 23, 30)  # Fri 6 Mar, late evening
# Chase interval 3: Mon 9 Tue 10 Wed 11 pass → Thu 12 09:00; Thu 12 Fri 13 Mon 16 → Tue 17;
# Tue 17 Wed 18 Thu 19 → Fri 20.
CHASES = [la(2026, 3, 12, 9, 0), la(2026, 3, 17, 9, 0), la(2026, 3, 20, 9, 0)]


@pytest.mark.parametrize(
    ("profile", "expected"),
    [
        pytest.param(US, CHASES, id="every_3_business_days_capped_at_3"),
        pytest.param(replace(US, round_cap=1), CHASES[:1], id="cap_of_one"),
        pytest.param(replace(US, round_cap=0), [], id="cap_of_zero"),
        pytest.param(replace(US, chase_business_days=0), [], id="no_chasing"),
    ],
)
def test_chase_dates_follow_the_interval_up_to_the_cap(profile, expected):
    assert chase_dates(SUBMITTED, profile) == expected


def test_first_chase_is_nine_in_the_morning_local():
    assert CHASES[0] == datetime(2026, 3, 12, 16, 0, tzinfo=UTC)


@pytest.mark.parametrize(
    ("now", "sent", "expected"),
    [
        pytest.param(SUBMITTED, 0, CHASES[0], id="at_submission"),
        pytest.param(CHASES[0] - timedelta(seconds=1), 0, CHASES[0], id="just_before_first"),
        pytest.param(CHASES[0], 1, CHASES[1], id="first_just_sent"),
        pytest.param(CHASES[2], 3, None, id="cap_reached"),
        pytest.param(CHASES[1] + timedelta(days=1), 1, CHASES[2], id="missed_slot_not_sent_twice"),
        pytest.param(CHASES[2] + timedelta(days=1), 1, None, id="no_slot_left"),
    ],
)
def test_next_chase(now, sent, expected):
    assert next_chase(SUBMITTED, now, sent, US) == expected


# --- Pause and resume --------------------------------------------------------------------------


def test_pause_before_thanksgiving_keeps_the_remaining_days_for_after_it():
    submitted = la(2026, 11, 19, 10, 0)  # Thu 19 Nov
    due = response_due(submitted, US)  # Fri 20, Mon 23, Tue 24, Wed 25, (Thu 26) Fri 27
    assert due == datetime(2026, 11, 27, 23, 59, 59, tzinfo=LA)

    paused = la(2026, 11, 24, 10, 0)  # Tue 24: Wed 25 and Fri 27 are left
    remaining = remaining_business_days(due, paused, US)
    assert remaining == 2

    resumed = la(2026, 11, 30, 9, 0)  # Mon 30: Tue 1 Dec, Wed 2 Dec
    assert resumed_due(resumed, remaining, US) == datetime(2026, 12, 2, 23, 59, 59, tzinfo=LA)


@pytest.mark.parametrize(
    ("paused", "expected"),
    [
        pytest.param(la(2026, 11, 20, 9, 0), 4, id="day_after_submission"),
        pytest.param(la(2026, 11, 27, 9, 0), 0, id="on_the_due_day"),
        pytest.param(la(2026, 12, 2, 9, 0), 0, id="after_the_due_day_never_negative"),
    ],
)
def test_remaining_business_days(paused, expected):
    due = datetime(2026, 11, 27, 23, 59, 59, tzinfo=LA)
    assert remaining_business_days(due, paused, US) == expected


def test_resuming_with_nothing_left_on_a_weekend_gives_until_the_next_business_day():
    resumed = la(2026, 3, 7, 12, 0)  # Saturday
    assert resumed_due(resumed, 0, US) == datetime(2026, 3, 9, 23, 59, 59, tzinfo=LA)


# --- Clock status on the organiser's board -----------------------------------------------------

DUE = end_of_business_day(date(2026, 3, 13), US)  # Fri 13 Mar
VERY = end_of_business_day(date(2026, 3, 20), US)  # Fri 20 Mar


@pytest.mark.parametrize(
    ("now", "expected"),
    [
        pytest.param(la(2026, 3, 11, 12, 0), ClockStatus("on_time", 2), id="wednesday_two_left"),
        pytest.param(
            la(2026, 3, 12, 23, 59, 59), ClockStatus("on_time", 1), id="thursday_last_sec"
        ),
        pytest.param(la(2026, 3, 13, 0, 0), ClockStatus("due_today"), id="due_day_midnight"),
        pytest.param(DUE, ClockStatus("due_today"), id="the_due_moment_is_on_time"),
        pytest.param(DUE + timedelta(seconds=1), ClockStatus("overdue", 1), id="one_second_late"),
        pytest.param(la(2026, 3, 16, 10, 0), ClockStatus("overdue", 1), id="monday_after"),
        pytest.param(la(2026, 3, 18, 10, 0), ClockStatus("overdue", 3), id="wednesday_after"),
        pytest.param(VERY, ClockStatus("overdue", 5), id="very_overdue_moment_still_overdue"),
        pytest.param(
            VERY + timedelta(seconds=1), ClockStatus("very_overdue", 5), id="very_overdue"
        ),
    ],
)
def test_clock_status_at_boundaries(now, expected):
    assert clock_status(DUE, VERY, now, US) == expected


@pytest.mark.parametrize(
    ("due", "very", "now", "expected"),
    [
        pytest.param(None, None, la(2026, 3, 11, 12, 0), ClockStatus("none"), id="no_clock"),
        pytest.param(DUE, None, la(2026, 4, 1, 12, 0), ClockStatus("overdue", 13), id="no_very"),
        pytest.param(
            end_of_business_day(date(2026, 3, 16), US),
            None,
            la(2026, 3, 14, 12, 0),
            ClockStatus("on_time", 1),
            id="weekend_before_monday_due",
        ),
    ],
)
def test_clock_status_without_every_clock(due, very, now, expected):
    assert clock_status(due, very, now, US) == expected


# --- Calendar-day windows ----------------------------------------------------------------------


@pytest.mark.parametrize(
    ("start", "n", "profile", "expected"),
    [
        pytest.param(date(2026, 3, 4), 2, WEEKENDS, date(2026, 3, 6), id="business_day_unchanged"),
        pytest.param(date(2026, 3, 6), 2, WEEKENDS, date(2026, 3, 9), id="sunday_rolls_to_monday"),
        # Sun 18 Jan 2026, then Martin Luther King Jr. Day on Mon 19.
        pytest.param(date(2026, 1, 8), 10, US, date(2026, 1, 20), id="past_monday_holiday"),
        # Easter Sunday 5 Apr, Easter Monday 6 Apr in Germany.
        pytest.param(date(2026, 3, 26), 10, DE, date(2026, 4, 7), id="past_easter_monday"),
        # Wed 7 Oct is the last day of China's National Day break.
        pytest.param(date(2026, 9, 22), 15, CN, date(2026, 10, 8), id="past_national_day"),
    ],
)
def test_calendar_day_windows_roll_forward_to_a_business_day(start, n, profile, expected):
    assert add_calendar_days(start, n, profile) == expected
    assert roll_forward(start + timedelta(days=n), profile) == expected


@pytest.mark.parametrize(
    ("window", "start", "profile", "expected"),
    [
        # 23 Feb + 90 = Sun 24 May, then Memorial Day Mon 25.
        pytest.param(appeal_window_closes, date(2026, 2, 23), US, date(2026, 5, 26), id="appeal"),
        pytest.param(
            dsa_complaint_window_closes, date(2026, 3, 15), DE, date(2026, 9, 15), id="dsa_6_months"
        ),
        # 31 Aug + 6 months clamps to Sun 28 Feb 2027, rolled to Mon 1 Mar.
        pytest.param(
            dsa_complaint_window_closes, date(2026, 8, 31), DE, date(2027, 3, 1), id="dsa_month_end"
        ),
        # Fri 6 Mar + 30 = Easter Sunday 5 Apr; Easter Monday too.
        pytest.param(
            p2b_termination_notice_ends, date(2026, 3, 6), DE, date(2026, 4, 7), id="p2b_30_days"
        ),
        # 2 Feb + 90 = Sun 3 May.
        pytest.param(
            dsa_settlement_decision_due, date(2026, 2, 2), DE, date(2026, 5, 4), id="dsa_90_days"
        ),
        # 10 Feb + 7 = Tue 17 Feb, Spring Festival: first working day is Tue 24.
        pytest.param(
            cn_rule_change_effective_earliest,
            date(2026, 2, 10),
            CN,
            date(2026, 2, 24),
            id="cn_7_days",
        ),
        pytest.param(
            cn_counter_notice_window_ends, date(2026, 9, 22), CN, date(2026, 10, 8), id="cn_15"
        ),
        # 25 Sep + 15 = Sat 10 Oct, a make-up working day after National Day: no roll.
        pytest.param(
            cn_counter_notice_window_ends,
            date(2026, 9, 25),
            CN,
            date(2026, 10, 10),
            id="cn_15_make_up_saturday",
        ),
    ],
)
def test_legal_windows_close_on_a_business_day(window, start, profile, expected):
    assert window(start, profile) == expected


def test_complex_dsa_settlement_may_take_180_days():
    # 2 Feb + 180 = Sat 1 Aug.
    assert dsa_settlement_decision_due(date(2026, 2, 2), DE, complex=True) == date(2026, 8, 3)


def test_legal_windows_for_the_grievance_page_soonest_first():
    windows = legal_windows(DE, infraction=date(2026, 1, 1), decision=date(2026, 8, 31))
    assert [(w.key, w.closes) for w in windows] == [
        ("appeal_window", date(2026, 4, 1)),
        ("p2b_termination_notice", date(2026, 9, 30)),
        ("dsa_complaint", date(2027, 3, 1)),
    ]
    assert windows[2].source == "EU Digital Services Act (Regulation 2022/2065), Art. 20(1)"


@pytest.mark.parametrize(
    ("profile", "infraction", "decision", "keys"),
    [
        pytest.param(DE, None, None, [], id="no_dates_no_windows"),
        pytest.param(DE, date(2026, 1, 1), None, ["appeal_window"], id="infraction_only"),
        pytest.param(
            replace(DE, appeal_window_days=0), date(2026, 1, 1), None, [], id="platform_has_none"
        ),
        pytest.param(
            DE, None, date(2026, 8, 31), ["p2b_termination_notice", "dsa_complaint"], id="decision"
        ),
    ],
)
def test_legal_windows_only_follow_known_dates(profile, infraction, decision, keys):
    assert [w.key for w in legal_windows(profile, infraction, decision)] == keys
