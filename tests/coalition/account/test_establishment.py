"""A seller states where their business is established on the profile page."""

from __future__ import annotations

import pytest
from django.urls import reverse

from tests.files import text

pytestmark = pytest.mark.django_db

PROFILE = {"display_name": "Mia", "language": "en", "time_zone": "UTC"}


def test_a_seller_saves_their_country_of_establishment(client_as, member):
    response = client_as("member").post(
        reverse("coalition:profile"), {**PROFILE, "country_of_establishment": "DE"}
    )
    assert response.status_code == 302
    member.refresh_from_db()
    assert member.country_of_establishment == "DE"


def test_the_profile_offers_countries_by_name_and_not_stated(client_as):
    body = text(client_as("member").get(reverse("coalition:profile")))
    assert 'name="country_of_establishment"' in body
    assert '<option value="DE">Germany</option>' in body


def test_an_unknown_country_is_refused_next_to_the_field(client_as, member):
    response = client_as("member").post(
        reverse("coalition:profile"), {**PROFILE, "country_of_establishment": "QQ"}
    )
    assert response.status_code == 200 and 'id="id_country_of_establishment_error"' in text(
        response
    )
    member.refresh_from_db()
    assert member.country_of_establishment == ""
