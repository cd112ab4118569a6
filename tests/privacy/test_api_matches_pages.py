"""The API shows each viewer what the page shows the same viewer (docs/privacy.md): a walk over
the schema's read endpoints as anonymous, an outsider, a member and the organiser, each answer
shaped as the schema says, and the figures and private fields compared with the pages."""

from __future__ import annotations

import html
import re

import pytest
from rest_framework.test import APIClient

from coalition.api.memberships import MEMBER_PRIVATE_FIELDS
from tests.privacy.conftest import VICTIM_TICKET
from tests.privacy.test_nothing_leaks import api_client, body_of, path_values

pytestmark = pytest.mark.django_db

ACTORS = ("anonymous", "outsider", "member", "organiser")
TICKET = re.compile(r"TICKET-[A-Z0-9-]+")


def resolve(schema: dict, node: dict) -> dict:
    while "$ref" in node:
        node = schema["components"]["schemas"][node["$ref"].rsplit("/", 1)[1]]
    return node


def declared(schema: dict, node: dict) -> set[str] | None:
    node = resolve(schema, node)
    if "allOf" in node:
        keys: set[str] = set()
        for part in node["allOf"]:
            keys |= declared(schema, part) or set()
        return keys
    return set(node["properties"]) if "properties" in node else None


def check_shape(schema: dict, node: dict, body, where: str) -> None:
    """Every object in the answer has exactly the properties its schema declares."""
    node = resolve(schema, node)
    if isinstance(body, list) and "items" in node:
        for item in body[:3]:
            check_shape(schema, node["items"], item, where)
        return
    keys = declared(schema, node)
    if not isinstance(body, dict) or keys is None:
        return
    assert set(body) == keys, (where, sorted(set(body) ^ keys))
    properties = resolve(schema, node).get("properties", {})
    if "results" in properties:
        check_shape(schema, properties["results"], body["results"], where)


@pytest.mark.parametrize("who", ACTORS)
def test_every_read_endpoint_answers_in_the_shape_its_schema_declares(request, who, world):
    schema = APIClient().get("/api/schema/", {"format": "json"}).json()
    client = api_client(request, who)
    answered = 0
    for path, operations in schema["paths"].items():
        if "get" not in operations:
            continue
        url = path.format(**path_values(world, path))
        response = client.get(url)
        assert response.status_code < 500, (who, url)
        declared_statuses = set(operations["get"]["responses"])
        assert str(response.status_code) in declared_statuses | {"401", "403", "404", "429"}, (
            who,
            url,
            response.status_code,
        )
        content = operations["get"]["responses"].get("200", {}).get("content", {})
        if response.status_code == 200 and "application/json" in content:
            check_shape(schema, content["application/json"]["schema"], response.json(), url)
            answered += 1
    assert answered >= 5


def page(client_as, who: str, url: str) -> str:
    return html.unescape(body_of(client_as(who).get(url)))


@pytest.mark.parametrize("who", ACTORS)
def test_the_grievance_figures_in_the_api_are_the_ones_its_page_shows(
    request, client_as, who, world
):
    figures = api_client(request, who).get(f"/api/v1/grievances/{world.grievance.pk}/").json()
    figures = figures["aggregates"]
    body = page(client_as, who, f"/grievances/{world.grievance.pk}/")
    assert figures["exact"] is (who == "organiser")
    assert (figures["contributor_count"] is None) is (who != "organiser")
    assert figures["stores"]["text"] in body
    for row in figures["currencies"]:
        for kind in ("withheld", "fined"):
            assert row[kind]["text"] in body, (who, row[kind])
            if who != "organiser":
                assert row[kind]["value"] is None  # three contributors: nothing released


@pytest.mark.parametrize("who", ACTORS)
def test_members_private_fields_reach_the_api_only_where_the_page_shows_them(
    request, client_as, who, world
):
    response = api_client(request, who).get(f"/api/v1/grievances/{world.grievance.pk}/members/")
    if who in ("anonymous", "outsider"):
        assert response.status_code in (401, 403)
        return
    rows = response.json()["results"] if "results" in response.json() else response.json()
    for row in rows:
        private = {name: row[name] for name in MEMBER_PRIVATE_FIELDS}
        if who == "organiser":
            continue
        assert all(value is None for value in private.values()), row
    names = {row["display_name"] for row in rows}
    assert ("Vera Victim" in names) is (who == "organiser")


@pytest.mark.parametrize("who", ACTORS)
def test_the_round_in_the_api_shows_the_tickets_and_amounts_its_page_shows(
    request, client_as, who, world
):
    detail = api_client(request, who).get(f"/api/v1/appeals/{world.appeal.pk}/").json()
    body = page(client_as, who, f"/rounds/{world.appeal.pk}/")
    api_tickets = {s["ticket_reference"] for s in detail["submissions"]}
    if detail["my_submission"]:
        api_tickets.add(detail["my_submission"]["ticket_reference"])
    assert api_tickets == set(TICKET.findall(body))
    assert (VICTIM_TICKET in api_tickets) is (who == "organiser")
    recovered = detail["totals"]["recovered"]
    assert bool(recovered) is (who in ("member", "organiser"))
    for cell in recovered:
        assert cell["text"] in body
        assert (cell["value"] is not None) is (who == "organiser")
    assert (detail["letter"] is not None) is (who in ("member", "organiser"))
