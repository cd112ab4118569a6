from __future__ import annotations

import pytest

pytestmark = pytest.mark.django_db

CALLERS = ["anonymous", "outsider", "member", "organiser", "staff"]


@pytest.mark.parametrize("who", CALLERS)
def test_everyone_can_list_and_open_platform_profiles(as_, who, platform):
    client = as_(who)
    listed = client.get("/api/v1/platforms/")
    assert listed.status_code == 200
    assert "wishful" in [p["slug"] for p in listed.json()["results"]]
    opened = client.get("/api/v1/platforms/wishful/")
    assert opened.status_code == 200
    assert opened.json()["name"] == "Wishful"
    assert opened.json()["response_business_days"] == platform.response_business_days


def test_the_seeded_real_platforms_are_listed(api_client):
    slugs = [
        p["slug"] for p in api_client.get("/api/v1/platforms/?page_size=100").json()["results"]
    ]
    assert len(slugs) >= 8


def test_an_unknown_platform_is_a_json_404(api_client):
    response = api_client.get("/api/v1/platforms/no-such-market/")
    assert response.status_code == 404
    assert response.json()["code"] == "not_found"


@pytest.mark.parametrize("who", ["anonymous", "organiser", "staff"])
def test_platforms_are_read_only_through_the_api(as_, who, platform):
    client = as_(who)
    assert client.post(
        "/api/v1/platforms/", {"name": "X", "slug": "x"}, format="json"
    ).status_code in {403, 405}
    assert client.patch("/api/v1/platforms/wishful/", {"name": "Y"}, format="json").status_code in {
        403,
        405,
    }
    assert client.delete("/api/v1/platforms/wishful/").status_code in {403, 405}
    platform.refresh_from_db()
    assert platform.name == "Wishful"
