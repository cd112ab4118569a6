"""A grievance's timeline page: paginated, filtered by round and kind, each entry naming its
round; the grievance page shows only the latest entries."""

from __future__ import annotations

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from coalition.actions.timeline import record_event
from coalition.models import AuditEvent, Grievance
from tests.factories import GrievanceFactory, MembershipFactory, SellerFactory
from tests.files import text


def timeline_url(g: Grievance, query: str = "") -> str:
    return reverse("coalition:grievance_timeline", args=[g.pk]) + (f"?{query}" if query else "")


def _events(grievance, n: int, *, verb="round.signed", subject="round:1", actor=None) -> None:
    AuditEvent.objects.bulk_create(
        [AuditEvent(grievance=grievance, verb=verb, subject=subject, actor=actor) for _ in range(n)]
    )


@pytest.mark.parametrize(
    ("role", "status"),
    [("anonymous", 200), ("outsider", 200), ("member", 200), ("organiser", 200)],
)
def test_everyone_who_can_open_a_public_grievance_reads_its_timeline(
    client_as, grievance, role, status
):
    assert client_as(role).get(timeline_url(grievance)).status_code == status


def test_an_unlisted_grievances_timeline_is_404_without_its_key(client_as, platform):
    hidden = GrievanceFactory(platform=platform, visibility=Grievance.Visibility.UNLISTED)
    assert client_as("outsider").get(timeline_url(hidden)).status_code == 404
    assert (
        client_as("outsider").get(timeline_url(hidden, f"key={hidden.share_key}")).status_code
        == 200
    )


def test_each_entry_names_its_round(client, grievance):
    record_event(grievance, "round.submitted", actor=None, subject="round:2")
    body = text(client.get(timeline_url(grievance)))
    assert "submitted an appeal round to the platform" in body
    assert "Round 2" in body


def test_the_timeline_filters_by_round(client, grievance):
    _events(grievance, 3, subject="round:1")
    _events(grievance, 2, subject="round:2")
    response = client.get(timeline_url(grievance, "round=2"))
    assert [row["round"] for row in response.context["events"]] == [2, 2]


def test_the_timeline_filters_by_kind(client, grievance):
    _events(grievance, 3, verb="round.signed")
    _events(grievance, 2, verb="membership.joined", subject="")
    response = client.get(timeline_url(grievance, "kind=membership"))
    assert [row["event"].verb for row in response.context["events"]] == ["membership.joined"] * 2


@pytest.mark.parametrize(("query", "field"), [("round=abc", "round"), ("kind=secret", "kind")])
def test_a_bad_timeline_filter_is_a_400_not_the_whole_timeline(client, grievance, query, field):
    _events(grievance, 3)
    response = client.get(timeline_url(grievance, query))
    assert response.status_code == 400
    assert response.context["form"].errors[field]
    assert response.context["events"] == []


def test_the_timeline_is_paginated_and_the_grievance_page_shows_the_latest_ten(client, grievance):
    _events(grievance, 120)
    assert len(client.get(timeline_url(grievance)).context["events"]) == 50
    assert len(client.get(timeline_url(grievance, "page=3")).context["events"]) == 20
    assert len(client.get(grievance.get_absolute_url()).context["events"]) == 10


def test_private_events_stay_off_the_timeline_page(client, grievance):
    record_event(grievance, "evidence.viewed", actor=None)
    assert client.get(timeline_url(grievance)).context["events"] == []


def test_names_on_the_timeline_page_follow_consent(client_as, grievance):
    shy = SellerFactory(display_name="Sam Shy")
    MembershipFactory(grievance=grievance, seller=shy, consent_to_name=False)
    record_event(grievance, "membership.joined", actor=shy.user)
    assert "Sam Shy" not in text(client_as("member").get(timeline_url(grievance)))
    assert "Sam Shy" not in text(client_as("anonymous").get(timeline_url(grievance)))
    assert "Sam Shy" in text(client_as("organiser").get(timeline_url(grievance)))


@pytest.mark.parametrize("role", ["anonymous", "member", "organiser"])
def test_timeline_page_queries_stay_flat_with_more_events_and_actors(
    client_as, grievance, django_assert_num_queries, role
):
    client = client_as(role)

    def add(n: int) -> None:
        for _ in range(n):
            seller = SellerFactory()
            MembershipFactory(grievance=grievance, seller=seller, consent_to_name=True)
            _events(grievance, 3, actor=seller.user)

    add(2)
    client.get(timeline_url(grievance))
    with CaptureQueriesContext(connection) as small:
        client.get(timeline_url(grievance))
    add(30)
    with django_assert_num_queries(len(small.captured_queries)):
        assert client.get(timeline_url(grievance)).status_code == 200
