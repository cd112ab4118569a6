"""Money: ISO 4217 currency codes in use today, and amounts formatted for the viewer's language.

Currency codes come from Babel's (CLDR's) territory data: a code is accepted when some country
uses it as legal tender today. Three capital letters are not enough: test and "no currency"
codes (XTS, XXX), precious metals and fund units (XAU, XDR) and retired currencies (DEM, HRK)
are refused.

Formatting follows the viewer's language (`en` → Babel's international English `en_001`, which
writes US$ rather than a bare $ that Hong Kong, Australian and Singapore sellers would misread;
`zh-hans` → `zh_Hans_CN`, which names the currency, 美元, after the number):

    format_money(Decimal("12345.67"), "USD", "en")       → "US$12,345.67"
    format_money(Decimal("12345.67"), "USD", "zh-hans")  → "12,345.67美元"
    format_amount(Decimal("12345.67"), "USD", "en")      → "12,345.67"
"""

from __future__ import annotations

import re
from datetime import date
from decimal import Decimal
from functools import lru_cache

import babel.core
import babel.numbers
from django.core.exceptions import ValidationError
from django.utils import translation
from django.utils.translation import gettext_lazy as _

# Django language code → Babel locale.
BABEL_LOCALES = {"en": "en_001", "zh-hans": "zh_Hans_CN"}
DEFAULT_LOCALE = "en_001"

INVALID_CURRENCY = _(
    "“%(code)s” is not a currency in use. Enter its three-letter ISO 4217 code, such as USD, "
    "CNY or EUR."
)


@lru_cache(maxsize=4)
def active_currencies(on: date | None = None) -> frozenset[str]:
    """The ISO 4217 codes that some territory uses as legal tender on `on` (default: today)."""
    day = on or date.today()
    codes: set[str] = set()
    for territory in babel.core.get_global("territory_currencies"):
        codes.update(
            babel.numbers.get_territory_currencies(
                territory, start_date=day, end_date=day, tender=True
            )
        )
    return frozenset(codes)


def is_active_currency(code: object) -> bool:
    return isinstance(code, str) and code in active_currencies(date.today())


def validate_currency(code: object) -> None:
    """Model/form/serializer validator: an ISO 4217 code in use today, in capitals."""
    if not is_active_currency(code):
        raise ValidationError(INVALID_CURRENCY, code="invalid_currency", params={"code": code})


def clean_currency(value: object) -> str:
    """What a seller typed (" usd ") → "USD", or a ValidationError saying what is wrong."""
    code = str(value or "").strip().upper()
    validate_currency(code)
    return code


def currency_precision(code: str) -> int:
    """Digits after the decimal point in the currency's minor unit (USD 2, JPY 0, KWD 3)."""
    return babel.numbers.get_currency_precision(code)


def currency_name(code: str, language: str | None = None) -> str:
    """ "US Dollar" / "美元"."""
    return babel.numbers.get_currency_name(code, locale=babel_locale(language))


def babel_locale(language: str | None = None) -> str:
    """The Babel locale for a Django language code (default: the active language)."""
    code = (language or translation.get_language() or "en").lower().replace("_", "-")
    if code in BABEL_LOCALES:
        return BABEL_LOCALES[code]
    if code.startswith("zh"):
        return BABEL_LOCALES["zh-hans"]
    return DEFAULT_LOCALE


def format_money(amount: Decimal | int, currency: str, language: str | None = None) -> str:
    """An exact amount with its currency, in the currency's own precision (JPY has no cents)."""
    return _format(Decimal(amount), currency, babel_locale(language), fraction=None)


def format_approximate_money(
    amount: Decimal | int, currency: str, language: str | None = None
) -> str:
    """A rounded amount without padding: Decimal("120000") → "US$120,000", not "US$120,000.00".

    Shows as many decimals as the value has (at most the currency's precision), so a rounded
    figure does not pretend to be exact to the cent.
    """
    value = Decimal(amount)
    places = max(0, -value.normalize().as_tuple().exponent)
    return _format(
        value, currency, babel_locale(language), fraction=min(places, currency_precision(currency))
    )


def format_amount(
    amount: Decimal | int, currency: str | None = None, language: str | None = None
) -> str:
    """The number alone with the language's grouping: "12,345.67". With a currency, in its
    precision (format_amount(1234, "USD") → "1,234.00"); without, as many decimals as given."""
    value = Decimal(amount)
    locale = babel_locale(language)
    if currency is None:
        return babel.numbers.format_decimal(value, locale=locale, decimal_quantization=False)
    digits = currency_precision(currency)
    pattern = "#,##0" + ("." + "0" * digits if digits else "")
    return babel.numbers.format_decimal(value, format=pattern, locale=locale)


def _format(value: Decimal, currency: str, locale: str, *, fraction: int | None) -> str:
    if locale.startswith("zh"):
        # "12,345.67美元": Chinese readers know 美元 at a glance; US$ is a foreign abbreviation.
        if fraction is None:
            return babel.numbers.format_currency(value, currency, locale=locale, format_type="name")
        pattern = _with_fraction("#,##0.00", fraction)
        return babel.numbers.format_currency(
            value,
            currency,
            format=pattern,
            locale=locale,
            format_type="name",
            currency_digits=False,
        )
    if fraction is None:
        return babel.numbers.format_currency(value, currency, locale=locale)
    standard = babel.core.Locale.parse(locale).currency_formats["standard"].pattern
    return babel.numbers.format_currency(
        value,
        currency,
        format=_with_fraction(standard, fraction),
        locale=locale,
        currency_digits=False,
    )


def _with_fraction(pattern: str, digits: int) -> str:
    """ "¤#,##0.00" with exactly `digits` decimals: 0 → "¤#,##0", 1 → "¤#,##0.0"."""
    return re.sub(r"\.[0#]+", "." + "0" * digits if digits else "", pattern)
