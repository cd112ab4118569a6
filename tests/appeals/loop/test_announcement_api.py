"""The announcements and remind-now endpoints: who may call them, what they refuse, and list
queries that do not grow with the number of announcements."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.utils import timezone

from appeals.models import Announcement, FollowUp
from tests.appeals.builders import open_round
from tests.appeals.loop.support import verified

pytestmark = pytest.mark.django_db
ROLES = ["anonymous", "outsider", "member", "organiser", "staff"]
BODY = {"audience": "all", "subject": "News", "text": "Round 2 opens on Monday."}


@pytest.fixture
def clients(api_client, outsider_api, member_api, organiser_api, staff_api):
    return dict(
        zip(ROLES, [api_client, outsider_api, member_api, organiser_api, staff_api], strict=True)
    )


def url(grievance, tail: str = "") -> str:
    return f"/api/v1/grievances/{grievance.pk}/announcements/{tail}"


@pytest.mark.parametrize(
    ("role", "expected"),
    [
        ("anonymous", {401, 403}),
        ("outsider", {403}),
        ("member", {403}),
        ("organiser", {201}),
        ("staff", {201}),
    ],
)
def test_who_may_announce(clients, grievance, membership, role, expected):
    response = clients[role].post(url(grievance), BODY, format="json")
    assert response.status_code in expected, response.content
    assert Announcement.objects.exists() == (201 in expected)
    if response.status_code >= 400:
        assert set(response.json()) >= {"detail", "errors", "code"}


@pytest.mark.parametrize(
    ("role", "expected"),
    [("anonymous", {401, 403}), ("outsider", {403}), ("member", {200}), ("organiser", {200})],
)
def test_who_may_read_the_announcements(clients, grievance, membership, role, expected):
    assert clients[role].get(url(grievance)).status_code in expected


def test_an_unlisted_grievances_announcements_are_not_found_for_outsiders(
    clients, grievance, membership
):
    grievance.visibility = "unlisted"
    grievance.save()
    assert clients["outsider"].get(url(grievance)).status_code == 404
    assert clients["outsider"].post(url(grievance), BODY, format="json").status_code == 404


@pytest.mark.parametrize(
    ("body", "field"),
    [
        ({**BODY, "text": ""}, "text"),
        ({**BODY, "text": "x" * 5001}, "text"),
        ({**BODY, "subject": ""}, "subject"),
    ],
    ids=["empty", "too-long", "no-subject"],
)
def test_a_refused_announcement_is_a_clear_400_and_queues_nothing(
    organiser_api, grievance, body, field
):
    response = organiser_api.post(url(grievance), body, format="json")
    assert response.status_code == 400
    assert field in response.json()["errors"] and response.json()["detail"]
    assert not Announcement.objects.exists() and not FollowUp.objects.exists()


def test_a_second_announcement_the_same_day_is_refused_with_its_reason(organiser_api, grievance):
    assert organiser_api.post(url(grievance), BODY, format="json").status_code == 201
    response = organiser_api.post(url(grievance), BODY, format="json")
    assert (response.status_code, response.json()["code"]) == (400, "too_soon")
    assert Announcement.objects.count() == 1


def test_staff_may_lift_the_daily_limit(organiser_api, staff_api, grievance):
    organiser_api.post(url(grievance), BODY, format="json")
    body = {**BODY, "lift_limit": True}
    assert organiser_api.post(url(grievance), body, format="json").status_code == 400
    assert staff_api.post(url(grievance), body, format="json").status_code == 201


def test_preview_counts_the_audience(organiser_api, member_api, grievance, organiser):
    verified(grievance)
    appeal = open_round(grievance, organiser, deadline=timedelta(days=7))
    response = organiser_api.get(url(grievance, "preview/"), {"audience": "not_signed"})
    assert response.json() == {"audience": "not_signed", "round": appeal.number, "recipients": 3}
    assert member_api.get(url(grievance, "preview/"), {"audience": "all"}).status_code == 403
    bad = organiser_api.get(url(grievance, "preview/"), {"audience": "everyone"})
    assert bad.status_code == 400


def test_the_text_comes_back_as_written(organiser_api, grievance):
    body = {**BODY, "text": "<script>x</script>"}
    created = organiser_api.post(url(grievance), body, format="json").json()
    assert created["text"] == "<script>x</script>"  # JSON is not HTML: pages escape it
    assert created["author"] == "Olivia Organiser" and created["recipients"] == 1


@pytest.mark.parametrize("n", [1, 6])
def test_listing_announcements_takes_the_same_queries_at_any_size(
    member_api, grievance, organiser, n, django_assert_num_queries
):
    for i in range(n):
        Announcement.objects.create(
            grievance=grievance,
            audience="all",
            subject=f"S{i}",
            text="t",
            created_by=organiser.user,
        )
    Announcement.objects.update(created_at=timezone.now() - timedelta(days=2))
    with django_assert_num_queries(6):
        response = member_api.get(url(grievance))
    assert len(response.json()) == n


# --- remind now -------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("role", "expected"),
    [
        ("anonymous", {401, 403}),
        ("outsider", {404}),
        ("member", {403}),
        ("organiser", {202}),
        ("staff", {202}),
    ],
)
def test_who_may_remind_now(clients, grievance, organiser, membership, role, expected):
    appeal = open_round(grievance, organiser, deadline=timedelta(days=7))
    response = clients[role].post(f"/api/v1/appeals/{appeal.pk}/remind-now/", format="json")
    assert response.status_code in expected, response.content
    assert FollowUp.objects.filter(key__contains=":now-").exists() == (202 in expected)


def test_remind_now_twice_in_a_day_is_a_400(organiser_api, grievance, organiser):
    appeal = open_round(grievance, organiser, deadline=timedelta(days=7))
    path = f"/api/v1/appeals/{appeal.pk}/remind-now/"
    first = organiser_api.post(path, format="json")
    assert first.json()["follow_up"].startswith(f"signing_reminder:{appeal.pk}:now-")
    second = organiser_api.post(path, format="json")
    assert (second.status_code, second.json()["code"]) == (400, "too_soon")
