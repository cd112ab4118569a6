"""The one search (coalition/queries/search.py), as a harmed seller types it, in English and
Chinese, on the demo data: the same top result on SQLite and on PostgreSQL, through the list
page, the API and the similar-grievance suggestions; odd queries answer normally."""

from __future__ import annotations

from io import StringIO

import pytest
from django.core.management import call_command
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from coalition.actions.grievances import merge_grievances, update_grievance
from coalition.actions.search import index_grievance
from coalition.management.commands.demo_data import COUNTERFEIT_TITLE
from coalition.models import Grievance, Platform
from coalition.queries.grievances import listed_grievances, similar_grievances
from coalition.queries.search import search_grievances
from tests.factories import GrievanceFactory, OrganiserFactory

pytestmark = pytest.mark.django_db

WISH = "Wish withheld payouts after the 2026 policy change"
LINKED = "Amazon US linked-account suspensions of Shenzhen sellers"

DEMO_QUERIES = [
    ("Wish withheld my payouts", WISH),
    ("wish payout", WISH),
    ("Wish 回款被冻结", WISH),
    ("回款冻结", WISH),
    ("my payouts were frozen by Wish", WISH),
    ("Amazon suspended my account as a related account", LINKED),
    ("linkd acount suspensions", LINKED),  # typos
    ("payuots withheldd", WISH),  # a typo in every word
    ("亚马逊 仿冒 台灯", COUNTERFEIT_TITLE),
    ("fake lamps copied from our photos", COUNTERFEIT_TITLE),
]
# Everything each query finds, in order: the same list on SQLite and on PostgreSQL.
DEMO_RESULTS = {
    "Wish withheld my payouts": [WISH],
    "回款冻结": [WISH],
    "Amazon suspended my account as a related account": [LINKED, COUNTERFEIT_TITLE],
    "linkd acount suspensions": [LINKED],
    "amazon": [COUNTERFEIT_TITLE, LINKED],
}
ODD_QUERIES = [
    "& | ! : * ( ) '",
    "wish & | ! payout:* ( ) ' \"",
    "the of and my was",
    "的 了 被",
    "payout " * 285,  # about 2,000 characters
    "x" * 2000,
]


@pytest.fixture
def demo():
    call_command("demo_data", stdout=StringIO())


def top_title(q: str) -> str | None:
    found = search_grievances(listed_grievances(None), q).first()
    return found.title if found else None


def titles(q: str) -> list[str]:
    return [g.title for g in search_grievances(listed_grievances(None), q)]


def assert_demo_queries_find_their_grievance_first():
    wrong = {q: top_title(q) for q, want in DEMO_QUERIES if top_title(q) != want}
    assert wrong == {}
    assert {q: titles(q) for q in DEMO_RESULTS} == DEMO_RESULTS


def test_demo_queries_find_their_grievance_first(demo):
    assert_demo_queries_find_their_grievance_first()


@pytest.mark.postgres
def test_demo_queries_find_their_grievance_first_on_postgresql(postgres, demo):
    assert_demo_queries_find_their_grievance_first()
    with connection.cursor() as cursor:  # the stored document is indexed, not computed per query
        cursor.execute(
            "SELECT indexname FROM pg_indexes WHERE tablename = 'coalition_grievance' "
            "AND indexname LIKE 'coalition_grievance_search_%%'"
        )
        assert {row[0] for row in cursor.fetchall()} == {
            "coalition_grievance_search_gin",
            "coalition_grievance_search_trgm",
        }


@pytest.mark.parametrize(("q", "want"), DEMO_QUERIES)
def test_the_list_page_shows_the_best_match_first(demo, client, q, want):
    response = client.get(reverse("coalition:grievance_list"), {"q": q})
    assert response.status_code == 200
    assert next(g.title for g in response.context["grievances"]) == want


@pytest.mark.parametrize(("q", "want"), DEMO_QUERIES[:4])
def test_the_api_lists_the_best_match_first(demo, api_client, q, want):
    response = api_client.get("/api/v1/grievances/", {"q": q})
    assert response.status_code == 200
    assert response.json()["results"][0]["title"] == want


def test_the_home_search_box_opens_the_ranked_list(demo, client):
    home = client.get(reverse("coalition:home")).content.decode()
    assert f'action="{reverse("coalition:grievance_list")}"' in home and 'name="q"' in home


def test_a_title_match_ranks_above_a_summary_match(platform):
    in_summary = GrievanceFactory(
        platform=platform, title="Store closed without warning", summary="Chargebacks piled up."
    )
    in_title = GrievanceFactory(platform=platform, title="Chargebacks blamed on sellers")
    ranked = list(search_grievances(Grievance.objects.all(), "chargebacks"))
    assert ranked == [in_title, in_summary]


def test_the_similar_suggestions_use_the_same_search(demo):
    wish = Platform.objects.get(slug="wish")
    found = similar_grievances(wish, "Wish froze my payouts 回款冻结")
    assert [g.title for g in found] == [WISH]


@pytest.mark.parametrize("q", ODD_QUERIES)
def test_odd_queries_answer_normally_on_the_page_and_the_api(demo, client, api_client, q):
    assert client.get(reverse("coalition:grievance_list"), {"q": q}).status_code == 200
    assert api_client.get("/api/v1/grievances/", {"q": q}).status_code == 200


@pytest.mark.postgres
@pytest.mark.parametrize("q", ODD_QUERIES)
def test_odd_queries_answer_normally_on_postgresql(postgres, demo, client, api_client, q):
    assert client.get(reverse("coalition:grievance_list"), {"q": q}).status_code == 200
    assert api_client.get("/api/v1/grievances/", {"q": q}).status_code == 200


@pytest.mark.parametrize("q", ["the of and my was", "的 了 被", "& | ! : * ( ) '"])
def test_a_query_with_no_word_to_match_finds_nothing_but_offers_the_closest(demo, client, q):
    response = client.get(reverse("coalition:grievance_list"), {"q": q})
    assert list(response.context["grievances"]) == []
    assert len(response.context["closest"]) == 3


def test_an_empty_result_offers_the_closest_grievances_before_registering(demo, client):
    response = client.get(reverse("coalition:grievance_list"), {"q": "warehouse fire insurance"})
    body = response.content.decode()
    assert list(response.context["grievances"]) == []
    assert response.context["closest"]
    assert body.index("come closest") < body.rindex(reverse("coalition:grievance_create"))


def test_editing_a_grievance_updates_what_finds_it(platform, organiser):
    g = GrievanceFactory(platform=platform, title="Refunds forced on delivered orders")
    OrganiserFactory(grievance=g, seller=organiser)
    assert top_title("warehouse fire") is None
    update_grievance(g, actor=organiser.user, title="Warehouse fire losses ignored")
    assert top_title("warehouse fire") == "Warehouse fire losses ignored"
    assert top_title("delivered refunds") is None


def test_a_merged_duplicates_words_find_the_coalition_it_joined(platform, organiser):
    into = GrievanceFactory(platform=platform, title="Payouts held for ninety days")
    duplicate = GrievanceFactory(platform=platform, title="Settlement hold on marketplace sales")
    for g in (into, duplicate):
        OrganiserFactory(grievance=g, seller=organiser)
    merge_grievances(duplicate, into=into, actor=organiser.user)
    assert top_title("settlement marketplace") == into.title


def test_a_search_costs_the_same_queries_for_3_or_30_matches(
    client, platform, django_assert_num_queries
):
    url = reverse("coalition:grievance_list") + "?q=funds+withheld"
    for _ in range(3):
        OrganiserFactory(grievance=GrievanceFactory(platform=platform))
    with CaptureQueriesContext(connection) as small:
        assert client.get(url).status_code == 200
    for _ in range(27):
        OrganiserFactory(grievance=GrievanceFactory(platform=platform))
    with django_assert_num_queries(len(small.captured_queries)):
        response = client.get(url)
    assert response.context["page_obj"].paginator.count == 30


@pytest.mark.parametrize(
    ("who", "found"),
    [("anonymous", False), ("outsider", False), ("member", True), ("organiser", True)],
)
@pytest.mark.parametrize("q", ["zebra lighting recall", "zebrra lightng recal"])  # exact, typos
def test_search_finds_an_unlisted_grievance_only_for_those_it_is_listed_to(
    client_as, grievance, who, found, q
):
    grievance.visibility = Grievance.Visibility.UNLISTED
    grievance.title = "Zebra lighting recall ignored"
    grievance.save(update_fields=["visibility", "title"])
    index_grievance(grievance)
    response = client_as(who).get(reverse("coalition:grievance_list"), {"q": q})
    assert (grievance in list(response.context["grievances"])) is found
    assert grievance not in response.context["closest"] or found
