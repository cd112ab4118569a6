from __future__ import annotations

from decimal import Decimal

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from coalition.models import AuditEvent, Grievance, Membership
from tests.factories import (
    GrievanceFactory,
    MembershipFactory,
    OrganiserFactory,
    PlatformFactory,
    StoreFactory,
)

pytestmark = pytest.mark.django_db

CALLERS = ["anonymous", "outsider", "member", "organiser", "staff"]
# What each caller gets from an organiser-only endpoint on a grievance they can see.
ORGANISER_ONLY = {"anonymous": 403, "outsider": 403, "member": 403, "organiser": 200, "staff": 200}


def ids(response) -> list[int]:
    assert response.status_code == 200, response.content
    return [g["id"] for g in response.json()["results"]]


# --- list ----------------------------------------------------------------------------------


@pytest.mark.parametrize("who", CALLERS)
def test_everyone_lists_public_grievances_with_their_member_count(as_, who, grievance, membership):
    response = as_(who).get("/api/v1/grievances/")
    assert ids(response) == [grievance.pk]
    row = response.json()["results"][0]
    assert row["member_count"] == 2
    assert row["platform"]["slug"] == "wishful"
    assert row["url"].endswith(f"/grievances/{grievance.pk}/")
    assert "demands" not in row and "aggregates" not in row


@pytest.mark.parametrize(
    ("who", "listed"),
    [
        ("anonymous", False),
        ("outsider", False),
        ("member", True),
        ("organiser", True),
        ("staff", True),
    ],
)
def test_unlisted_grievances_are_listed_only_for_their_members_and_staff(
    as_, who, listed, grievance, membership
):
    Grievance.objects.filter(pk=grievance.pk).update(visibility=Grievance.Visibility.UNLISTED)
    assert ids(as_(who).get("/api/v1/grievances/")) == ([grievance.pk] if listed else [])


@pytest.mark.parametrize(
    ("who", "listed"),
    [
        ("anonymous", False),
        ("outsider", False),
        ("member", True),
        ("organiser", True),
        ("staff", True),
    ],
)
def test_hidden_grievances_are_listed_only_for_their_members_and_staff(
    as_, who, listed, hidden, membership
):
    assert ids(as_(who).get("/api/v1/grievances/")) == ([hidden.pk] if listed else [])


def test_merged_grievances_are_not_listed(api_client, grievance):
    GrievanceFactory(
        platform=grievance.platform, state=Grievance.State.MERGED, merged_into=grievance
    )
    assert ids(api_client.get("/api/v1/grievances/")) == [grievance.pk]


def test_the_list_filters_by_platform_category_and_state(api_client, platform):
    other = PlatformFactory(slug="elsewhere")
    refund = GrievanceFactory(platform=platform, category="refund_dispute")
    funds = GrievanceFactory(platform=platform, category="funds_withheld")
    closed = GrievanceFactory(
        platform=platform, category="funds_withheld", state=Grievance.State.CLOSED
    )
    elsewhere = GrievanceFactory(platform=other, category="refund_dispute")
    assert set(ids(api_client.get("/api/v1/grievances/?platform=wishful"))) == {
        refund.pk,
        funds.pk,
        closed.pk,
    }
    assert set(ids(api_client.get("/api/v1/grievances/?category=refund_dispute"))) == {
        refund.pk,
        elsewhere.pk,
    }
    assert ids(
        api_client.get("/api/v1/grievances/?platform=wishful&category=funds_withheld&state=open")
    ) == [funds.pk]
    assert ids(api_client.get("/api/v1/grievances/?state=closed")) == [closed.pk]


def test_the_list_searches_title_summary_and_demands(api_client, platform):
    frozen = GrievanceFactory(
        platform=platform, title="Payouts frozen for ninety days", summary="s", demands="d"
    )
    GrievanceFactory(
        platform=platform, title="Counterfeit sellers copy our designs", summary="s", demands="d"
    )
    assert ids(api_client.get("/api/v1/grievances/?q=frozen")) == [frozen.pk]


def test_an_invalid_filter_value_is_a_field_error(api_client, grievance):
    response = api_client.get("/api/v1/grievances/?category=made_up&state=asleep")
    assert response.status_code == 400
    assert {"category", "state"} <= set(response.json()["errors"])


def test_the_list_is_paginated(api_client, platform):
    GrievanceFactory.create_batch(3, platform=platform)
    body = api_client.get("/api/v1/grievances/?page_size=2").json()
    assert body["count"] == 3 and len(body["results"]) == 2 and body["next"]


# --- query counts --------------------------------------------------------------------------


def queries_for(client, url: str) -> int:
    with CaptureQueriesContext(connection) as ctx:
        response = client.get(url)
    assert response.status_code == 200, response.content
    return len(ctx.captured_queries)


def add_grievances(platform, n: int) -> None:
    for _ in range(n):
        g = GrievanceFactory(platform=platform)
        OrganiserFactory(grievance=g)
        MembershipFactory.create_batch(2, grievance=g)


@pytest.mark.parametrize("who", ["anonymous", "member"])
def test_the_grievance_list_costs_the_same_queries_for_3_or_30_grievances(
    as_, who, platform, membership, django_assert_num_queries
):
    client = as_(who)
    url = "/api/v1/grievances/?page_size=100"
    add_grievances(platform, 2)  # plus the fixture's: 3
    count = queries_for(client, url)
    add_grievances(platform, 27)
    with django_assert_num_queries(count):
        response = client.get(url)
    assert len(response.json()["results"]) == 30


@pytest.mark.parametrize("who", ["anonymous", "member", "organiser"])
def test_a_grievance_costs_the_same_queries_with_2_or_20_members(
    as_, who, grievance, membership, django_assert_num_queries
):
    client = as_(who)
    url = f"/api/v1/grievances/{grievance.pk}/"
    # Contributions on both sizes, so the ≥ 5 rule takes the same branch each time.
    Membership.objects.update(amount_withheld=Decimal("10"))
    MembershipFactory.create_batch(4, grievance=grievance, amount_withheld=Decimal("5"))
    small = queries_for(client, url)
    MembershipFactory.create_batch(14, grievance=grievance, amount_withheld=Decimal("5"))
    with django_assert_num_queries(small):
        response = client.get(url)
    assert response.json()["member_count"] == 20


# --- detail --------------------------------------------------------------------------------


@pytest.mark.parametrize("who", CALLERS)
def test_everyone_opens_a_public_grievance(as_, who, grievance, membership):
    response = as_(who).get(f"/api/v1/grievances/{grievance.pk}/")
    assert response.status_code == 200
    body = response.json()
    assert body["title"] == grievance.title and body["demands"] == grievance.demands
    assert body["member_count"] == 2
    assert body["can_organise"] is (who in {"organiser", "staff"})
    assert (body["my_membership"] is not None) is (who in {"member", "organiser"})
    assert [item["kind"] for item in body["checklist"]] == ["settlement_report", "platform_notice"]
    assert body["category_label"] == "Funds withheld"


@pytest.mark.parametrize(
    ("who", "expected"),
    [("anonymous", 404), ("outsider", 404), ("member", 200), ("organiser", 200), ("staff", 200)],
)
def test_a_hidden_grievance_is_a_404_to_those_outside_it(as_, who, expected, hidden, membership):
    response = as_(who).get(f"/api/v1/grievances/{hidden.pk}/")
    assert response.status_code == expected
    if expected == 404:
        assert response.json() == {
            "detail": response.json()["detail"],
            "errors": {},
            "code": "not_found",
        }


@pytest.mark.parametrize("who", CALLERS)
def test_an_unlisted_grievance_opens_with_the_share_key_of_its_link(
    as_, who, grievance, membership
):
    Grievance.objects.filter(pk=grievance.pk).update(visibility=Grievance.Visibility.UNLISTED)
    url = f"/api/v1/grievances/{grievance.pk}/"
    assert as_(who).get(url, {"key": grievance.share_key}).status_code == 200


@pytest.mark.parametrize(
    ("who", "status"),
    [("anonymous", 404), ("outsider", 404), ("member", 200), ("organiser", 200), ("staff", 200)],
)
def test_an_unlisted_grievance_is_not_found_by_guessing_its_id(
    as_, who, status, grievance, membership
):
    Grievance.objects.filter(pk=grievance.pk).update(visibility=Grievance.Visibility.UNLISTED)
    assert as_(who).get(f"/api/v1/grievances/{grievance.pk}/").status_code == status


def test_an_id_that_does_not_exist_is_a_json_404(api_client):
    for url in (
        "/api/v1/grievances/999999/",
        "/api/v1/grievances/abc/",
        f"/api/v1/grievances/{2**70}/",
    ):
        response = api_client.get(url)
        assert response.status_code == 404
        assert response.json()["code"] == "not_found"


def test_my_membership_shows_my_own_store_and_figures(member_api, member, membership, platform):
    store = StoreFactory(seller=member, platform=platform, platform_store_id="MINE-1")
    Membership.objects.filter(pk=membership.pk).update(
        store=store, amount_withheld=Decimal("120.50")
    )
    mine = member_api.get(f"/api/v1/grievances/{membership.grievance_id}/").json()["my_membership"]
    assert mine["id"] == membership.pk
    assert mine["store"] == {"id": store.pk, "name": store.name, "platform_store_id": "MINE-1"}
    assert mine["amount_withheld"] == "120.50"


# --- the ≥ 5 rule --------------------------------------------------------------------------


def contributors(grievance, n: int, platform) -> None:
    for i in range(n):
        m = MembershipFactory(
            grievance=grievance,
            amount_withheld=Decimal("100"),
            amount_fined=Decimal(i + 1),
            currency="USD",
            state=Membership.State.VERIFIED,
        )
        Membership.objects.filter(pk=m.pk).update(
            store=StoreFactory(seller=m.seller, platform=platform)
        )


@pytest.mark.parametrize(
    ("who", "disclosed"),
    [
        ("anonymous", False),
        ("outsider", False),
        ("member", False),
        ("organiser", True),
        ("staff", True),
    ],
)
def test_below_five_contributors_only_organisers_see_amounts_and_store_counts(
    as_, who, disclosed, grievance, membership, platform
):
    contributors(grievance, 4, platform)
    aggregates = as_(who).get(f"/api/v1/grievances/{grievance.pk}/").json()["aggregates"]
    assert aggregates["member_count"] == 6
    assert aggregates["disclosed"] is disclosed
    [usd] = aggregates["currencies"]
    if disclosed:
        assert aggregates["contributor_count"] == 4
        assert aggregates["stores"]["value"] == "4"
        assert (usd["withheld"]["value"], usd["fined"]["value"]) == ("400.00", "10.00")
        assert usd["withheld"]["text"] == "US$400.00"
    else:
        assert aggregates["contributor_count"] is None
        assert aggregates["stores"] == {
            "released": False,
            "value": None,
            "currency": None,
            "text": "hidden to protect members: fewer than 5 sellers stand behind this figure",
        }
        assert usd["withheld"]["value"] is None and usd["fined"]["value"] is None


@pytest.mark.parametrize("who", CALLERS)
def test_from_five_contributors_everyone_sees_the_totals(as_, who, grievance, membership, platform):
    contributors(grievance, 5, platform)
    aggregates = as_(who).get(f"/api/v1/grievances/{grievance.pk}/").json()["aggregates"]
    assert aggregates["disclosed"] is True
    assert aggregates["stores"]["value"] == "5"
    exact = who in ("organiser", "staff")
    assert aggregates["exact"] is exact
    [usd] = aggregates["currencies"]
    assert usd["withheld"]["value"] == ("500.00" if exact else "500")
    assert usd["fined"]["value"] == ("15.00" if exact else "15")
    assert usd["withheld"]["text"] == ("US$500.00" if exact else "about US$500")


# --- create --------------------------------------------------------------------------------


NEW = {
    "platform": "wishful",
    "category": "refund_dispute",
    "title": "Refunds granted without any reason",
    "summary": "Buyers keep their goods and get refunds.",
    "demands": "Stop automatic refunds.",
}


def test_anonymous_callers_cannot_register_a_grievance(api_client, platform):
    assert api_client.post("/api/v1/grievances/", NEW, format="json").status_code == 403
    assert not Grievance.objects.exists()


@pytest.mark.parametrize("who", ["outsider", "member", "organiser", "staff"])
def test_a_signed_in_caller_registers_a_grievance_and_becomes_its_organiser(as_, who, platform):
    response = as_(who).post(
        "/api/v1/grievances/", {**NEW, "visibility": "unlisted"}, format="json"
    )
    assert response.status_code == 201, response.json()
    body = response.json()
    assert body["can_organise"] is True
    assert body["my_membership"]["role"] == "organiser"
    assert body["member_count"] == 1 and body["visibility"] == "unlisted"
    g = Grievance.objects.get(pk=body["id"])
    assert AuditEvent.objects.filter(grievance=g, verb="grievance.created").count() == 1


def test_registering_with_missing_or_wrong_fields_gives_field_errors(outsider_api, platform):
    response = outsider_api.post(
        "/api/v1/grievances/",
        {"platform": "nowhere", "category": "bad", "title": "  "},
        format="json",
    )
    assert response.status_code == 400
    assert {"platform", "category", "title", "summary", "demands"} <= set(response.json()["errors"])


# --- edit, state, merge --------------------------------------------------------------------


@pytest.mark.parametrize("who", CALLERS)
def test_only_organisers_and_staff_edit_a_grievance(as_, who, grievance, membership):
    response = as_(who).patch(
        f"/api/v1/grievances/{grievance.pk}/", {"title": "A clearer title"}, format="json"
    )
    assert response.status_code == ORGANISER_ONLY[who]
    grievance.refresh_from_db()
    assert (grievance.title == "A clearer title") is (response.status_code == 200)
    if response.status_code == 200:
        assert response.json()["title"] == "A clearer title"
        assert grievance.events.filter(verb="grievance.edited").count() == 1


@pytest.mark.parametrize(
    ("who", "expected"), [("outsider", 404), ("member", 403), ("organiser", 200)]
)
def test_editing_a_hidden_grievance_is_a_404_to_outsiders(as_, who, expected, hidden, membership):
    assert (
        as_(who)
        .patch(f"/api/v1/grievances/{hidden.pk}/", {"title": "New title"}, format="json")
        .status_code
        == expected
    )


def test_put_is_not_offered_for_grievances(organiser_api, grievance):
    assert (
        organiser_api.put(
            f"/api/v1/grievances/{grievance.pk}/", {"title": "x"}, format="json"
        ).status_code
        == 405
    )


def test_an_edit_cannot_touch_fields_outside_the_editable_set(organiser_api, grievance):
    response = organiser_api.patch(
        f"/api/v1/grievances/{grievance.pk}/",
        {"state": "closed", "hidden": True, "summary": "Better."},
        format="json",
    )
    assert response.status_code == 200
    grievance.refresh_from_db()
    assert (grievance.state, grievance.hidden, grievance.summary) == ("open", False, "Better.")


@pytest.mark.parametrize("who", CALLERS)
def test_only_organisers_and_staff_change_the_state(as_, who, grievance, membership):
    response = as_(who).post(
        f"/api/v1/grievances/{grievance.pk}/state/", {"state": "resolved"}, format="json"
    )
    assert response.status_code == ORGANISER_ONLY[who]
    grievance.refresh_from_db()
    assert (grievance.state == "resolved") is (response.status_code == 200)


def test_a_move_the_rules_do_not_allow_is_a_field_error(organiser_api, grievance):
    response = organiser_api.post(
        f"/api/v1/grievances/{grievance.pk}/state/", {"state": "merged"}, format="json"
    )
    assert response.status_code == 400
    assert "state" in response.json()["errors"]


@pytest.mark.parametrize("who", CALLERS)
def test_only_organisers_of_both_and_staff_merge(as_, who, duplicate, grievance, membership):
    response = as_(who).post(
        f"/api/v1/grievances/{duplicate.pk}/merge/", {"into": grievance.pk}, format="json"
    )
    assert response.status_code == ORGANISER_ONLY[who]
    duplicate.refresh_from_db()
    assert (duplicate.state == Grievance.State.MERGED) is (response.status_code == 200)
    if response.status_code == 200:
        body = response.json()
        assert body["id"] == grievance.pk and body["member_count"] == 3
        assert grievance.events.filter(verb="grievance.merged_from").count() == 1
        assert duplicate.events.filter(verb="grievance.merged_into").count() == 1


def test_an_organiser_of_only_one_side_cannot_merge(organiser_api, grievance, platform):
    foreign = GrievanceFactory(platform=platform)
    OrganiserFactory(grievance=foreign)
    response = organiser_api.post(
        f"/api/v1/grievances/{grievance.pk}/merge/", {"into": foreign.pk}, format="json"
    )
    assert response.status_code == 400
    assert "into" in response.json()["errors"]
    grievance.refresh_from_db()
    assert grievance.state == Grievance.State.OPEN


def test_merging_into_a_hidden_grievance_one_cannot_see_reads_as_unknown(
    organiser_api, grievance, platform
):
    secret = GrievanceFactory(platform=platform, hidden=True)
    response = organiser_api.post(
        f"/api/v1/grievances/{grievance.pk}/merge/", {"into": secret.pk}, format="json"
    )
    assert response.status_code == 400
    assert "into" in response.json()["errors"]


# --- similar -------------------------------------------------------------------------------


@pytest.mark.parametrize("who", CALLERS)
def test_similar_offers_an_existing_grievance_by_a_shared_word_to_everyone(as_, who, platform):
    existing = GrievanceFactory(
        platform=platform, title="Verification holds on every new store", summary="s"
    )
    GrievanceFactory(
        platform=PlatformFactory(slug="other"), title="Verification holds elsewhere", summary="s"
    )
    response = as_(who).get(
        "/api/v1/grievances/similar/", {"platform": "wishful", "title": "verification holds"}
    )
    assert response.status_code == 200
    assert [g["id"] for g in response.json()] == [existing.pk]
    assert set(response.json()[0]) >= {"id", "title", "url", "member_count", "category"}


def test_similar_accepts_a_platform_id_too(api_client, platform):
    existing = GrievanceFactory(platform=platform, title="Payouts frozen since March")
    response = api_client.get(
        "/api/v1/grievances/similar/", {"platform": platform.pk, "title": "payouts frozen"}
    )
    assert [g["id"] for g in response.json()] == [existing.pk]


def test_similar_never_offers_hidden_closed_or_unlisted_grievances_to_strangers(
    api_client, platform
):
    GrievanceFactory(platform=platform, title="Payouts frozen one", hidden=True)
    GrievanceFactory(platform=platform, title="Payouts frozen two", state=Grievance.State.CLOSED)
    GrievanceFactory(
        platform=platform, title="Payouts frozen three", visibility=Grievance.Visibility.UNLISTED
    )
    assert (
        api_client.get(
            "/api/v1/grievances/similar/", {"platform": "wishful", "title": "payouts frozen"}
        ).json()
        == []
    )


def test_similar_needs_a_known_platform_and_a_title(api_client, platform):
    response = api_client.get("/api/v1/grievances/similar/", {"platform": "nowhere"})
    assert response.status_code == 400
    assert {"platform", "title"} <= set(response.json()["errors"])
    assert (
        api_client.get("/api/v1/grievances/similar/", {"platform": "wishful", "title": "ab"}).json()
        == []
    )


@pytest.mark.postgres
def test_similar_finds_the_existing_grievance_for_a_reworded_title_on_postgresql(
    postgres, api_client, platform
):
    existing = GrievanceFactory(
        platform=platform,
        title="Payouts frozen after the new verification policy",
        summary="Our settlements have been withheld for 90 days.",
    )
    GrievanceFactory(
        platform=platform,
        title="Counterfeit listings copy our designs",
        summary="Fakes everywhere.",
    )
    response = api_client.get(
        "/api/v1/grievances/similar/",
        {"platform": "wishful", "title": "payout freeze verification policy"},
    )
    assert response.status_code == 200
    assert [g["id"] for g in response.json()] == [existing.pk]
    assert response.json()[0]["member_count"] == 0
