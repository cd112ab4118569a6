"""Joining, leaving, the member list, verifying and promoting, and the timeline, through the API."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.core.cache import cache
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from coalition.actions.grievances import update_grievance
from coalition.actions.memberships import leave_grievance, update_case, verify_member
from coalition.models import AuditEvent, Grievance, Membership
from tests.factories import (
    GrievanceFactory,
    MembershipFactory,
    OrganiserFactory,
    SellerFactory,
    StoreFactory,
)

pytestmark = pytest.mark.django_db

CALLERS = ["anonymous", "outsider", "member", "organiser", "staff"]
ORGANISER_ONLY = {"anonymous": 403, "outsider": 403, "member": 403, "organiser": 200, "staff": 200}
MEMBERS_ONLY = {"anonymous": 403, "outsider": 403, "member": 200, "organiser": 200, "staff": 200}


def url(grievance, action: str = "") -> str:
    return f"/api/v1/grievances/{grievance.pk}/{action + '/' if action else ''}"


# --- join ----------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("who", "expected"),
    [("anonymous", 403), ("outsider", 201), ("member", 200), ("organiser", 200), ("staff", 201)],
)
def test_join_permissions(as_, who, expected, grievance, membership):
    response = as_(who).post(url(grievance, "join"), {}, format="json")
    assert response.status_code == expected
    if expected != 403:
        assert response.json()["state"] in {"joined", "verified"}


def test_an_outsider_joins_with_their_case_and_own_store(
    outsider_api, outsider, grievance, platform
):
    store = StoreFactory(seller=outsider, platform=platform)
    case = {
        "store": store.pk,
        "incident_date": str(timezone.localdate() - timedelta(days=3)),
        "amount_withheld": "1500.00",
        "amount_fined": "20",
        "currency": "CNY",
        "statement": "Funds frozen since May.",
        "consent_to_name": True,
    }
    response = outsider_api.post(url(grievance, "join"), case, format="json")
    assert response.status_code == 201, response.json()
    body = response.json()
    assert body["store"]["platform_store_id"] == store.platform_store_id
    assert (body["amount_withheld"], body["currency"], body["role"]) == ("1500.00", "CNY", "member")
    m = Membership.objects.get(pk=body["id"])
    assert (m.seller, m.store, m.consent_to_name) == (outsider, store, True)
    assert grievance.events.filter(verb="membership.joined").count() == 1


def test_joining_twice_returns_the_same_membership_and_changes_nothing(outsider_api, grievance):
    first = outsider_api.post(
        url(grievance, "join"), {"statement": "first", "amount_withheld": "10"}, format="json"
    )
    second = outsider_api.post(
        url(grievance, "join"), {"statement": "second", "amount_withheld": "99"}, format="json"
    )
    assert (first.status_code, second.status_code) == (201, 200)
    assert first.json()["id"] == second.json()["id"]
    assert second.json()["statement"] == "first" and second.json()["amount_withheld"] == "10.00"
    assert Membership.objects.filter(grievance=grievance).count() == 2  # organiser + outsider
    assert grievance.events.filter(verb="membership.joined").count() == 1


def test_joining_with_another_sellers_store_reads_as_an_unknown_store(
    outsider_api, grievance, platform
):
    foreign = StoreFactory(platform=platform)
    response = outsider_api.post(url(grievance, "join"), {"store": foreign.pk}, format="json")
    assert response.status_code == 400
    assert "store" in response.json()["errors"]
    assert foreign.platform_store_id not in response.content.decode()


def test_joining_with_a_store_on_another_platform_is_a_field_error(
    outsider_api, outsider, grievance
):
    elsewhere = StoreFactory(seller=outsider)
    response = outsider_api.post(url(grievance, "join"), {"store": elsewhere.pk}, format="json")
    assert response.status_code == 400
    assert "store" in response.json()["errors"]


def test_invalid_case_figures_are_field_errors(outsider_api, grievance):
    future = str(timezone.localdate() + timedelta(days=2))
    response = outsider_api.post(
        url(grievance, "join"),
        {"amount_withheld": "-5", "currency": "dollars", "incident_date": "soon"},
        format="json",
    )
    assert response.status_code == 400
    assert {"amount_withheld", "currency", "incident_date"} <= set(response.json()["errors"])
    response = outsider_api.post(url(grievance, "join"), {"incident_date": future}, format="json")
    assert response.status_code == 400
    assert "incident_date" in response.json()["errors"]
    assert not Membership.objects.filter(
        grievance=grievance, seller__display_name="Oscar Outsider"
    ).exists()


def test_a_closed_grievance_takes_no_new_members(outsider_api, grievance):
    Grievance.objects.filter(pk=grievance.pk).update(state=Grievance.State.CLOSED)
    response = outsider_api.post(url(grievance, "join"), {}, format="json")
    assert response.status_code == 400
    assert response.json()["detail"]


def test_a_hidden_grievance_cannot_be_joined_by_guessing_its_id(outsider_api, hidden):
    assert outsider_api.post(url(hidden, "join"), {}, format="json").status_code == 404


def test_joining_is_rate_limited_with_a_json_429(outsider_api, platform, settings):
    settings.REST_FRAMEWORK = {
        **settings.REST_FRAMEWORK,
        "DEFAULT_THROTTLE_RATES": {
            **settings.REST_FRAMEWORK["DEFAULT_THROTTLE_RATES"],
            "join": "2/h",
        },
    }
    cache.clear()
    grievances = GrievanceFactory.create_batch(3, platform=platform)
    codes = [outsider_api.post(url(g, "join"), {}, format="json").status_code for g in grievances]
    assert codes == [201, 201, 429]
    refused = outsider_api.post(url(grievances[2], "join"), {}, format="json")
    assert refused.status_code == 429
    assert refused.json()["code"] == "throttled" and refused.json()["detail"]
    assert refused.headers["Retry-After"]
    assert not grievances[2].memberships.exists()


def test_the_join_rate_is_30_an_hour_by_default(settings):
    assert settings.REST_FRAMEWORK["DEFAULT_THROTTLE_RATES"]["join"] == "30/h"


# --- leave ---------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("who", "expected"),
    [("anonymous", 403), ("outsider", 400), ("member", 200), ("organiser", 400), ("staff", 400)],
)
def test_leave_permissions(as_, who, expected, grievance, membership):
    response = as_(who).post(url(grievance, "leave"), format="json")
    assert response.status_code == expected
    if expected == 200:
        assert response.json()["state"] == "withdrawn"


def test_the_last_organiser_cannot_leave_without_handing_over(organiser_api, grievance, membership):
    response = organiser_api.post(url(grievance, "leave"))
    assert response.status_code == 400
    assert "last organiser" in response.json()["detail"]
    assert organiser_api.post(url(grievance, f"members/{membership.pk}/promote")).status_code == 200
    assert organiser_api.post(url(grievance, "leave")).status_code == 200
    assert list(grievance.memberships.organisers().values_list("pk", flat=True)) == [membership.pk]


def test_leaving_and_joining_again_reuses_the_membership(member_api, grievance, membership):
    assert member_api.post(url(grievance, "leave")).status_code == 200
    assert member_api.get(url(grievance)).json()["my_membership"] is None
    again = member_api.post(url(grievance, "join"), {}, format="json")
    assert again.status_code == 201
    assert again.json()["id"] == membership.pk and again.json()["state"] == "joined"


# --- members -------------------------------------------------------------------------------


@pytest.mark.parametrize("who", CALLERS)
def test_members_permissions(as_, who, grievance, membership, named_and_anonymous):
    assert as_(who).get(url(grievance, "members")).status_code == MEMBERS_ONLY[who]


@pytest.mark.parametrize("who", ["outsider", "member"])
def test_a_hidden_grievances_members_are_a_404_to_outsiders(as_, who, hidden, membership):
    assert as_(who).get(url(hidden, "members")).status_code == (404 if who == "outsider" else 200)


def test_a_member_sees_only_consenting_members_without_stores_or_figures(
    member_api, grievance, membership, named_and_anonymous
):
    body = member_api.get(url(grievance, "members")).json()
    assert [m["display_name"] for m in body["results"]] == ["Nadia Named"]
    row = body["results"][0]
    for private in (
        "store",
        "amount_withheld",
        "amount_fined",
        "currency",
        "incident_date",
        "statement",
        "consent_to_name",
    ):
        assert row[private] is None
    text = member_api.get(url(grievance, "members")).content.decode()
    assert "PRIVATE-" not in text and "300" not in text and "Quentin" not in text


@pytest.mark.parametrize("who", ["organiser", "staff"])
def test_organisers_and_staff_see_every_member_with_store_ids_and_figures(
    as_, who, grievance, membership, named_and_anonymous
):
    _named, quiet = named_and_anonymous
    rows = {m["display_name"]: m for m in as_(who).get(url(grievance, "members")).json()["results"]}
    assert set(rows) == {"Olivia Organiser", "Mia Member", "Nadia Named", "Quentin Quiet"}
    assert rows["Quentin Quiet"]["store"]["platform_store_id"] == f"PRIVATE-{quiet.pk}"
    assert rows["Quentin Quiet"]["amount_withheld"] == "700.00"
    assert rows["Quentin Quiet"]["consent_to_name"] is False


def test_withdrawn_members_are_not_listed(organiser_api, grievance, membership):
    leave_grievance(grievance, actor=membership.seller.user)
    names = [
        m["display_name"] for m in organiser_api.get(url(grievance, "members")).json()["results"]
    ]
    assert names == ["Olivia Organiser"]


@pytest.mark.parametrize("who", ["member", "organiser"])
def test_the_member_list_costs_the_same_queries_for_2_or_20_members(
    as_, who, grievance, membership, platform, django_assert_num_queries
):
    client = as_(who)

    def add(n: int) -> None:
        for _ in range(n):
            m = MembershipFactory(grievance=grievance, consent_to_name=True)
            Membership.objects.filter(pk=m.pk).update(
                store=StoreFactory(seller=m.seller, platform=platform)
            )

    add(1)
    with CaptureQueriesContext(connection) as ctx:
        assert client.get(url(grievance, "members")).status_code == 200
    add(17)
    with django_assert_num_queries(len(ctx.captured_queries)):
        response = client.get(url(grievance, "members") + "?page_size=100")
    assert len(response.json()["results"]) >= 18


# --- verify and promote --------------------------------------------------------------------


@pytest.mark.parametrize("step", ["verify", "promote"])
@pytest.mark.parametrize("who", CALLERS)
def test_only_organisers_and_staff_verify_and_promote(as_, who, step, grievance, membership):
    response = as_(who).post(url(grievance, f"members/{membership.pk}/{step}"))
    assert response.status_code == ORGANISER_ONLY[who]
    membership.refresh_from_db()
    changed = membership.state == "verified" if step == "verify" else membership.role == "organiser"
    assert changed is (response.status_code == 200)


def test_verifying_records_it_on_the_timeline(organiser_api, grievance, membership):
    body = organiser_api.post(url(grievance, f"members/{membership.pk}/verify")).json()
    assert body["state"] == "verified" and body["display_name"] == "Mia Member"
    assert grievance.events.filter(verb="membership.verified").count() == 1


def test_a_membership_of_another_grievance_is_a_404(organiser_api, grievance, platform):
    elsewhere = MembershipFactory(grievance=GrievanceFactory(platform=platform))
    for step in ("verify", "promote"):
        assert (
            organiser_api.post(url(grievance, f"members/{elsewhere.pk}/{step}")).status_code == 404
        )
    elsewhere.refresh_from_db()
    assert (elsewhere.state, elsewhere.role) == ("joined", "member")


def test_a_withdrawn_member_cannot_be_promoted(organiser_api, grievance, membership):
    leave_grievance(grievance, actor=membership.seller.user)
    assert organiser_api.post(url(grievance, f"members/{membership.pk}/promote")).status_code == 400


# --- timeline ------------------------------------------------------------------------------


@pytest.mark.parametrize("who", CALLERS)
def test_timeline_permissions(as_, who, grievance, membership):
    assert as_(who).get(url(grievance, "timeline")).status_code == MEMBERS_ONLY[who]


def test_the_timeline_lists_events_newest_first_with_labels(
    organiser_api, organiser, grievance, membership
):
    update_grievance(grievance, actor=organiser.user, title="New title here")
    verify_member(membership, actor=organiser.user)
    body = organiser_api.get(url(grievance, "timeline")).json()
    assert [e["verb"] for e in body["results"]] == ["membership.verified", "grievance.edited"]
    assert body["results"][0]["label"] == "verified a member"
    assert body["results"][0]["actor"] == "Olivia Organiser"
    assert body["results"][1]["data"] == {"fields": ["title"]}


def test_members_see_who_did_what_only_for_organisers_and_consenting_members(
    member_api, grievance, membership, organiser
):
    quiet = MembershipFactory(
        grievance=grievance, seller=SellerFactory(display_name="Quentin Quiet")
    )
    update_case(quiet, actor=quiet.seller.user, statement="private")
    verify_member(quiet, actor=organiser.user)
    update_case(membership, actor=membership.seller.user, statement="mine")
    events = member_api.get(url(grievance, "timeline")).json()["results"]
    assert [e["actor"] for e in events] == ["Mia Member", "Olivia Organiser", "a member"]
    assert all(e["data"] is None for e in events)
    assert "Quentin" not in member_api.get(url(grievance, "timeline")).content.decode()


def test_the_timeline_is_paginated_and_its_queries_do_not_grow(
    organiser_api, organiser, grievance, django_assert_num_queries
):
    def add(n: int) -> None:
        for _ in range(n):
            AuditEvent.objects.create(
                grievance=grievance, actor=SellerFactory().user, verb="membership.joined"
            )

    add(2)
    with CaptureQueriesContext(connection) as ctx:
        organiser_api.get(url(grievance, "timeline"))
    add(25)
    with django_assert_num_queries(len(ctx.captured_queries)):
        body = organiser_api.get(url(grievance, "timeline")).json()
    assert body["count"] == 27 and len(body["results"]) == 20 and body["next"]


def test_a_hidden_grievances_timeline_is_a_404_to_outsiders(outsider_api, hidden):
    assert outsider_api.get(url(hidden, "timeline")).status_code == 404


def test_an_organiser_of_one_grievance_cannot_read_anothers_timeline(organiser_api, platform):
    other = GrievanceFactory(platform=platform)
    OrganiserFactory(grievance=other)
    assert organiser_api.get(url(other, "timeline")).status_code == 403
