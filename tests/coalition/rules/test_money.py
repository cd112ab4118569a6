"""Currencies are ISO 4217 codes in use; money is written for the reader's language."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError
from django.utils import translation

from coalition.rules.money import (
    active_currencies,
    babel_locale,
    clean_currency,
    currency_name,
    format_amount,
    format_approximate_money,
    format_money,
    validate_currency,
)

AMOUNT = Decimal("12345.67")


@pytest.mark.parametrize("code", ["USD", "CNY", "EUR", "GBP", "HKD", "JPY", "KRW", "BRL"])
def test_currencies_in_use_are_accepted(code):
    validate_currency(code)


@pytest.mark.parametrize(
    "code",
    [
        "ABC",  # three capitals, no currency
        "XTS",  # ISO's test code
        "XXX",  # "no currency"
        "XAU",  # gold
        "XDR",  # IMF drawing rights
        "DEM",  # Deutsche Mark, retired 2002
        "HRK",  # Croatian kuna, retired 2023
        "usd",  # the model stores capitals; forms clean first
        "US",
        "",
        None,
    ],
)
def test_anything_else_is_refused_with_a_clear_message(code):
    with pytest.raises(ValidationError) as caught, translation.override("en"):
        validate_currency(code)
    error = caught.value.error_list[0]
    assert error.code == "invalid_currency"
    with translation.override("en"):
        assert str(error.message % error.params) == (
            f"“{code}” is not a currency in use. Enter its three-letter ISO 4217 code, "
            "such as USD, CNY or EUR."
        )


def test_the_list_is_dated_a_retired_currency_was_valid_once():
    assert "HRK" in active_currencies(date(2015, 6, 1))
    assert "HRK" not in active_currencies(date(2024, 6, 1))
    assert "EUR" in active_currencies(date(2024, 6, 1))


def test_what_a_seller_types_is_cleaned_to_the_code():
    assert clean_currency(" usd ") == "USD"
    with pytest.raises(ValidationError):
        clean_currency("dollars")


@pytest.mark.parametrize(
    ("currency", "language", "expected"),
    [
        ("USD", "en", "US$12,345.67"),
        ("USD", "zh-hans", "12,345.67美元"),
        ("CNY", "en", "CN¥12,345.67"),
        ("CNY", "zh-hans", "12,345.67人民币"),
        ("EUR", "en", "€12,345.67"),
        ("EUR", "zh-hans", "12,345.67欧元"),
        ("JPY", "en", "JP¥12,346"),  # no minor unit
        ("JPY", "zh-hans", "12,346日元"),
    ],
)
def test_money_is_formatted_for_the_readers_language(currency, language, expected):
    assert format_money(AMOUNT, currency, language) == expected


def test_format_money_follows_the_active_language_by_default():
    with translation.override("zh-hans"):
        assert format_money(AMOUNT, "USD") == "12,345.67美元"
    with translation.override("en"):
        assert format_money(AMOUNT, "USD") == "US$12,345.67"


@pytest.mark.parametrize(
    ("amount", "currency", "language", "expected"),
    [
        ("120000", "USD", "en", "US$120,000"),
        ("120000", "USD", "zh-hans", "120,000美元"),
        ("1.2E+5", "EUR", "en", "€120,000"),
        ("4.6", "USD", "en", "US$4.6"),
        ("4.6", "USD", "zh-hans", "4.6美元"),
    ],
)
def test_approximate_money_shows_no_cents_it_does_not_know(amount, currency, language, expected):
    assert format_approximate_money(Decimal(amount), currency, language) == expected


def test_format_amount_is_the_number_alone_with_the_languages_grouping():
    assert format_amount(AMOUNT, "USD", "en") == "12,345.67"
    assert format_amount(AMOUNT, "USD", "zh-hans") == "12,345.67"
    assert format_amount(Decimal("1234"), "USD", "en") == "1,234.00"
    assert format_amount(Decimal("1234"), "JPY", "en") == "1,234"
    assert format_amount(Decimal("1234567.5"), language="en") == "1,234,567.5"


def test_languages_map_to_babel_locales():
    assert babel_locale("en") == "en_001"
    assert babel_locale("zh-hans") == "zh_Hans_CN"
    assert babel_locale("zh-Hans") == "zh_Hans_CN"
    assert babel_locale("fr") == "en_001"  # a language the site does not offer: English


def test_currency_names_in_both_languages():
    assert currency_name("USD", "en") == "US Dollar"
    assert currency_name("USD", "zh-hans") == "美元"
