from __future__ import annotations

import pytest

from coalition.models import Store
from tests.factories import StoreFactory

pytestmark = pytest.mark.django_db

SELLERS = ["outsider", "member", "organiser", "staff"]


def test_anonymous_callers_cannot_reach_any_store_endpoint(api_client, others_store):
    assert api_client.get("/api/v1/stores/").status_code == 403
    assert api_client.get(f"/api/v1/stores/{others_store.pk}/").status_code == 403
    body = {"platform": "wishful", "name": "Mine", "platform_store_id": "S1"}
    assert api_client.post("/api/v1/stores/", body, format="json").status_code == 403
    assert (
        api_client.patch(
            f"/api/v1/stores/{others_store.pk}/", {"name": "x"}, format="json"
        ).status_code
        == 403
    )
    assert api_client.delete(f"/api/v1/stores/{others_store.pk}/").status_code == 403
    assert api_client.get("/api/v1/stores/").json()["code"] == "not_authenticated"


@pytest.mark.parametrize("who", SELLERS)
def test_a_seller_lists_only_their_own_stores(as_, who, request, others_store, platform):
    seller = (
        request.getfixturevalue(who)
        if who != "staff"
        else request.getfixturevalue("staff_user").seller
    )
    mine = StoreFactory(seller=seller, platform=platform, name="Mine")
    response = as_(who).get("/api/v1/stores/")
    assert response.status_code == 200
    assert [s["id"] for s in response.json()["results"]] == [mine.pk]
    assert response.json()["results"][0]["platform_store_id"] == mine.platform_store_id


@pytest.mark.parametrize("who", SELLERS)
def test_another_sellers_store_is_a_404_whatever_the_method(as_, who, others_store):
    client = as_(who)
    url = f"/api/v1/stores/{others_store.pk}/"
    assert client.get(url).status_code == 404
    assert client.patch(url, {"name": "Hijacked"}, format="json").status_code == 404
    assert (
        client.put(
            url, {"platform": "wishful", "name": "H", "platform_store_id": "H"}, format="json"
        ).status_code
        == 404
    )
    assert client.delete(url).status_code == 404
    others_store.refresh_from_db()
    assert others_store.name == "Someone else's"


def test_a_seller_adds_edits_and_removes_their_store(outsider_api, outsider, platform):
    created = outsider_api.post(
        "/api/v1/stores/",
        {"platform": "wishful", "name": "Oscar's Shop", "platform_store_id": "OS-1"},
        format="json",
    )
    assert created.status_code == 201, created.json()
    store = Store.objects.get(pk=created.json()["id"])
    assert (store.seller, store.platform, store.state) == (outsider, platform, Store.State.ACTIVE)

    patched = outsider_api.patch(
        f"/api/v1/stores/{store.pk}/", {"state": "suspended"}, format="json"
    )
    assert patched.status_code == 200
    assert patched.json()["state"] == "suspended"

    put = outsider_api.put(
        f"/api/v1/stores/{store.pk}/",
        {"platform": "wishful", "name": "Renamed", "platform_store_id": "OS-1", "state": "active"},
        format="json",
    )
    assert put.status_code == 200 and put.json()["name"] == "Renamed"

    assert outsider_api.delete(f"/api/v1/stores/{store.pk}/").status_code == 204
    assert not Store.objects.filter(pk=store.pk).exists()


def test_registering_the_same_store_id_twice_is_a_field_error(outsider_api, outsider, platform):
    StoreFactory(seller=outsider, platform=platform, platform_store_id="DUP-1")
    response = outsider_api.post(
        "/api/v1/stores/",
        {"platform": "wishful", "name": "Again", "platform_store_id": "DUP-1"},
        format="json",
    )
    assert response.status_code == 400
    assert "platform_store_id" in response.json()["errors"]


def test_invalid_store_input_comes_back_as_field_errors(outsider_api):
    response = outsider_api.post(
        "/api/v1/stores/", {"platform": "nowhere", "state": "sleeping"}, format="json"
    )
    assert response.status_code == 400
    body = response.json()
    assert body["code"] == "invalid" and body["detail"]
    assert {"platform", "name", "platform_store_id", "state"} <= set(body["errors"])
