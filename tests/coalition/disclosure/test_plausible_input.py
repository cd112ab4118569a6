"""Currencies are ISO 4217 codes in use and dates are plausible, in forms, the API and the models,
each refusal a clear error on its field."""

from __future__ import annotations

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse

from appeals.models import Appeal
from coalition.api.health import _StoreAndPeriodSerializer
from coalition.forms.health import _StoreAndPeriod
from tests.appeals.builders import make_round
from tests.factories import MembershipFactory

pytestmark = pytest.mark.django_db

ZZZ_REFUSED = "“ZZZ” is not a currency in use."


def join_page(client, grievance, **overrides):
    data = {
        "store": "",
        "incident_date": "2024-03-01",
        "amount_withheld": "250.00",
        "amount_fined": "0",
        "currency": "USD",
        "statement": "",
        **overrides,
    }
    return client.post(reverse("coalition:join", args=[grievance.pk]), data)


def api_errors(response) -> dict:
    assert response.status_code == 400, response.content
    return response.json()["errors"]


def test_an_invented_currency_is_refused_on_the_join_form(client_as, grievance):
    response = join_page(client_as("outsider"), grievance, currency="ZZZ")
    body = response.content.decode()
    assert response.status_code == 200 and 'id="id_currency_error"' in body
    assert ZZZ_REFUSED in body


def test_a_lower_case_code_in_use_is_accepted_as_capitals(client_as, grievance, outsider):
    response = join_page(client_as("outsider"), grievance, currency=" eur ")
    assert response.status_code == 302
    assert grievance.memberships.get(seller=outsider).currency == "EUR"


def test_an_invented_currency_is_refused_by_the_join_api(outsider_api, grievance):
    response = outsider_api.post(
        f"/api/v1/grievances/{grievance.pk}/join/", {"currency": "ZZZ"}, format="json"
    )
    assert ZZZ_REFUSED in api_errors(response)["currency"][0]


def test_the_model_refuses_an_invented_currency(grievance):
    membership = MembershipFactory.build(grievance=grievance, currency="ZZZ")
    with pytest.raises(ValidationError) as refused:
        membership.full_clean(exclude=["seller", "grievance"])
    assert "currency" in refused.value.message_dict


@pytest.mark.parametrize("day", ["0001-01-01", "1999-12-31", "9999-12-31"])
def test_an_implausible_incident_date_is_refused_on_the_form_and_by_the_api(
    client_as, outsider_api, grievance, day
):
    page = join_page(client_as("outsider"), grievance, incident_date=day).content.decode()
    assert 'id="id_incident_date_error"' in page
    response = outsider_api.post(
        f"/api/v1/grievances/{grievance.pk}/join/", {"incident_date": day}, format="json"
    )
    assert "incident_date" in api_errors(response)


def test_an_infraction_date_of_9999_is_refused_by_the_api(organiser_api, grievance):
    response = organiser_api.patch(
        f"/api/v1/grievances/{grievance.pk}/", {"infraction_date": "9999-12-31"}, format="json"
    )
    assert api_errors(response)["infraction_date"] == [
        "This date is in the future. Enter the day it happened."
    ]


def test_an_infraction_date_before_2000_is_refused_on_the_edit_form(client_as, grievance):
    response = client_as("organiser").post(
        reverse("coalition:grievance_edit", args=[grievance.pk]),
        {
            "title": grievance.title,
            "summary": grievance.summary or "s",
            "demands": grievance.demands or "d",
            "visibility": "public",
            "infraction_date": "0001-01-01",
        },
    )
    assert 'id="id_infraction_date_error"' in response.content.decode()


def test_a_member_submission_dated_0001_is_refused_by_the_api(member_api, grievance, membership):
    appeal = make_round(grievance, Appeal.State.SUBMITTED)
    response = member_api.post(
        f"/api/v1/appeals/{appeal.pk}/submissions/", {"submitted_on": "0001-01-01"}, format="json"
    )
    assert "submitted_on" in api_errors(response)


def test_a_health_check_period_before_2000_is_refused_on_the_form_and_by_the_api(outsider):
    form = _StoreAndPeriod(
        data={"period_start": "0001-01-01", "period_end": "9999-12-31"}, user=outsider.user
    )
    assert not form.is_valid()
    assert {"period_start", "period_end"} <= set(form.errors)
    serializer = _StoreAndPeriodSerializer(data={"period_start": "1999-12-31"})
    assert not serializer.is_valid()
    assert "period_start" in serializer.errors
