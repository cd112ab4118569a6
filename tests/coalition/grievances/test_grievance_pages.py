"""Grievance pages: list, detail, create (with similar suggestions), edit, state, merge, hide."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from coalition.actions.timeline import record_event
from coalition.models import AuditEvent, Grievance, Membership
from tests.factories import (
    GrievanceFactory,
    MembershipFactory,
    OrganiserFactory,
    PlatformFactory,
    SellerFactory,
    StoreFactory,
)
from tests.files import ROLES, is_login_redirect, text

pytestmark = pytest.mark.django_db


def detail_url(g: Grievance) -> str:
    return reverse("coalition:grievance_detail", args=[g.pk])


# --- list ----------------------------------------------------------------------------------


@pytest.mark.parametrize("role", ROLES)
def test_everyone_sees_the_public_grievance_list(client_as, grievance, role):
    response = client_as(role).get(reverse("coalition:grievance_list"))
    assert response.status_code == 200
    assert grievance.title in text(response)


@pytest.mark.parametrize(
    ("role", "listed"),
    [
        ("anonymous", False),
        ("outsider", False),
        ("member", True),
        ("organiser", True),
        ("staff", True),
    ],
)
def test_unlisted_grievances_are_listed_only_for_their_members_and_staff(
    client_as, grievance, role, listed
):
    Grievance.objects.filter(pk=grievance.pk).update(visibility=Grievance.Visibility.UNLISTED)
    response = client_as(role).get(reverse("coalition:grievance_list"))
    assert (grievance.title in text(response)) is listed


def test_the_list_filters_by_platform_category_state_and_search(client, platform):
    wanted = GrievanceFactory(
        platform=platform, category="refund_dispute", title="Refunds forced on sellers"
    )
    other_platform = GrievanceFactory(category="refund_dispute", title="Refunds on another market")
    other_category = GrievanceFactory(
        platform=platform, category="account_linking", title="Linked accounts closed"
    )
    closed = GrievanceFactory(
        platform=platform,
        category="refund_dispute",
        title="Refunds closed case",
        state=Grievance.State.CLOSED,
    )
    response = client.get(
        reverse("coalition:grievance_list"),
        {
            "platform": platform.slug,
            "category": "refund_dispute",
            "state": "open",
            "q": "refunds",
        },
    )
    body = text(response)
    assert wanted.title in body
    for g in (other_platform, other_category, closed):
        assert g.title not in body


def test_the_list_shows_member_counts_and_state(client, grievance, membership):
    body = text(client.get(reverse("coalition:grievance_list")))
    assert '<strong class="num">2</strong>' in body
    assert "badge-state-open" in body


def test_an_empty_search_offers_to_register_a_grievance(client, grievance):
    body = text(
        client.get(reverse("coalition:grievance_list"), {"q": "nothing like this anywhere"})
    )
    assert "No grievance matches your search" in body
    assert reverse("coalition:grievance_create") in body


def test_a_stale_platform_filter_is_ignored_not_an_error(client, grievance):
    response = client.get(reverse("coalition:grievance_list"), {"platform": "gone"})
    assert response.status_code == 200


def test_the_list_is_paginated(client, platform):
    GrievanceFactory.create_batch(25, platform=platform)
    first = text(client.get(reverse("coalition:grievance_list")))
    assert "Page 1 of 2" in first
    second = client.get(reverse("coalition:grievance_list"), {"page": 2})
    assert second.status_code == 200 and "Page 2 of 2" in text(second)


def _grievances_with_members(platform, n: int) -> None:
    for _ in range(n):
        g = GrievanceFactory(platform=platform)
        OrganiserFactory(grievance=g)
        MembershipFactory(grievance=g)


@pytest.mark.parametrize("role", ["anonymous", "member"])
def test_list_query_count_does_not_grow_with_the_number_of_grievances(
    client_as, platform, django_assert_num_queries, role
):
    client = client_as(role)
    _grievances_with_members(platform, 2)
    url = reverse("coalition:grievance_list")
    client.get(url)  # warm the session and any first-request work
    with CaptureQueriesContext(connection) as small:
        client.get(url)
    _grievances_with_members(platform, 25)
    with django_assert_num_queries(len(small.captured_queries)):
        response = client.get(url)
    assert response.status_code == 200


# --- detail --------------------------------------------------------------------------------


@pytest.mark.parametrize("role", ROLES)
def test_everyone_can_open_a_public_grievance(client_as, grievance, role):
    response = client_as(role).get(detail_url(grievance))
    assert response.status_code == 200
    body = text(response)
    assert grievance.title in body and grievance.summary in body and grievance.demands in body


@pytest.mark.parametrize("role", ROLES)
def test_an_unlisted_grievance_opens_by_its_share_link_for_everyone(client_as, grievance, role):
    Grievance.objects.filter(pk=grievance.pk).update(visibility=Grievance.Visibility.UNLISTED)
    assert (
        client_as(role).get(detail_url(grievance), {"key": grievance.share_key}).status_code == 200
    )


@pytest.mark.parametrize(
    ("role", "status"),
    [("anonymous", 404), ("outsider", 404), ("member", 200), ("organiser", 200), ("staff", 200)],
)
def test_an_unlisted_grievance_is_not_found_by_guessing_its_id(client_as, grievance, role, status):
    Grievance.objects.filter(pk=grievance.pk).update(visibility=Grievance.Visibility.UNLISTED)
    assert client_as(role).get(detail_url(grievance)).status_code == status
    assert client_as(role).get(detail_url(grievance), {"key": "wrong"}).status_code == status


def test_members_of_an_unlisted_grievance_see_its_share_link_and_the_link_lets_others_join(
    client_as, grievance
):
    Grievance.objects.filter(pk=grievance.pk).update(visibility=Grievance.Visibility.UNLISTED)
    page = text(client_as("member").get(detail_url(grievance)))
    assert f"?key={grievance.share_key}" in page
    by_link = text(client_as("outsider").get(detail_url(grievance), {"key": grievance.share_key}))
    assert f"/join/?key={grievance.share_key}" in by_link
    assert grievance.share_key not in text(client_as("organiser").get("/grievances/"))


@pytest.mark.parametrize(
    ("role", "status"),
    [
        ("anonymous", 404),
        ("outsider", 404),
        ("member", 200),
        ("organiser", 200),
        ("staff", 200),
    ],
)
def test_a_hidden_grievance_is_404_except_to_its_members_and_staff(
    client_as, grievance, role, status
):
    Grievance.objects.filter(pk=grievance.pk).update(hidden=True, hidden_reason="spam")
    assert client_as(role).get(detail_url(grievance)).status_code == status


def test_an_unknown_grievance_is_404(client):
    assert client.get(reverse("coalition:grievance_detail", args=[999999])).status_code == 404


@pytest.fixture
def secret_store(grievance, membership):
    """Another member's store and amount; the `member` fixture's seller views it."""
    sam = SellerFactory(display_name="Sam Secret")
    store = StoreFactory(
        seller=sam,
        platform=grievance.platform,
        name="Sam's Shop",
        platform_store_id="SECRET-ID-4242",
    )
    MembershipFactory(
        grievance=grievance,
        seller=sam,
        store=store,
        amount_withheld=Decimal("1234.50"),
        consent_to_name=False,
    )
    return store


@pytest.mark.parametrize(
    ("role", "sees"),
    [
        ("anonymous", False),
        ("outsider", False),
        ("member", False),
        ("organiser", True),
        ("staff", True),
    ],
)
def test_only_organisers_and_staff_see_store_ids_and_amounts(
    client_as, grievance, secret_store, role, sees
):
    body = text(client_as(role).get(detail_url(grievance)))
    assert ("SECRET-ID-4242" in body) is sees
    assert ("1,234.50" in body) is sees


def test_members_see_only_the_names_of_members_who_consented(
    client_as, grievance, secret_store, outsider
):
    named = MembershipFactory(
        grievance=grievance, consent_to_name=True, seller=SellerFactory(display_name="Nadia Named")
    )
    assert named.pk
    member_view = text(client_as("member").get(detail_url(grievance)))
    assert "Nadia Named" in member_view
    assert "Sam Secret" not in member_view
    assert "Sam Secret" in text(client_as("organiser").get(detail_url(grievance)))
    assert "Nadia Named" not in text(client_as("anonymous").get(detail_url(grievance)))


def test_the_timeline_hides_the_names_of_members_who_did_not_consent(
    client_as, grievance, member, membership
):
    record_event(grievance, "membership.joined", actor=member.user, membership=membership.pk)
    public = text(client_as("anonymous").get(detail_url(grievance)))
    assert "Mia Member" not in public
    assert "A member" in public
    assert "Mia Member" in text(client_as("organiser").get(detail_url(grievance)))


def _contributors(grievance, n: int, amount="100.00") -> None:
    for _ in range(n):
        MembershipFactory(
            grievance=grievance,
            amount_withheld=Decimal(amount),
            currency="USD",
            state=Membership.State.VERIFIED,
        )


def test_totals_stay_hidden_from_members_below_five_contributors(client_as, grievance, membership):
    _contributors(grievance, 4, "111.00")
    body = text(client_as("member").get(detail_url(grievance)))
    assert "hidden to protect members: fewer than 5 sellers reported amounts in USD" in body
    assert "444" not in body


def test_totals_are_shown_to_everyone_from_five_contributors_rounded(
    client_as, grievance, membership
):
    _contributors(grievance, 5, "111.00")
    for role in ("anonymous", "member"):
        body = text(client_as(role).get(detail_url(grievance)))
        assert "about US$560" in body
        assert "555" not in body


def test_organisers_see_exact_totals_below_the_threshold(client_as, grievance):
    _contributors(grievance, 2, "111.00")
    body = text(client_as("organiser").get(detail_url(grievance)))
    assert '<td class="num">US$222.00</td>' in body
    assert "Only you and the other organisers see these totals" in body
    assert "hidden to protect members: fewer than 5 sellers reported amounts in USD" in body


def test_the_detail_lists_the_category_evidence_checklist(client, grievance):
    body = text(client.get(detail_url(grievance)))  # funds_withheld
    assert "Settlement report" in body and "Platform notice" in body


def test_timeline_times_are_shown_in_the_viewer_time_zone(client_as, grievance, organiser):
    organiser.time_zone = "Asia/Shanghai"
    organiser.save(update_fields=["time_zone"])
    event = record_event(grievance, "grievance.edited", actor=organiser.user)
    AuditEvent.objects.filter(pk=event.pk).update(
        created_at=dt.datetime(2024, 1, 1, 0, 0, tzinfo=dt.UTC)
    )
    assert "Jan. 1, 2024, 8 a.m." in text(client_as("organiser").get(detail_url(grievance)))
    assert "Jan. 1, 2024, midnight" in text(client_as("anonymous").get(detail_url(grievance)))


def test_a_merged_grievance_redirects_to_its_target_with_a_message(client, grievance, platform):
    target = GrievanceFactory(platform=platform, title="The surviving coalition")
    Grievance.objects.filter(pk=grievance.pk).update(
        state=Grievance.State.MERGED, merged_into=target
    )
    response = client.get(detail_url(grievance), follow=True)
    assert response.redirect_chain[-1][0] == detail_url(target)
    assert "was merged into this grievance" in text(response)


def _members_with_events(grievance, n: int) -> None:
    for _ in range(n):
        seller = SellerFactory()
        m = MembershipFactory(
            grievance=grievance,
            seller=seller,
            consent_to_name=True,
            store=StoreFactory(seller=seller, platform=grievance.platform),
            amount_withheld=Decimal("10"),
        )
        record_event(grievance, "membership.joined", actor=seller.user, membership=m.pk)


@pytest.mark.parametrize("role", ["anonymous", "member", "organiser"])
def test_detail_query_count_does_not_grow_with_the_number_of_members(
    client_as, grievance, django_assert_num_queries, role
):
    client = client_as(role)
    # Past the ≥5 threshold at both sizes, so both pages show the same sections.
    _contributors(grievance, 5)
    _members_with_events(grievance, 2)
    client.get(detail_url(grievance))
    with CaptureQueriesContext(connection) as small:
        client.get(detail_url(grievance))
    _members_with_events(grievance, 18)
    with django_assert_num_queries(len(small.captured_queries)):
        response = client.get(detail_url(grievance))
    assert response.status_code == 200


# --- create and similar suggestions --------------------------------------------------------


def create_data(platform, **overrides) -> dict:
    data = {
        "platform": platform.pk,
        "category": "funds_withheld",
        "title": "Payouts frozen by Wishful in March",
        "summary": "Our payouts are frozen since March.",
        "demands": "Release the payouts.",
        "visibility": "public",
        "infraction_date": "",
    }
    data.update(overrides)
    return data


@pytest.mark.parametrize(
    ("role", "status"),
    [
        ("outsider", 200),
        ("member", 200),
        ("organiser", 200),
        ("staff", 200),
    ],
)
def test_signed_in_sellers_open_the_create_form(client_as, role, status):
    assert client_as(role).get(reverse("coalition:grievance_create")).status_code == status


@pytest.mark.parametrize("method", ["get", "post"])
def test_creating_needs_an_account(client, method):
    assert is_login_redirect(getattr(client, method)(reverse("coalition:grievance_create")))


def test_creating_without_similar_grievances_registers_it_and_makes_the_creator_organiser(
    client_as, platform, outsider
):
    response = client_as("outsider").post(
        reverse("coalition:grievance_create"),
        create_data(
            platform,
            title="Unheard trouble",
            summary="Listings vanished overnight.",
            demands="Restore them.",
        ),
    )
    g = Grievance.objects.get(title="Unheard trouble")
    assert response.status_code == 302 and response["Location"] == detail_url(g)
    assert g.memberships.get().seller == outsider
    assert g.memberships.get().role == Membership.Role.ORGANISER


@pytest.fixture
def existing(platform, organiser):
    g = GrievanceFactory(
        platform=platform,
        title="Wishful froze our payouts after March",
        summary="Payouts frozen for months.",
    )
    OrganiserFactory(grievance=g, seller=organiser)
    return g


def test_posting_a_similar_title_offers_the_existing_grievance_instead_of_creating(
    client_as, platform, existing
):
    before = Grievance.objects.count()
    response = client_as("outsider").post(
        reverse("coalition:grievance_create"), create_data(platform)
    )
    assert response.status_code == 200
    body = text(response)
    assert existing.title in body
    assert reverse("coalition:join", args=[existing.pk]) in body
    assert 'name="confirm_new"' in body
    assert Grievance.objects.count() == before


def test_submitting_again_without_choosing_asks_to_join_or_tick_the_box(
    client_as, platform, existing
):
    response = client_as("outsider").post(
        reverse("coalition:grievance_create"), create_data(platform, seen_similar="1")
    )
    assert response.status_code == 200
    assert 'id="id_confirm_new_error"' in text(response)
    assert not Grievance.objects.filter(title="Payouts frozen by Wishful in March").exists()


def test_confirming_none_of_these_creates_the_new_grievance(client_as, platform, existing):
    response = client_as("outsider").post(
        reverse("coalition:grievance_create"), create_data(platform, confirm_new="on")
    )
    g = Grievance.objects.get(title="Payouts frozen by Wishful in March")
    assert response.status_code == 302 and response["Location"] == detail_url(g)


def test_similar_grievances_on_another_platform_are_not_offered(client_as, existing):
    other = PlatformFactory()
    response = client_as("outsider").post(reverse("coalition:grievance_create"), create_data(other))
    assert response.status_code == 302


def test_create_form_errors_are_shown_next_to_the_fields(client_as, platform):
    response = client_as("outsider").post(
        reverse("coalition:grievance_create"), create_data(platform, title="", summary="")
    )
    assert response.status_code == 200
    body = text(response)
    assert 'id="id_title_error"' in body and 'id="id_summary_error"' in body


def test_the_create_form_asks_for_live_suggestions(client_as):
    body = text(client_as("outsider").get(reverse("coalition:grievance_create")))
    assert f'data-similar-url="{reverse("coalition:similar")}"' in body
    assert 'id="similar-live"' in body


def test_the_similar_endpoint_returns_open_grievances_on_the_platform(client, platform, existing):
    response = client.get(
        reverse("coalition:similar"), {"platform": platform.pk, "title": "payouts frozen in March"}
    )
    assert response.status_code == 200
    results = response.json()["results"]
    assert [r["title"] for r in results] == [existing.title]
    assert results[0]["url"] == detail_url(existing)
    assert results[0]["member_count"] == 1


def test_the_similar_endpoint_ignores_bad_input(client, existing):
    assert client.get(
        reverse("coalition:similar"), {"platform": "x", "title": "payouts"}
    ).json() == {"results": []}
    assert client.get(reverse("coalition:similar")).json() == {"results": []}


# --- edit, state, merge, hide --------------------------------------------------------------

ORGANISER_ONLY = [("outsider", 403), ("member", 403), ("organiser", 200), ("staff", 200)]


@pytest.mark.parametrize(("role", "status"), ORGANISER_ONLY)
def test_only_organisers_and_staff_open_the_edit_page(client_as, grievance, role, status):
    assert (
        client_as(role).get(reverse("coalition:grievance_edit", args=[grievance.pk])).status_code
        == status
    )


def test_anonymous_visitors_are_sent_to_log_in_for_organiser_pages(client, grievance):
    for name in ("grievance_edit", "grievance_merge", "grievance_state", "grievance_hide"):
        assert is_login_redirect(client.get(reverse(f"coalition:{name}", args=[grievance.pk])))


def test_organiser_pages_of_a_hidden_grievance_are_404_to_outsiders(client_as, grievance):
    Grievance.objects.filter(pk=grievance.pk).update(hidden=True)
    assert (
        client_as("outsider")
        .get(reverse("coalition:grievance_edit", args=[grievance.pk]))
        .status_code
        == 404
    )


def test_an_organiser_edits_the_grievance(client_as, grievance):
    response = client_as("organiser").post(
        reverse("coalition:grievance_edit", args=[grievance.pk]),
        {
            "category": grievance.category,
            "title": "A clearer title",
            "summary": grievance.summary,
            "demands": grievance.demands,
            "rung": "platform_appeal",
            "visibility": "public",
            "infraction_date": "",
        },
    )
    assert response.status_code == 302
    grievance.refresh_from_db()
    assert grievance.title == "A clearer title"
    assert grievance.events.filter(verb="grievance.edited").exists()


@pytest.mark.parametrize(
    ("role", "status"), [("outsider", 403), ("member", 403), ("organiser", 302), ("staff", 302)]
)
def test_only_organisers_and_staff_change_the_state(client_as, grievance, role, status):
    response = client_as(role).post(
        reverse("coalition:grievance_state", args=[grievance.pk]), {"state": "resolved"}
    )
    assert response.status_code == status
    grievance.refresh_from_db()
    assert (grievance.state == Grievance.State.RESOLVED) is (status == 302)


def test_a_refused_state_change_is_shown_as_an_error(client_as, grievance):
    response = client_as("organiser").post(
        reverse("coalition:grievance_state", args=[grievance.pk]), {"state": "merged"}, follow=True
    )
    assert "cannot become" in text(response)


def test_the_state_page_refuses_get(client_as, grievance):
    assert (
        client_as("organiser")
        .get(reverse("coalition:grievance_state", args=[grievance.pk]))
        .status_code
        == 405
    )


@pytest.mark.parametrize(("role", "status"), ORGANISER_ONLY)
def test_only_organisers_and_staff_open_the_merge_page(client_as, grievance, role, status):
    assert (
        client_as(role).get(reverse("coalition:grievance_merge", args=[grievance.pk])).status_code
        == status
    )


def test_the_merge_page_offers_only_open_grievances_on_the_same_platform_that_the_organiser_runs(
    client_as, grievance, organiser, platform
):
    mine = GrievanceFactory(platform=platform, title="Mine too")
    OrganiserFactory(grievance=mine, seller=organiser)
    not_mine = GrievanceFactory(platform=platform, title="Someone else's")
    OrganiserFactory(grievance=not_mine)
    elsewhere = GrievanceFactory(title="Other platform")
    OrganiserFactory(grievance=elsewhere, seller=organiser)
    body = text(
        client_as("organiser").get(reverse("coalition:grievance_merge", args=[grievance.pk]))
    )
    assert "Mine too" in body
    assert "Someone else" not in body and "Other platform" not in body


def test_merging_moves_the_members_and_redirects_to_the_target(
    client_as, grievance, organiser, platform, membership
):
    target = GrievanceFactory(platform=platform, title="Mine too")
    OrganiserFactory(grievance=target, seller=organiser)
    response = client_as("organiser").post(
        reverse("coalition:grievance_merge", args=[grievance.pk]),
        {"into": target.pk, "confirm": "on"},
    )
    assert response.status_code == 302 and response["Location"] == detail_url(target)
    grievance.refresh_from_db()
    assert grievance.state == Grievance.State.MERGED and grievance.merged_into == target
    assert target.memberships.active().filter(seller=membership.seller).exists()


def test_merging_needs_the_confirmation(client_as, grievance, organiser, platform):
    target = GrievanceFactory(platform=platform)
    OrganiserFactory(grievance=target, seller=organiser)
    response = client_as("organiser").post(
        reverse("coalition:grievance_merge", args=[grievance.pk]), {"into": target.pk}
    )
    assert response.status_code == 200 and 'id="id_confirm_error"' in text(response)


@pytest.mark.parametrize(
    ("role", "status"), [("outsider", 403), ("member", 403), ("organiser", 403), ("staff", 302)]
)
def test_only_staff_hide_a_grievance(client_as, grievance, role, status):
    response = client_as(role).post(
        reverse("coalition:grievance_hide", args=[grievance.pk]), {"reason": "abuse"}
    )
    assert response.status_code == status
    grievance.refresh_from_db()
    assert grievance.hidden is (status == 302)


def test_staff_make_a_hidden_grievance_visible_again(client_as, grievance):
    Grievance.objects.filter(pk=grievance.pk).update(hidden=True)
    client_as("staff").post(
        reverse("coalition:grievance_hide", args=[grievance.pk]), {"hidden": "0"}
    )
    grievance.refresh_from_db()
    assert grievance.hidden is False


def test_only_staff_see_the_hide_button(client_as, grievance):
    url = reverse("coalition:grievance_hide", args=[grievance.pk])
    assert url in text(client_as("staff").get(detail_url(grievance)))
    assert url not in text(client_as("organiser").get(detail_url(grievance)))
