"""The one disclosure rule (coalition/rules/disclosure.py, docs/privacy.md)."""

from __future__ import annotations

import random
from decimal import Decimal

import pytest
from django.utils import translation

from coalition.rules.disclosure import (
    DOMINATED,
    TOO_FEW,
    Contribution,
    describe,
    public_data,
    release_count,
    release_money,
    release_money_by_currency,
    round_significant,
)


def usd(*amounts, verified=True, currency="USD"):
    """One verified contributor per amount, keyed 1, 2, 3, …"""
    return [
        Contribution(i, Decimal(str(a)) if a is not None else None, verified, currency)
        for i, a in enumerate(amounts, start=1)
    ]


SIX = usd("23450", "18900", "31200", "12750", "27600", "15800")  # 129,700 in all


def test_five_verified_sellers_with_positive_amounts_release_a_total_rounded_to_two_figures():
    cell = release_money(SIX[:5], "USD")
    assert cell.released
    assert cell.value == Decimal("110000")  # 113,900
    assert cell.contributors == 5
    assert cell.reason == ""


def test_four_sellers_are_too_few_and_the_reason_names_the_currency():
    cell = release_money(usd(100, 200, 300, 400, currency="EUR"), "EUR")
    assert not cell.released
    assert cell.value is None
    assert cell.suppressed_because == TOO_FEW
    with translation.override("en"):
        assert cell.reason == (
            "hidden to protect members: fewer than 5 sellers reported amounts in EUR"
        )


def test_amounts_of_zero_do_not_make_up_the_number():
    """Four throwaway accounts joining with amount 0 (even verified) are not contributors."""
    cell = release_money(usd(5000, 0, 0, 0, 0, None), "USD")
    assert not cell.released
    assert cell.contributors == 1


def test_members_nobody_verified_do_not_count():
    rows = [*usd(100, 200, 300, 400), Contribution(9, Decimal("250"), False, "USD")]
    assert not release_money(rows, "USD").released
    rows[-1] = Contribution(9, Decimal("250"), True, "USD")
    assert release_money(rows, "USD").released


def test_several_rows_of_one_seller_are_one_contributor():
    rows = [Contribution("same-seller", Decimal("100"), True, "USD") for _ in range(5)]
    cell = release_money(rows, "USD")
    assert not cell.released
    assert cell.contributors == 1


def test_each_currency_is_its_own_cell_so_the_only_eur_seller_is_not_published():
    rows = [*usd(1000, 1100, 1200, 1300), Contribution(5, Decimal("4321.09"), True, "EUR")]
    cells = release_money_by_currency(rows)
    assert list(cells) == ["EUR", "USD"]
    assert not cells["EUR"].released and not cells["USD"].released
    with translation.override("en"):
        assert "4,321" not in describe(cells["EUR"]) and "4321" not in describe(cells["EUR"])
    assert public_data(cells["EUR"])["value"] is None


def test_two_sellers_holding_more_than_85_percent_of_the_cell_hide_it():
    cell = release_money(usd(50000, 40000, 4000, 3000, 2000), "USD")  # top two: 90.9 %
    assert not cell.released
    assert cell.suppressed_because == DOMINATED
    with translation.override("en"):
        assert cell.reason == (
            "hidden to protect members: one or two sellers account for most of this amount"
        )


def test_two_sellers_holding_exactly_85_percent_still_release_it():
    assert release_money(usd(50, 35, 5, 5, 5), "USD").released


def test_one_seller_leaving_does_not_move_the_total_by_their_amount():
    before = release_money(SIX, "USD")
    leaver = SIX[-1]
    after = release_money(SIX[:-1], "USD")
    assert (before.value, after.value) == (Decimal("130000"), Decimal("110000"))
    assert before.value - after.value != leaver.amount


def test_a_small_member_leaving_often_changes_nothing_at_all():
    rows = usd("41000", "38000", "22000", "19000", "17000", "3000")  # 140,000
    assert release_money(rows, "USD").value == release_money(rows[:-1], "USD").value


def test_released_totals_only_move_in_steps_of_the_rounding_unit():
    """Whatever joins or leaves, a released total is a multiple of its rounding unit (10^(k-1)
    for a total of k+1 digits), so a difference is a multiple of the smaller unit, never a
    member's exact amount unless that amount is itself that coarse."""
    rng = random.Random(7)
    for _ in range(500):
        amounts = [Decimal(rng.randrange(100, 5_000_000)) / 100 for _ in range(rng.randint(6, 30))]
        rows = usd(*amounts)
        before, after = release_money(rows, "USD"), release_money(rows[:-1], "USD")
        for cell in (before, after):
            if cell.released:
                unit = Decimal(10) ** max(cell.value.adjusted() - 1, -2)
                assert cell.value % unit == 0
        if before.released and after.released:
            smaller = min(before.value, after.value)
            step = Decimal(10) ** max(smaller.adjusted() - 1, -2)
            assert (before.value - after.value) % step == 0


@pytest.mark.parametrize(
    ("value", "places", "expected"),
    [
        ("129700", 2, "130000"),
        ("125000", 2, "130000"),  # ROUND_HALF_UP
        ("124999.99", 2, "120000"),
        ("1234.56", 2, "1200"),
        ("99500", 2, "100000"),
        ("45.67", 2, "46"),
        ("0.123", 2, "0.12"),
        ("7.4", 0, "7"),
    ],
)
def test_round_significant(value, places, expected):
    assert round_significant(Decimal(value), finest_places=places) == Decimal(expected)
    assert str(round_significant(Decimal(value), finest_places=places)) == expected


def test_released_money_is_said_as_about_in_english():
    cell = release_money(SIX, "USD")
    assert describe(cell, language="en") == "about US$130,000"
    assert public_data(cell, language="en") == {
        "released": True,
        "value": "130000",
        "currency": "USD",
        "text": "about US$130,000",
    }


def test_released_money_is_said_as_about_in_chinese():
    assert describe(release_money(SIX, "USD"), language="zh-hans") == "约 130,000美元"


def test_a_hidden_cell_gives_its_reason_in_chinese():
    cell = release_money(usd(1, 2, 3, currency="EUR"), "EUR")
    expected = "为保护成员而隐藏：以 EUR 申报金额的卖家少于 5 位"
    assert describe(cell, language="zh-hans") == expected


def test_describe_follows_the_active_language_by_default():
    cell = release_money(SIX, "USD")
    with translation.override("en"):
        assert describe(cell) == "about US$130,000"


def test_store_counts_follow_the_same_thresholds_and_are_exact():
    stores = [Contribution(i, 1, True) for i in range(1, 24)]
    cell = release_count(stores)
    assert (cell.released, cell.value) == (True, 23)
    assert describe(cell, language="en") == "23"
    assert not release_count(stores[:4]).released
    dominated = release_count([*stores[:4], Contribution(99, 40, True)])  # 40 + 1 of 44
    assert dominated.suppressed_because == DOMINATED
    with translation.override("en"):
        assert release_count(stores[:4]).reason == (
            "hidden to protect members: fewer than 5 sellers stand behind this figure"
        )


def test_public_data_never_shows_how_many_contributors_stand_behind_a_cell():
    for cell in (release_money(SIX, "USD"), release_money(SIX[:3], "USD")):
        assert "contributors" not in public_data(cell, language="en")


def test_amounts_in_another_currency_are_refused_rather_than_added():
    with pytest.raises(ValueError):
        release_money(usd(1, 2, 3, 4, 5, currency="EUR"), "USD")
    with pytest.raises(ValueError):
        release_count(usd(1, 2, 3, 4, 5))
