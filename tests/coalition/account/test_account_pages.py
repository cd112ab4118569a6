"""Home page, a seller's stores and profile settings."""

from __future__ import annotations

import pytest
from django.conf import settings
from django.urls import reverse

from coalition.models import Seller, Store
from tests.factories import GrievanceFactory, MembershipFactory, StoreFactory
from tests.files import ROLES, is_login_redirect, text

pytestmark = pytest.mark.django_db


# --- home ----------------------------------------------------------------------------------


@pytest.mark.parametrize("role", ROLES)
def test_the_home_page_asks_what_happened(client_as, role):
    response = client_as(role).get(reverse("home"))
    assert response.status_code == 200
    body = text(response)
    assert "What happened to you?" in body
    assert f'action="{reverse("coalition:grievance_list")}"' in body
    assert f"{reverse('coalition:grievance_list')}?category=refund_dispute" in body


def test_the_home_page_shows_the_most_joined_open_public_grievances(client, platform):
    popular = GrievanceFactory(platform=platform, title="Many joined this")
    MembershipFactory.create_batch(3, grievance=popular)
    unlisted = GrievanceFactory(
        platform=platform, title="Quiet unlisted one", visibility="unlisted"
    )
    MembershipFactory.create_batch(5, grievance=unlisted)
    closed = GrievanceFactory(platform=platform, title="Closed and done", state="closed")
    MembershipFactory.create_batch(5, grievance=closed)
    body = text(client.get(reverse("home")))
    assert "Many joined this" in body
    assert "Quiet unlisted one" not in body and "Closed and done" not in body


def test_the_home_page_invites_the_first_grievance_when_there_is_none(client):
    body = text(client.get(reverse("home")))
    assert "No open grievances yet" in body
    assert reverse("coalition:grievance_create") in body


# --- stores --------------------------------------------------------------------------------

STORE_PAGES = ["store_list", "store_create"]


@pytest.mark.parametrize("name", STORE_PAGES)
def test_store_pages_need_an_account(client, name):
    assert is_login_redirect(client.get(reverse(f"coalition:{name}")))


@pytest.mark.parametrize("name", ["store_edit", "store_delete"])
def test_store_object_pages_need_an_account(client, name):
    store = StoreFactory()
    assert is_login_redirect(client.get(reverse(f"coalition:{name}", args=[store.pk])))


def test_a_seller_sees_only_their_own_stores(client_as, member, outsider):
    StoreFactory(seller=member, name="Mine", platform_store_id="MINE-1")
    StoreFactory(seller=outsider, name="Not mine", platform_store_id="THEIRS-1")
    body = text(client_as("member").get(reverse("coalition:store_list")))
    assert "MINE-1" in body and "THEIRS-1" not in body


@pytest.mark.parametrize("name", ["store_edit", "store_delete"])
@pytest.mark.parametrize("method", ["get", "post"])
def test_another_sellers_store_is_404(client_as, outsider, name, method):
    theirs = StoreFactory(seller=outsider)
    response = getattr(client_as("member"), method)(reverse(f"coalition:{name}", args=[theirs.pk]))
    assert response.status_code == 404
    assert Store.objects.filter(pk=theirs.pk).exists()


def test_staff_cannot_reach_a_sellers_store_either(client_as, member):
    store = StoreFactory(seller=member)
    assert (
        client_as("staff").get(reverse("coalition:store_edit", args=[store.pk])).status_code == 404
    )


def test_a_seller_adds_a_store(client_as, member, platform):
    response = client_as("member").post(
        reverse("coalition:store_create"),
        {
            "platform": platform.pk,
            "name": "New shop",
            "platform_store_id": " NEW-77 ",
            "state": "suspended",
        },
    )
    assert response.status_code == 302 and response["Location"] == reverse("coalition:store_list")
    store = Store.objects.get(seller=member)
    assert (store.name, store.platform_store_id, store.state) == ("New shop", "NEW-77", "suspended")


def test_adding_a_store_returns_to_a_safe_next_page(client_as, grievance):
    join = reverse("coalition:join", args=[grievance.pk])
    data = {
        "platform": grievance.platform_id,
        "name": "Shop",
        "platform_store_id": "X1",
        "state": "active",
    }
    response = client_as("outsider").post(reverse("coalition:store_create") + f"?next={join}", data)
    assert response["Location"] == join
    data["platform_store_id"] = "X2"
    response = client_as("outsider").post(
        reverse("coalition:store_create") + "?next=https://evil.example/", data
    )
    assert response["Location"] == reverse("coalition:store_list")


def test_a_duplicate_store_id_is_refused_next_to_the_field(client_as, member, platform):
    StoreFactory(seller=member, platform=platform, platform_store_id="DUP-1")
    response = client_as("member").post(
        reverse("coalition:store_create"),
        {
            "platform": platform.pk,
            "name": "Again",
            "platform_store_id": "DUP-1",
            "state": "active",
        },
    )
    assert response.status_code == 200
    assert 'id="id_platform_store_id_error"' in text(response)
    assert "already registered this store ID" in text(response)


def test_a_seller_edits_a_store(client_as, member, platform):
    store = StoreFactory(seller=member, platform=platform)
    client = client_as("member")
    assert store.platform_store_id in text(
        client.get(reverse("coalition:store_edit", args=[store.pk]))
    )
    client.post(
        reverse("coalition:store_edit", args=[store.pk]),
        {
            "platform": platform.pk,
            "name": "Renamed",
            "platform_store_id": store.platform_store_id,
            "state": "terminated",
        },
    )
    store.refresh_from_db()
    assert (store.name, store.state) == ("Renamed", "terminated")


def test_a_seller_removes_a_store_after_confirming(client_as, member):
    store = StoreFactory(seller=member)
    client = client_as("member")
    assert client.get(reverse("coalition:store_delete", args=[store.pk])).status_code == 200
    assert Store.objects.filter(pk=store.pk).exists()
    response = client.post(reverse("coalition:store_delete", args=[store.pk]))
    assert response.status_code == 302
    assert not Store.objects.filter(pk=store.pk).exists()


def test_the_empty_store_list_invites_adding_one(client_as):
    body = text(client_as("outsider").get(reverse("coalition:store_list")))
    assert "No stores yet" in body


# --- profile -------------------------------------------------------------------------------


def test_the_profile_needs_an_account(client):
    assert is_login_redirect(client.get(reverse("coalition:profile")))


def test_the_profile_lists_common_time_zones_first_and_links_to_email_and_password(client_as):
    body = text(client_as("member").get(reverse("coalition:profile")))
    assert body.index('value="Asia/Shanghai"') < body.index('value="Africa/Abidjan"')
    assert reverse("account_email") in body and reverse("account_change_password") in body


def test_a_seller_saves_their_profile(client_as, member):
    response = client_as("member").post(
        reverse("coalition:profile"),
        {
            "display_name": "Mia M.",
            "language": "zh-hans",
            "time_zone": "Asia/Hong_Kong",
            "email_notifications": "",
        },
    )
    assert response.status_code == 302
    assert response.cookies[settings.LANGUAGE_COOKIE_NAME].value == "zh-hans"
    member.refresh_from_db()
    assert (member.display_name, member.language, member.time_zone, member.email_notifications) == (
        "Mia M.",
        "zh-hans",
        "Asia/Hong_Kong",
        False,
    )


def test_an_unknown_time_zone_is_refused_next_to_the_field(client_as):
    response = client_as("member").post(
        reverse("coalition:profile"),
        {
            "display_name": "Mia",
            "language": "en",
            "time_zone": "Mars/Olympus",
        },
    )
    assert response.status_code == 200 and 'id="id_time_zone_error"' in text(response)


def test_the_profile_is_created_for_a_user_without_one(client):
    from tests.factories import UserFactory

    user = UserFactory()
    client.force_login(user)
    assert client.get(reverse("coalition:profile")).status_code == 200
    assert Seller.objects.filter(user=user).exists()
