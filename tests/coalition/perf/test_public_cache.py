"""Anonymous answers come from the shared cache and change right after the writes they show."""

from __future__ import annotations

import re
from decimal import Decimal

import pytest
import time_machine
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from rest_framework.test import APIClient

from coalition import cache as public_cache
from coalition.actions.grievances import update_grievance
from coalition.actions.memberships import join_grievance, leave_grievance
from coalition.api import pagination
from coalition.api.grievances import GrievanceRowSerializer
from coalition.api.rows import ListRows
from coalition.models import Grievance
from coalition.queries.grievances import with_member_count
from tests.factories import GrievanceFactory, MembershipFactory, OrganiserFactory, SellerFactory

pytestmark = pytest.mark.django_db


def detail(client, grievance) -> dict:
    response = client.get(f"/api/v1/grievances/{grievance.pk}/")
    assert response.status_code == 200, response.content
    return response.json()


def test_a_second_anonymous_read_of_a_grievance_costs_no_query(
    settled, grievance, membership, django_assert_num_queries
):
    anonymous = APIClient()
    first = detail(anonymous, grievance)
    with django_assert_num_queries(0):
        assert detail(anonymous, grievance) == first


def test_the_cached_api_answer_changes_right_after_a_join_a_leave_and_an_edit(
    settled, grievance, membership, organiser, outsider
):
    anonymous = APIClient()
    assert detail(anonymous, grievance)["member_count"] == 2
    joiner = APIClient()
    joiner.force_login(outsider.user)
    assert joiner.post(
        f"/api/v1/grievances/{grievance.pk}/join/", {}, format="json"
    ).status_code in (
        200,
        201,
    )
    assert detail(anonymous, grievance)["member_count"] == 3
    assert joiner.post(f"/api/v1/grievances/{grievance.pk}/leave/").status_code in (200, 204)
    assert detail(anonymous, grievance)["member_count"] == 2
    editor = APIClient()
    editor.force_login(organiser.user)
    response = editor.patch(
        f"/api/v1/grievances/{grievance.pk}/", {"title": "Payouts held in May"}, format="json"
    )
    assert response.status_code == 200, response.content
    assert detail(anonymous, grievance)["title"] == "Payouts held in May"
    listed = anonymous.get("/api/v1/grievances/").json()["results"]
    assert [row["title"] for row in listed] == ["Payouts held in May"]


def test_the_cached_list_answer_changes_right_after_a_join(settled, grievance, outsider):
    anonymous = APIClient()
    assert anonymous.get("/api/v1/grievances/").json()["results"][0]["member_count"] == 1
    join_grievance(grievance, actor=outsider.user)
    assert anonymous.get("/api/v1/grievances/").json()["results"][0]["member_count"] == 2


def page_text(client, grievance) -> str:
    response = client.get(f"/grievances/{grievance.pk}/")
    assert response.status_code == 200
    return response.content.decode()


def test_the_cached_page_changes_right_after_a_join_a_leave_and_an_edit(
    settled, grievance, organiser, outsider, django_assert_num_queries
):
    anonymous = Client()
    assert grievance.title in page_text(anonymous, grievance)
    with django_assert_num_queries(0):
        page_text(anonymous, grievance)  # from the cache
    join_grievance(grievance, actor=outsider.user)
    assert re.search(r"\b2\b[^<]*member", page_text(anonymous, grievance))
    leave_grievance(grievance, actor=outsider.user)
    assert re.search(r"\b1\b[^<]*member", page_text(anonymous, grievance))
    update_grievance(grievance, actor=organiser.user, title="Payouts held in May")
    assert "Payouts held in May" in page_text(anonymous, grievance)
    assert "Payouts held in May" in anonymous.get("/grievances/").content.decode()


def test_a_page_served_from_the_cache_carries_a_csrf_token_that_works_for_its_visitor(
    settled, grievance
):
    Client().get(f"/grievances/{grievance.pk}/")  # someone else fills the cache
    visitor = Client(enforce_csrf_checks=True)
    body = page_text(visitor, grievance)
    token = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', body).group(1)
    response = visitor.post(
        "/i18n/setlang/", {"language": "zh-hans", "next": "/", "csrfmiddlewaretoken": token}
    )
    assert response.status_code == 302


def test_logged_in_members_are_never_served_the_anonymous_answer(
    settled, grievance, membership, member_api
):
    APIClient().get(f"/api/v1/grievances/{grievance.pk}/")
    assert detail(member_api, grievance)["my_membership"] is not None


def test_an_answer_built_just_after_a_write_is_not_kept(grievance, outsider):
    """A reader that builds while a write has not committed yet must not keep what it read:
    until the bump has settled, answers are built for each read."""
    with time_machine.travel(0, tick=False) as clock:
        clock.move_to("2026-06-01 12:00:00+00:00")
        anonymous = APIClient()
        public_cache.bump(grievance.pk)
        detail(anonymous, grievance)
        # A row written behind the cache's back (as an uncommitted join would be, for a reader).
        Grievance.objects.filter(pk=grievance.pk).update(title="Changed meanwhile")
        assert detail(anonymous, grievance)["title"] == "Changed meanwhile"
        clock.shift(public_cache.SETTLE_SECONDS + 1)
        detail(anonymous, grievance)  # settled: kept from now on
        Grievance.objects.filter(pk=grievance.pk).update(title="Unseen until the next bump")
        assert detail(anonymous, grievance)["title"] == "Changed meanwhile"


def test_list_rows_are_what_the_declared_serializer_gives(rf, platform):
    g = GrievanceFactory(platform=platform)
    OrganiserFactory(grievance=g)
    MembershipFactory.create_batch(2, grievance=g, amount_withheld=Decimal("3"))
    obj = with_member_count(Grievance.objects.select_related("platform")).get(pk=g.pk)
    request = rf.get("/api/v1/grievances/")
    expected = GrievanceRowSerializer(obj, context={"request": request}).data
    assert ListRows(request).row(obj) == dict(expected)
    assert expected["member_count"] == 3


def counts(queries) -> list[str]:
    return [
        q["sql"]
        for q in queries
        if "COUNT(" in q["sql"].upper() and "coalition_grievance" in q["sql"]
    ]


def test_the_list_counts_beyond_its_exact_limit_once_per_change(monkeypatch, settled, platform):
    monkeypatch.setattr(pagination, "COUNT_EXACT_UP_TO", 3)
    for _ in range(5):
        OrganiserFactory(grievance=GrievanceFactory(platform=platform))
    client = APIClient()
    client.force_login(SellerFactory().user)
    with CaptureQueriesContext(connection) as first:
        assert client.get("/api/v1/grievances/?page_size=2").json()["count"] == 5
    with CaptureQueriesContext(connection) as second:
        assert client.get("/api/v1/grievances/?page_size=2&page=2").json()["count"] == 5
    assert len(counts(first.captured_queries)) == 2  # the bounded count, then the full one
    # Next time only the bounded count: at most COUNT_EXACT_UP_TO + 1 rows are ever counted.
    (bounded,) = counts(second.captured_queries)
    assert "LIMIT" in bounded.upper()
