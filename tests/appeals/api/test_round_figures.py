"""What came back from members' own appeals, on the round page and in GET /api/v1/appeals/{id}/:
the same figures for the same viewer, exact only for organisers (docs/privacy.md)."""

from __future__ import annotations

from decimal import Decimal

import pytest

from appeals.models import Appeal
from coalition.models import Membership
from tests.appeals.builders import make_round
from tests.factories import SubmissionFactory

S = Appeal.State
pytestmark = pytest.mark.django_db


def recovered(appeal, amounts, currency="USD"):
    for amount in amounts:
        s = SubmissionFactory(
            appeal=appeal,
            outcome="funds_released",
            amount_recovered=Decimal(amount),
            currency=currency,
        )
        Membership.objects.filter(pk=s.membership_id).update(state=Membership.State.VERIFIED)


def detail(client, appeal) -> dict:
    response = client.get(f"/api/v1/appeals/{appeal.pk}/")
    assert response.status_code == 200
    return response.json()


@pytest.mark.parametrize("who", ["anonymous", "outsider"])
def test_outsiders_and_anonymous_get_no_recovered_amounts(
    request, api_client, who, grievance, membership
):
    appeal = make_round(grievance, S.RESPONDED)
    recovered(appeal, ["1234.56", "200"])
    client = api_client if who == "anonymous" else request.getfixturevalue("outsider_api")
    totals = detail(client, appeal)["totals"]
    assert totals["recovered"] == [] and totals["exact"] is False
    assert totals["filed"] == 2


def test_members_read_recovered_amounts_only_after_the_disclosure_rule(
    member_api, client_as, grievance, membership
):
    appeal = make_round(grievance, S.RESPONDED)
    recovered(appeal, ["1234.56", "200"])
    [usd] = detail(member_api, appeal)["totals"]["recovered"]
    assert usd["released"] is False and usd["value"] is None
    body = client_as("member").get(f"/rounds/{appeal.pk}/").content.decode()
    assert usd["text"] in body and "1,234.56" not in body and "1434" not in body


def test_from_five_verified_members_the_rounded_recovered_sum_is_shown(
    member_api, client_as, grievance, membership
):
    appeal = make_round(grievance, S.RESPONDED)
    recovered(appeal, ["1111.11"] * 5)
    [usd] = detail(member_api, appeal)["totals"]["recovered"]
    assert (usd["value"], usd["text"]) == ("5600", "about US$5,600")
    assert "about US$5,600" in client_as("member").get(f"/rounds/{appeal.pk}/").content.decode()


def test_organisers_read_the_exact_recovered_sums(organiser_api, client_as, grievance):
    appeal = make_round(grievance, S.RESPONDED)
    recovered(appeal, ["1234.56", "200"])
    totals = detail(organiser_api, appeal)["totals"]
    assert totals["exact"] is True
    assert totals["recovered"] == [
        {"released": True, "value": "1434.56", "currency": "USD", "text": "US$1,434.56"}
    ]
    assert "US$1,434.56" in client_as("organiser").get(f"/rounds/{appeal.pk}/").content.decode()
