"""The organiser board's search and filters, assigning a round to a co-organiser, and the
organisers' internal notes (never shown to members). Query counts flat from 10 to 1,000 rounds."""

from __future__ import annotations

from urllib.parse import urlencode

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from appeals.actions.organising import add_note, assign_round
from appeals.models import Appeal, RoundAssignment, RoundNote
from coalition.errors import ActionRefused
from coalition.models import Grievance, Membership
from tests.appeals.builders import make_round, overdue
from tests.factories import GrievanceFactory, OrganiserFactory, PlatformFactory, SellerFactory

S = Appeal.State


def board(client, **params):
    return client.get(reverse("appeals:board") + ("?" + urlencode(params) if params else ""))


def titles(response) -> list[str]:
    return sorted(f"{row.grievance.title} #{row.appeal.number}" for row in response.context["rows"])


@pytest.fixture
def co_organiser(grievance):
    seller = SellerFactory(display_name="Chen Co-organiser")
    OrganiserFactory(grievance=grievance, seller=seller)
    return seller


@pytest.fixture
def two_platforms(grievance, organiser):
    other = GrievanceFactory(
        platform=PlatformFactory(slug="bazaar", name="Bazaar"), title="Bazaar fines"
    )
    OrganiserFactory(grievance=other, seller=organiser)
    Grievance.objects.filter(pk=grievance.pk).update(title="Wishful payouts")
    return make_round(grievance, S.SUBMITTED), make_round(other, S.SIGNING)


def test_the_board_filters_by_platform(client_as, two_platforms):
    assert titles(board(client_as("organiser"), platform="bazaar")) == ["Bazaar fines #1"]


def test_the_board_filters_by_state(client_as, two_platforms):
    assert titles(board(client_as("organiser"), state="submitted")) == ["Wishful payouts #1"]


def test_the_board_searches_grievance_titles(client_as, two_platforms):
    assert titles(board(client_as("organiser"), q="payouts")) == ["Wishful payouts #1"]


def test_the_board_filters_overdue_rounds(client_as, two_platforms, grievance):
    late = overdue(make_round(grievance, S.SUBMITTED))
    assert titles(board(client_as("organiser"), overdue="on")) == [
        f"Wishful payouts #{late.number}"
    ]


def test_the_board_filters_rounds_assigned_to_me(client_as, two_platforms, organiser, co_organiser):
    submitted, _signing = two_platforms
    assign_round(submitted, organiser.user, actor=co_organiser.user)
    response = board(client_as("organiser"), mine="on")
    assert titles(response) == ["Wishful payouts #1"]
    assert "Assigned to Olivia Organiser" in response.content.decode()


@pytest.mark.parametrize(
    ("params", "field"), [({"platform": "nowhere"}, "platform"), ({"state": "lost"}, "state")]
)
def test_a_bad_board_filter_is_a_400_with_the_fields_message(
    client_as, two_platforms, params, field
):
    response = board(client_as("organiser"), **params)
    assert response.status_code == 400
    assert response.context["form"].errors[field]
    assert response.context["rows"] == []


def _rounds(organiser, platform, n: int, prefix: str) -> None:
    grievances = Grievance.objects.bulk_create(
        [
            Grievance(
                platform=platform,
                category="funds_withheld",
                title=f"{prefix}{i}",
                summary="s",
                demands="d",
            )
            for i in range(n)
        ]
    )
    grievances = list(Grievance.objects.filter(title__in=[g.title for g in grievances]))
    Membership.objects.bulk_create(
        [
            Membership(grievance=g, seller=organiser, role="organiser", state="verified")
            for g in grievances
        ]
    )
    Appeal.objects.bulk_create(
        [
            Appeal(grievance=g, number=1, subject="s", letter="l", state=S.SIGNING)
            for g in grievances
        ]
    )


@pytest.mark.parametrize("params", [{}, {"platform": "wishful", "mine": "on"}, {"overdue": "on"}])
def test_board_queries_stay_flat_from_10_to_1000_rounds(
    client_as, organiser, platform, django_assert_num_queries, params
):
    client = client_as("organiser")
    _rounds(organiser, platform, 10, "A")
    board(client, **params)
    with CaptureQueriesContext(connection) as small:
        board(client, **params)
    _rounds(organiser, platform, 990, "B")
    with django_assert_num_queries(len(small.captured_queries)):
        response = board(client, **params)
    assert response.status_code == 200


# --- assignment ------------------------------------------------------------------------------


def test_a_round_is_assigned_to_a_co_organiser_from_its_organiser_page(
    client_as, grievance, co_organiser
):
    appeal = make_round(grievance, S.SIGNING)
    response = client_as("organiser").post(
        reverse("appeals:round_assign", args=[appeal.pk]), {"assignee": co_organiser.user_id}
    )
    assert response.status_code == 302
    assert RoundAssignment.objects.get(appeal=appeal).assignee == co_organiser.user
    client_as("organiser").post(reverse("appeals:round_assign", args=[appeal.pk]), {"assignee": ""})
    assert not RoundAssignment.objects.filter(appeal=appeal).exists()


def test_a_round_cannot_be_assigned_to_a_plain_member(grievance, organiser, member, membership):
    appeal = make_round(grievance, S.SIGNING)
    with pytest.raises(ActionRefused):
        assign_round(appeal, member.user, actor=organiser.user)


def test_members_cannot_assign_rounds(grievance, organiser, member, membership):
    appeal = make_round(grievance, S.SIGNING)
    with pytest.raises(ActionRefused):
        assign_round(appeal, organiser.user, actor=member.user)


# --- notes -----------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("role", "status"),
    [("anonymous", 302), ("outsider", 404), ("member", 403), ("organiser", 200), ("staff", 200)],
)
def test_only_organisers_and_staff_open_a_rounds_organiser_page(client_as, grievance, role, status):
    appeal = make_round(grievance, S.SIGNING)
    url = reverse("appeals:round_organising", args=[appeal.pk])
    assert client_as(role).get(url).status_code == status


@pytest.mark.parametrize(("role", "status"), [("member", 403), ("outsider", 404)])
def test_members_and_outsiders_cannot_write_notes(client_as, grievance, role, status):
    appeal = make_round(grievance, S.SIGNING)
    response = client_as(role).post(reverse("appeals:round_note", args=[appeal.pk]), {"body": "x"})
    assert response.status_code == status
    assert not RoundNote.objects.exists()


def test_an_organisers_note_is_read_by_organisers_and_never_by_members(
    client_as, grievance, organiser
):
    appeal = make_round(grievance, S.SIGNING)
    client_as("organiser").post(
        reverse("appeals:round_note", args=[appeal.pk]),
        {"body": "Platform contact is Ms Wu, ask for escalation"},
    )
    note = "Platform contact is Ms Wu"
    url = reverse("appeals:round_organising", args=[appeal.pk])
    assert note in client_as("organiser").get(url).content.decode()
    for role in ("member", "anonymous", "outsider"):
        for page in (
            appeal.get_absolute_url(),
            grievance.get_absolute_url(),
            reverse("coalition:grievance_timeline", args=[grievance.pk]),
        ):
            assert note not in client_as(role).get(page).content.decode()
    api = client_as("member").get(f"/api/v1/appeals/{appeal.pk}/")
    assert api.status_code == 200
    assert note not in api.content.decode()


def test_an_empty_note_is_refused_next_to_its_field(client_as, grievance):
    appeal = make_round(grievance, S.SIGNING)
    response = client_as("organiser").post(
        reverse("appeals:round_note", args=[appeal.pk]), {"body": "  "}
    )
    assert response.status_code == 400
    assert response.context["note_form"].errors["body"]


def test_add_note_refuses_anyone_but_organisers(grievance, member, membership):
    appeal = make_round(grievance, S.SIGNING)
    with pytest.raises(ActionRefused):
        add_note(appeal, "hello", actor=member.user)
