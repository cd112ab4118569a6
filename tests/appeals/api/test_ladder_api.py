"""The escalation ladder through the API: who reads it, who climbs, the dossier, the schema."""

from __future__ import annotations

import pytest
from drf_spectacular.generators import SchemaGenerator

from appeals.models import Appeal, Climb
from coalition.models import Grievance, Membership, Platform
from tests.appeals.builders import make_round
from tests.factories import MembershipFactory, SellerFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def eu_grievance(grievance) -> Grievance:
    Platform.objects.filter(pk=grievance.platform_id).update(legal_regimes=["eu_p2b", "eu_dsa"])
    MembershipFactory(
        grievance=grievance,
        state=Membership.State.VERIFIED,
        seller=SellerFactory(country_of_establishment="NL"),
    )
    make_round(grievance, Appeal.State.RESPONDED, case_reference="CS-1")
    return grievance


def url(grievance, tail: str = "") -> str:
    return f"/api/v1/grievances/{grievance.pk}/ladder/{tail}"


@pytest.mark.parametrize("role", ["anonymous", "outsider", "member", "organiser", "staff"])
def test_everyone_who_may_open_the_grievance_reads_its_ladder(clients, role, eu_grievance):
    body = clients[role].get(url(eu_grievance)).json()
    assert body["current"] == "platform_appeal" and body["rounds_received"] == 1
    states = {r["key"]: r["state"] for r in body["rungs"]}
    assert states["internal_complaint"] == "open" and states["mediation"] == "locked"
    ic = next(r for r in body["rungs"] if r["key"] == "internal_complaint")
    assert {b["regime"] for b in ic["bases"]} == {"eu_p2b", "eu_dsa"}
    assert ic["window_closes"]


@pytest.mark.parametrize(
    ("role", "status"),
    [("anonymous", 404), ("outsider", 403), ("member", 403), ("organiser", 201), ("staff", 201)],
)
def test_only_organisers_and_staff_climb(clients, role, status, eu_grievance):
    response = clients[role].post(url(eu_grievance, "climb/"), {"rung": "internal_complaint"})
    assert response.status_code == status
    assert Climb.objects.exists() is (status == 201)
    if status == 201:
        assert response.json()["rung"] == "internal_complaint"
        eu_grievance.refresh_from_db()
        assert eu_grievance.rung == "internal_complaint"


def test_a_step_that_is_not_open_is_a_400_with_the_reason(organiser_api, eu_grievance):
    response = organiser_api.post(url(eu_grievance, "climb/"), {"rung": "mediation"})
    assert response.status_code == 400 and "first" in str(response.json())


@pytest.mark.parametrize(
    ("role", "status"),
    [("anonymous", 404), ("outsider", 403), ("member", 403), ("organiser", 200)],
)
def test_the_dossier_is_for_organisers(clients, role, status, eu_grievance):
    response = clients[role].get(url(eu_grievance, "dossier/"))
    assert response.status_code == status
    if status == 200:
        assert response["Content-Type"] == "application/zip"


def test_an_unlisted_grievance_ladder_is_not_found_by_guessing(clients, eu_grievance):
    Grievance.objects.filter(pk=eu_grievance.pk).update(visibility="unlisted")
    assert clients["outsider"].get(url(eu_grievance)).status_code == 404


def test_the_ladder_costs_the_same_queries_with_more_climbs(
    organiser_api, eu_grievance, django_assert_num_queries, django_assert_max_num_queries
):
    organiser_api.get(url(eu_grievance))  # warm up (sessions, content types)
    with django_assert_max_num_queries(50) as one_size:
        organiser_api.get(url(eu_grievance))
    queries = len(one_size.captured_queries)  # now: each request resets the query log
    for rung in ("internal_complaint", "mediation", "out_of_court"):
        organiser_api.post(url(eu_grievance, "climb/"), {"rung": rung})
    assert Climb.objects.count() == 3
    with django_assert_num_queries(queries):
        organiser_api.get(url(eu_grievance))


def test_the_schema_documents_the_ladder():
    paths = SchemaGenerator().get_schema(request=None, public=True)["paths"]
    assert "get" in paths["/api/v1/grievances/{grievance_pk}/ladder/"]
    assert "post" in paths["/api/v1/grievances/{grievance_pk}/ladder/climb/"]
    dossier = paths["/api/v1/grievances/{grievance_pk}/ladder/dossier/"]["get"]
    assert "application/zip" in dossier["responses"]["200"]["content"]
