"""Which laws a letter may cite: a platform's legal regimes and where its sellers are established.

Each platform profile lists the legal regimes it operates under (`Platform.legal_regimes`, edited
by staff). Most regimes follow the platform: the EU Digital Services Act binds a platform that
serves the EU, whoever complains. The EU Platform-to-Business Regulation (2019/1150) is narrower:
it protects business users *established in the EU* (Art. 1(2)), so it is cited only when at
least one seller established in an EU member state stands behind the letter.

Pure: no models. Written up in docs/domain.md ("Letters, legal regimes and the ladder").
"""

from __future__ import annotations

from collections.abc import Iterable

from babel import Locale
from django.utils import translation
from django.utils.translation import gettext_lazy as _

EU_P2B = "eu_p2b"
EU_DSA = "eu_dsa"
CN_ECOMMERCE = "cn_ecommerce"
US_FTC = "us_ftc"

REGIMES = {
    EU_P2B: _("EU Platform-to-Business Regulation (2019/1150)"),
    EU_DSA: _("EU Digital Services Act (Regulation 2022/2065)"),
    CN_ECOMMERCE: _("E-Commerce Law of the People's Republic of China"),
    US_FTC: _("US Federal Trade Commission Act (Section 5)"),
}
REGIME_CHOICES = list(REGIMES.items())

# The 27 member states (ISO 3166-1 alpha-2).
EU_COUNTRIES = frozenset(
    [
        "AT",
        "BE",
        "BG",
        "HR",
        "CY",
        "CZ",
        "DK",
        "EE",
        "FI",
        "FR",
        "DE",
        "GR",
        "HU",
        "IE",
        "IT",
        "LV",
        "LT",
        "LU",
        "MT",
        "NL",
        "PL",
        "PT",
        "RO",
        "SK",
        "SI",
        "ES",
        "SE",
    ]
)

# Regimes that protect only sellers established in certain countries.
ESTABLISHMENT = {EU_P2B: EU_COUNTRIES}


def unknown_regimes(values: Iterable[str]) -> list[str]:
    """The values that are not regime keys (for validating a staff-edited list)."""
    return [v for v in values if v not in REGIMES]


def applicable_regimes(platform_regimes: Iterable[str], established_in: Iterable[str]) -> list[str]:
    """The platform's regimes that apply to sellers established in `established_in` (ISO codes),
    in the order of REGIMES. A regime bound to establishment applies when one seller qualifies."""
    countries = {c.strip().upper() for c in established_in if c}
    keys = set(platform_regimes)
    return [
        key
        for key in REGIMES
        if key in keys and (key not in ESTABLISHMENT or countries & ESTABLISHMENT[key])
    ]


def country_choices(language: str | None = None) -> list[tuple[str, str]]:
    """ISO 3166-1 alpha-2 codes with their names in `language` (default: the active one), sorted
    by name; babel's list, so no table is kept by hand."""
    code = (language or translation.get_language() or "en").replace("-", "_")
    locale = Locale.parse("zh_Hans" if code.lower().startswith("zh") else "en")
    names = [
        (key, name)
        for key, name in locale.territories.items()
        if len(key) == 2 and key.isalpha() and key not in {"ZZ", "EU", "EZ", "UN", "QO", "XA", "XB"}
    ]
    return sorted(names, key=lambda pair: pair[1])


__all__ = [
    "CN_ECOMMERCE",
    "ESTABLISHMENT",
    "EU_COUNTRIES",
    "EU_DSA",
    "EU_P2B",
    "REGIMES",
    "REGIME_CHOICES",
    "US_FTC",
    "applicable_regimes",
    "country_choices",
    "unknown_regimes",
]
