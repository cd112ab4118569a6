"""The escalation ladder as a pure rule: which rungs open for Amazon EU, Amazon US and
AliExpress, what each needs first, and its windows at their edges."""

from __future__ import annotations

from datetime import date

import pytest

from appeals import ladder
from appeals.deadlines import Profile
from coalition.platform_profiles import LEGAL_REGIMES
from coalition.rules.jurisdictions import applicable_regimes

EU = Profile(holiday_country="LU", time_zone="Europe/Luxembourg")
US = Profile(holiday_country="US", time_zone="America/Los_Angeles")
CN = Profile(holiday_country="CN", time_zone="Asia/Shanghai")
TODAY = date(2026, 9, 1)


def states(
    slug, countries, profile, *, rounds=1, climbed=(), decision=date(2026, 8, 31), today=TODAY
):
    regimes = applicable_regimes(LEGAL_REGIMES[slug], countries)
    rungs = ladder.ladder(
        regimes,
        rounds_received=rounds,
        climbed=climbed,
        decision=decision,
        today=today,
        profile=profile,
    )
    return {r.key: r.state for r in rungs}, {r.key: r for r in rungs}


def test_amazon_eu_with_a_seller_established_in_the_eu_opens_every_rung_in_turn():
    got, _ = states("amazon-eu", ["DE", "CN"], EU)
    assert got == {
        "internal_complaint": "open",
        "mediation": "locked",
        "out_of_court": "locked",
        "regulator": "open",
        "representative_action": "locked",
    }
    got, _ = states("amazon-eu", ["DE"], EU, climbed=["internal_complaint"])
    assert got["internal_complaint"] == "climbed"
    assert got["mediation"] == got["out_of_court"] == got["representative_action"] == "open"


def test_amazon_eu_with_only_chinese_sellers_has_no_p2b_rungs():
    got, by_key = states("amazon-eu", ["CN", "HK"], EU)
    assert got["mediation"] == got["representative_action"] == "not_applicable"
    assert got["internal_complaint"] == "open" and got["regulator"] == "open"
    assert [b.regime for b in by_key["internal_complaint"].bases] == ["eu_dsa"]


def test_amazon_us_opens_only_a_complaint_to_the_ftc():
    got, by_key = states("amazon-us", ["DE", "US"], US)
    assert got == {
        "internal_complaint": "not_applicable",
        "mediation": "not_applicable",
        "out_of_court": "not_applicable",
        "regulator": "open",
        "representative_action": "not_applicable",
    }
    assert "Federal Trade Commission" in str(by_key["regulator"].bases[0].body)


def test_aliexpress_opens_a_complaint_to_the_market_regulator():
    got, by_key = states("aliexpress", ["CN"], CN)
    assert [k for k, s in got.items() if s != "not_applicable"] == ["regulator"]
    assert "12315" in str(by_key["regulator"].bases[0].body)
    assert "Art. 60" in str(by_key["regulator"].bases[0].citation)


def test_no_rung_opens_before_the_platform_received_a_round():
    got, by_key = states("amazon-eu", ["DE"], EU, rounds=0)
    assert got["internal_complaint"] == got["regulator"] == "locked"
    assert by_key["internal_complaint"].needs == ladder.ROUNDS
    got, by_key = states("amazon-eu", ["DE"], EU)
    assert by_key["mediation"].needs == "internal_complaint"


# --- windows at their edges ------------------------------------------------------------------


def test_dsa_internal_complaint_is_open_six_months_from_the_decision_and_closed_the_day_after():
    decision = date(2026, 3, 10)  # six months: Thursday 10 September 2026
    _, by_key = states("amazon-eu", ["CN"], EU, decision=decision, today=date(2026, 9, 10))
    assert by_key["internal_complaint"].window_closes == date(2026, 9, 10)
    assert by_key["internal_complaint"].state == "open"
    got, _ = states("amazon-eu", ["CN"], EU, decision=decision, today=date(2026, 9, 11))
    assert got["internal_complaint"] == "closed"


def test_a_six_month_window_ending_on_a_weekend_rolls_to_the_next_business_day():
    # 31 August + 6 months = 28 February 2027 (a Sunday): Monday 1 March
    _, by_key = states("amazon-eu", ["CN"], EU, decision=date(2026, 8, 31))
    assert by_key["internal_complaint"].window_closes == date(2027, 3, 1)
    assert by_key["internal_complaint"].reminders == (date(2027, 2, 15), date(2027, 2, 26))


def test_under_p2b_alone_the_internal_complaint_has_no_window():
    _, by_key = states("amazon-eu", ["DE"], EU)
    regimes_without_dsa = {"eu_p2b"}
    assert ladder.window_closes("internal_complaint", regimes_without_dsa, TODAY, EU) is None
    assert by_key["internal_complaint"].window_closes is not None  # with the DSA it has one


@pytest.mark.parametrize(
    ("filed", "due", "latest"),
    [
        # 90 days from Tue 1 Sep 2026 = Mon 30 Nov 2026; 180 days = Sun 28 Feb 2027 -> Mon 1 Mar
        (date(2026, 9, 1), date(2026, 11, 30), date(2027, 3, 1)),
        # 90 days from 3 Oct 2026 = Fri 1 Jan 2027 (New Year's Day, LU) -> Mon 4 Jan 2027
        (date(2026, 10, 3), date(2027, 1, 4), date(2027, 4, 1)),
    ],
)
def test_out_of_court_settlement_is_decided_in_90_days_up_to_180(filed, due, latest):
    assert ladder.decision_due("out_of_court", filed, EU) == (due, latest)


def test_other_rungs_run_no_decision_clock():
    assert ladder.decision_due("mediation", TODAY, EU) == (None, None)


def test_the_current_rung_is_the_last_climbed():
    assert ladder.current([]) == "platform_appeal"
    assert ladder.current(["internal_complaint", "mediation"]) == "mediation"
