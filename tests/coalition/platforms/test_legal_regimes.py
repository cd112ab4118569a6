"""Each platform profile lists its legal regimes: seeded for the real profiles, validated, edited
by staff as checkboxes, and shown in the API."""

from __future__ import annotations

import pytest
from django.core.exceptions import ValidationError

from coalition.admin.sellers import PlatformAdminForm
from coalition.models import Platform
from coalition.platform_profiles import LEGAL_REGIMES, seed_legal_regimes
from coalition.rules.jurisdictions import applicable_regimes, country_choices
from tests.factories import PlatformFactory

pytestmark = pytest.mark.django_db


def test_the_seeded_profiles_carry_their_regimes():
    regimes = dict(Platform.objects.values_list("slug", "legal_regimes"))
    assert regimes["amazon-eu"] == ["eu_p2b", "eu_dsa"]
    assert regimes["amazon-us"] == ["us_ftc"]
    assert regimes["aliexpress"] == ["cn_ecommerce"]


def test_seeding_fills_only_profiles_without_regimes():
    Platform.objects.filter(slug="amazon-us").update(legal_regimes=["us_ftc", "eu_dsa"])
    Platform.objects.filter(slug="wish").update(legal_regimes=[])
    assert seed_legal_regimes(Platform) == 1
    assert Platform.objects.get(slug="amazon-us").legal_regimes == ["us_ftc", "eu_dsa"]
    assert Platform.objects.get(slug="wish").legal_regimes == LEGAL_REGIMES["wish"]


def test_an_unknown_regime_is_refused():
    platform = PlatformFactory(legal_regimes=["eu_p2b", "mars_law"])
    with pytest.raises(ValidationError, match="mars_law"):
        platform.full_clean()


def test_staff_edit_the_regimes_as_checkboxes():
    platform = PlatformFactory()
    form = PlatformAdminForm(instance=platform)
    assert 'type="checkbox"' in str(form["legal_regimes"]) and "eu_dsa" in str(
        form["legal_regimes"]
    )


def test_the_api_shows_a_platforms_regimes(api_client):
    amazon_eu = Platform.objects.get(slug="amazon-eu")
    body = api_client.get(f"/api/v1/platforms/{amazon_eu.slug}/").json()
    assert body["legal_regimes"] == ["eu_p2b", "eu_dsa"]


@pytest.mark.parametrize(
    ("countries", "expected"),
    [
        ([], ["eu_dsa"]),
        (["CN", "US"], ["eu_dsa"]),
        (["CN", "de"], ["eu_p2b", "eu_dsa"]),
    ],
)
def test_p2b_applies_only_to_sellers_established_in_the_eu(countries, expected):
    assert applicable_regimes(["eu_dsa", "eu_p2b"], countries) == expected


def test_country_names_come_in_both_languages():
    assert dict(country_choices("en"))["DE"] == "Germany"
    assert dict(country_choices("zh-hans"))["DE"] == "德国"
