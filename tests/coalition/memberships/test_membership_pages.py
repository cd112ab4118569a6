"""Joining, updating one's case, leaving and re-joining; organisers verifying and promoting."""

from __future__ import annotations

from decimal import Decimal

import pytest
from django.urls import reverse

from coalition.models import Grievance, Membership
from tests.factories import GrievanceFactory, MembershipFactory, SellerFactory, StoreFactory
from tests.files import is_login_redirect, text

pytestmark = pytest.mark.django_db


def url(name: str, grievance: Grievance, *args) -> str:
    return reverse(f"coalition:{name}", args=[grievance.pk, *args])


def case_data(**overrides) -> dict:
    data = {
        "store": "",
        "incident_date": "2024-03-01",
        "amount_withheld": "250.00",
        "amount_fined": "",
        "currency": "usd",
        "statement": "Frozen since March.",
        "consent_to_name": "on",
    }
    data.update(overrides)
    return data


# --- join ----------------------------------------------------------------------------------


@pytest.mark.parametrize("method", ["get", "post"])
def test_joining_needs_an_account(client, grievance, method):
    assert is_login_redirect(getattr(client, method)(url("join", grievance)))


@pytest.mark.parametrize(
    ("role", "status"), [("outsider", 200), ("staff", 200), ("member", 302), ("organiser", 302)]
)
def test_the_join_form_is_for_sellers_who_are_not_members_yet(client_as, grievance, role, status):
    response = client_as(role).get(url("join", grievance))
    assert response.status_code == status
    if status == 302:
        assert response["Location"] == url("case_edit", grievance)


def test_joining_a_hidden_grievance_is_404_for_outsiders(client_as, grievance):
    Grievance.objects.filter(pk=grievance.pk).update(hidden=True)
    assert client_as("outsider").get(url("join", grievance)).status_code == 404
    assert client_as("outsider").post(url("join", grievance), case_data()).status_code == 404


def test_joining_with_a_case_creates_the_membership(client_as, grievance, outsider):
    store = StoreFactory(seller=outsider, platform=grievance.platform)
    response = client_as("outsider").post(url("join", grievance), case_data(store=store.pk))
    assert response.status_code == 302 and response["Location"] == grievance.get_absolute_url()
    m = Membership.objects.get(grievance=grievance, seller=outsider)
    assert (m.store, m.amount_withheld, m.currency, m.consent_to_name) == (
        store,
        Decimal("250.00"),
        "USD",
        True,
    )
    assert grievance.events.filter(verb="membership.joined").exists()


def test_the_join_form_offers_only_own_stores_on_that_platform(client_as, grievance, outsider):
    mine = StoreFactory(seller=outsider, platform=grievance.platform, name="Mine here")
    StoreFactory(seller=outsider, name="Mine elsewhere")
    StoreFactory(platform=grievance.platform, name="Someone else's")
    body = text(client_as("outsider").get(url("join", grievance)))
    assert "Mine here" in body and mine.platform_store_id in body
    assert "Mine elsewhere" not in body and "Someone else" not in body


def test_another_sellers_store_is_refused_next_to_the_field(client_as, grievance):
    theirs = StoreFactory(platform=grievance.platform)
    response = client_as("outsider").post(url("join", grievance), case_data(store=theirs.pk))
    assert response.status_code == 200
    assert 'id="id_store_error"' in text(response)


def test_a_future_incident_date_is_refused_next_to_the_field(client_as, grievance):
    response = client_as("outsider").post(
        url("join", grievance), case_data(incident_date="2999-01-01")
    )
    assert response.status_code == 200
    assert 'id="id_incident_date_error"' in text(response)


@pytest.mark.parametrize("currency", ["US", "DOLLARS", "12$"])
def test_a_bad_currency_is_refused(client_as, grievance, currency):
    response = client_as("outsider").post(url("join", grievance), case_data(currency=currency))
    assert response.status_code == 200 and 'id="id_currency_error"' in text(response)


def test_negative_amounts_are_refused(client_as, grievance):
    response = client_as("outsider").post(url("join", grievance), case_data(amount_withheld="-5"))
    assert response.status_code == 200 and 'id="id_amount_withheld_error"' in text(response)


def test_without_a_store_on_the_platform_the_join_form_links_to_adding_one(client_as, grievance):
    body = text(client_as("outsider").get(url("join", grievance)))
    assert (
        reverse("coalition:store_create") + f"?platform={grievance.platform_id}&amp;next=" in body
    )


def test_a_closed_grievance_takes_no_new_members(client_as, grievance, outsider):
    Grievance.objects.filter(pk=grievance.pk).update(state=Grievance.State.CLOSED)
    response = client_as("outsider").post(url("join", grievance), case_data(), follow=True)
    assert "not open for new members" in text(response)
    assert not Membership.objects.filter(grievance=grievance, seller=outsider).exists()


def test_the_join_form_offers_common_currencies(client_as, grievance):
    body = text(client_as("outsider").get(url("join", grievance)))
    for code in ("USD", "CNY", "EUR", "GBP", "HKD"):
        assert f'<option value="{code}">' in body


def test_joining_is_rate_limited(client_as, grievance):
    client = client_as("outsider")
    for _ in range(30):
        assert client.post(url("join", grievance), case_data()).status_code in {200, 302}
    response = client.post(url("join", grievance), case_data())
    assert response.status_code == 429
    assert client.get(url("join", grievance)).status_code in {200, 302}  # reading is not limited


# --- leave and re-join ---------------------------------------------------------------------


def test_leaving_asks_for_confirmation_then_withdraws(client_as, grievance, membership):
    client = client_as("member")
    assert client.get(url("leave", grievance)).status_code == 200
    response = client.post(url("leave", grievance))
    assert response.status_code == 302
    membership.refresh_from_db()
    assert membership.state == Membership.State.WITHDRAWN


def test_a_seller_who_left_can_join_again_and_finds_their_case(client_as, grievance, membership):
    Membership.objects.filter(pk=membership.pk).update(statement="My earlier words")
    client = client_as("member")
    client.post(url("leave", grievance))
    assert "My earlier words" in text(client.get(url("join", grievance)))
    client.post(url("join", grievance), case_data(statement="Back again"))
    membership.refresh_from_db()
    assert membership.state == Membership.State.JOINED and membership.statement == "Back again"


def test_the_last_organiser_cannot_leave_and_is_told_why(client_as, grievance, organiser):
    response = client_as("organiser").post(url("leave", grievance), follow=True)
    assert "You are the last organiser" in text(response)
    assert grievance.memberships.organisers().filter(seller=organiser).exists()


@pytest.mark.parametrize("method", ["get", "post"])
def test_leaving_needs_an_account(client, grievance, method):
    assert is_login_redirect(getattr(client, method)(url("leave", grievance)))


def test_an_outsider_cannot_leave_what_they_never_joined(client_as, grievance):
    response = client_as("outsider").post(url("leave", grievance), follow=True)
    assert "You are not a member" in text(response)


# --- my case -------------------------------------------------------------------------------


def test_a_member_updates_their_case(client_as, grievance, member, membership):
    store = StoreFactory(seller=member, platform=grievance.platform)
    response = client_as("member").post(
        url("case_edit", grievance), case_data(store=store.pk, amount_fined="12.5", currency="CNY")
    )
    assert response.status_code == 302
    membership.refresh_from_db()
    assert (membership.store, membership.amount_fined, membership.currency) == (
        store,
        Decimal("12.50"),
        "CNY",
    )


def test_an_outsider_opening_my_case_is_sent_to_join(client_as, grievance):
    response = client_as("outsider").get(url("case_edit", grievance))
    assert response.status_code == 302 and response["Location"] == url("join", grievance)


def test_my_case_needs_an_account(client, grievance):
    assert is_login_redirect(client.get(url("case_edit", grievance)))


# --- organisers act on members -------------------------------------------------------------


@pytest.mark.parametrize(
    ("role", "status"), [("outsider", 403), ("member", 403), ("organiser", 302), ("staff", 302)]
)
def test_only_organisers_and_staff_verify_members(client_as, grievance, membership, role, status):
    response = client_as(role).post(url("member_verify", grievance, membership.pk))
    assert response.status_code == status
    membership.refresh_from_db()
    assert (membership.state == Membership.State.VERIFIED) is (status == 302)


@pytest.mark.parametrize(
    ("role", "status"), [("outsider", 403), ("member", 403), ("organiser", 302), ("staff", 302)]
)
def test_only_organisers_and_staff_promote_members(client_as, grievance, membership, role, status):
    response = client_as(role).post(url("member_promote", grievance, membership.pk))
    assert response.status_code == status
    membership.refresh_from_db()
    assert (membership.role == Membership.Role.ORGANISER) is (status == 302)


def test_member_actions_need_post(client_as, grievance, membership):
    assert (
        client_as("organiser").get(url("member_verify", grievance, membership.pk)).status_code
        == 405
    )


def test_a_membership_of_another_grievance_is_404(client_as, grievance):
    elsewhere = MembershipFactory(grievance=GrievanceFactory())
    assert (
        client_as("organiser").post(url("member_verify", grievance, elsewhere.pk)).status_code
        == 404
    )


def test_the_organiser_sees_verify_and_promote_buttons(client_as, grievance, membership):
    body = text(client_as("organiser").get(grievance.get_absolute_url()))
    assert url("member_verify", grievance, membership.pk) in body
    assert url("member_promote", grievance, membership.pk) in body
    assert url("member_verify", grievance, membership.pk) not in text(
        client_as("member").get(grievance.get_absolute_url())
    )


def test_an_organiser_steps_down_once_another_organiser_exists(
    client_as, grievance, organiser, membership
):
    client = client_as("organiser")
    response = client.post(url("step_down", grievance), follow=True)
    assert "always needs an organiser" in text(response)
    client.post(url("member_promote", grievance, membership.pk))
    client.post(url("step_down", grievance))
    mine = grievance.memberships.get(seller=organiser)
    assert mine.role == Membership.Role.MEMBER and mine.is_active


def test_joining_shows_up_in_the_member_count(client_as, grievance):
    before = text(client_as("anonymous").get(grievance.get_absolute_url()))
    assert "2 members" in before
    seller = SellerFactory()
    from django.test import Client

    c = Client()
    c.force_login(seller.user)
    c.post(url("join", grievance), case_data())
    assert "3 members" in text(client_as("anonymous").get(grievance.get_absolute_url()))
