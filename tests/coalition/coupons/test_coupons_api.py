"""The reports and coupon-offers API: public create (throttled), email confirmation, status by
token, the reviewers' endpoints with their permission matrix, and members' coupon offers."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.utils import timezone
from rest_framework.test import APIClient

from coalition.models import Coupon
from coalition.queries.coupons import free_coupons
from tests.factories import StoreFactory

pytestmark = pytest.mark.django_db


def test_api_members_offer_coupons_and_see_only_their_own(
    as_role, counterfeit, counterfeit_member, organiser
):
    store = StoreFactory(seller=counterfeit_member.seller)
    client = as_role("member", api=True)
    created = client.post(
        "/api/v1/coupon-offers/",
        {
            "membership": counterfeit_member.pk,
            "store": store.pk,
            "discount": "5 USD off",
            "expires_on": (timezone.localdate() + timedelta(days=10)).isoformat(),
            "quantity": 3,
        },
        format="json",
    )
    assert created.status_code == 201, created.json()
    assert created.json()["quantity"] == 3 and len(created.json()["codes"]) == 3
    offer_id = created.json()["id"]
    assert [o["id"] for o in client.get("/api/v1/coupon-offers/").json()["results"]] == [offer_id]
    other = as_role("organiser", api=True)
    assert other.get("/api/v1/coupon-offers/").json()["results"] == []
    assert other.post(f"/api/v1/coupon-offers/{offer_id}/withdraw/").status_code == 404
    withdrawn = client.post(f"/api/v1/coupon-offers/{offer_id}/withdraw/")
    assert withdrawn.status_code == 200 and withdrawn.json()["withdrawn_at"]
    assert not free_coupons(grievance=counterfeit).exists()
    assert APIClient().get("/api/v1/coupon-offers/").status_code == 403


def test_api_coupon_offer_refused_for_another_members_membership(
    as_role, counterfeit, counterfeit_member, organiser
):
    store = StoreFactory(seller=organiser)
    response = as_role("organiser", api=True).post(
        "/api/v1/coupon-offers/",
        {
            "membership": counterfeit_member.pk,
            "store": store.pk,
            "discount": "x",
            "expires_on": timezone.localdate().isoformat(),
            "codes": ["A"],
        },
        format="json",
    )
    assert response.status_code == 400 and "membership" in response.json()["errors"]
    assert not Coupon.objects.exists()
