"""Another member's store ID, amounts, ticket and statement reach nobody but organisers: every
page reachable by following links, and every GET endpoint the API schema lists, read as anonymous,
an outsider and a member, contains none of them in any format the project renders. The same walk
as the organiser finds them, so the walk does reach the data (docs/privacy.md)."""

from __future__ import annotations

import re
from collections import deque

import pytest
from rest_framework.test import APIClient

from tests.privacy.conftest import VICTIM_STORE_ID, VICTIM_TICKET, World

pytestmark = pytest.mark.django_db

READERS = ("anonymous", "outsider", "member")
MAX_PAGES = 200
SKIP = ("/accounts/logout", "/admin", "/static/", "/media/", "/i18n/", "/api/docs", "/api/redoc")
LINK = re.compile(r"""href=["'](/[^"'#]*)""")


def api_client(request, who: str) -> APIClient:
    return APIClient() if who == "anonymous" else request.getfixturevalue(f"{who}_api")


def path_values(world: World, path: str) -> dict[str, str]:
    """The fixture world's ids for a schema path's parameters."""
    store_id = world.victim.store_id
    by_prefix = {
        "/api/v1/appeals/": world.appeal.pk,
        "/api/v1/grievances/": world.grievance.pk,
        "/api/v1/stores/": store_id,
    }
    own_id = next((v for prefix, v in by_prefix.items() if path.startswith(prefix)), 1)
    return {
        "id": str(own_id),
        "appeal_pk": str(world.appeal.pk),
        "grievance_pk": str(world.grievance.pk),
        "slug": world.grievance.platform.slug,
        "platform_slug": world.grievance.platform.slug,
        "token": "no-such-token",
    }


def schema_get_urls(world: World) -> list[str]:
    schema = APIClient().get("/api/schema/", {"format": "json"}).json()
    urls = []
    for path, operations in schema["paths"].items():
        if "get" not in operations:
            continue
        url = path.format(**path_values(world, path))
        if "{" not in path:
            url += f"?grievance={world.grievance.pk}"
        urls.append(url)
    return urls


def body_of(response) -> str:
    streamed = getattr(response, "streaming", False)
    raw = b"".join(response.streaming_content) if streamed else response.content
    return raw.decode(errors="replace")


def api_bodies(request, who: str, world: World) -> dict[str, str]:
    client = api_client(request, who)
    bodies = {}
    for url in schema_get_urls(world):
        response = client.get(url)
        assert response.status_code < 500, (who, url, response.status_code)
        bodies[url] = body_of(response)
    return bodies


def crawl(client, seeds: list[str]) -> dict[str, str]:
    """Every same-site page reachable from the seeds by links, GET only. A page that fails (a
    server error is other tests' business) shows nothing and is walked past."""
    client.raise_request_exception = False
    seen: dict[str, str] = {}
    queue = deque(seeds)
    while queue and len(seen) < MAX_PAGES:
        url = queue.popleft()
        if url in seen or url.startswith(SKIP):
            continue
        response = client.get(url)
        body = body_of(response)
        seen[url] = body
        if "html" in response.get("Content-Type", ""):
            queue.extend(link.replace("&amp;", "&") for link in LINK.findall(body))
    return seen


def page_bodies(client_as, who: str, world: World) -> dict[str, str]:
    g, a = world.grievance.pk, world.appeal.pk
    seeds = [
        "/",
        "/grievances/",
        f"/grievances/{g}/",
        f"/grievances/{g}/timeline/",
        f"/rounds/{a}/",
    ]
    return crawl(client_as(who), seeds)


def leaks(bodies: dict[str, str], secrets: list[str]) -> list[tuple[str, str]]:
    return [(url, s) for url, body in bodies.items() for s in secrets if s in body]


@pytest.mark.parametrize("who", READERS)
def test_no_api_answer_carries_another_members_private_figures(request, who, world):
    secrets = [*world.secrets, "Vera Victim"]
    assert leaks(api_bodies(request, who, world), secrets) == []


@pytest.mark.parametrize("who", READERS)
def test_no_reachable_page_carries_another_members_private_figures(client_as, who, world):
    bodies = page_bodies(client_as, who, world)
    assert (
        f"/rounds/{world.appeal.pk}/" in bodies and f"/grievances/{world.grievance.pk}/" in bodies
    )
    assert leaks(bodies, [*world.secrets, "Vera Victim"]) == []


def test_the_same_walks_as_the_organiser_do_reach_the_private_figures(request, client_as, world):
    api = "".join(api_bodies(request, "organiser", world).values())
    assert VICTIM_STORE_ID in api and VICTIM_TICKET in api and "1234.56" in api
    pages = "".join(page_bodies(client_as, "organiser", world).values())
    assert VICTIM_TICKET in pages and "US$4,321.09" in pages
