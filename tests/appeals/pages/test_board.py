"""The organiser's board page: who sees which rounds, in which order, with what still to do."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from appeals.models import Appeal
from tests.appeals.builders import make_round
from tests.factories import (
    GrievanceFactory,
    MembershipFactory,
    OrganiserFactory,
    SignatureFactory,
    SubmissionFactory,
)
from tests.files import is_login_redirect, text

pytestmark = pytest.mark.django_db


S = Appeal.State
BOARD = reverse("appeals:board")
MY_CASES = reverse("appeals:my_cases")


def round_url(appeal: Appeal) -> str:
    return reverse("appeals:round_detail", args=[appeal.pk])


@pytest.mark.parametrize("url", [BOARD, MY_CASES])
def test_board_and_my_cases_need_a_login(client, url):
    assert is_login_redirect(client.get(url))


@pytest.mark.parametrize(
    ("role", "sees_round", "empty_state"),
    [
        ("outsider", False, True),
        ("member", False, True),
        ("organiser", True, False),
        ("staff", True, False),
    ],
)
def test_the_board_shows_the_rounds_of_grievances_one_organises(
    client_as, grievance, role, sees_round, empty_state
):
    appeal = make_round(grievance, S.SIGNING)
    body = text(client_as(role).get(BOARD))
    assert (round_url(appeal) in body) is sees_round
    assert ("You don't organise any grievance yet" in body) is empty_state


def test_staff_see_every_round_and_organisers_only_their_own(client_as, grievance, platform):
    mine = make_round(grievance, S.SIGNING)
    other_grievance = GrievanceFactory(platform=platform)
    OrganiserFactory(grievance=other_grievance)
    theirs = make_round(other_grievance, S.SIGNING)
    organiser_board = text(client_as("organiser").get(BOARD))
    staff_board = text(client_as("staff").get(BOARD))
    assert round_url(mine) in organiser_board and round_url(theirs) not in organiser_board
    assert round_url(mine) in staff_board and round_url(theirs) in staff_board


def test_overdue_rounds_come_first_with_their_clock(client_as, grievance, platform, organiser):
    now = timezone.now()
    signing = make_round(grievance, S.SIGNING)
    second = GrievanceFactory(platform=platform)
    OrganiserFactory(grievance=second, seller=organiser)
    on_time = make_round(second, S.SUBMITTED, submitted_at=now - timedelta(hours=2))
    third = GrievanceFactory(platform=platform)
    OrganiserFactory(grievance=third, seller=organiser)
    very_late = make_round(third, S.SUBMITTED, submitted_at=now - timedelta(days=40))
    body = text(client_as("organiser").get(BOARD))
    positions = [body.index(round_url(a)) for a in (very_late, on_time, signing)]
    assert positions == sorted(positions)
    assert "Very overdue: late by" in body
    assert "Due in" in body
    assert 'class="is-very-overdue"' in body


def test_the_board_says_who_still_has_to_act(client_as, grievance, membership):
    appeal = make_round(grievance, S.SIGNING, signature_goal=5)
    MembershipFactory(grievance=grievance)
    body = text(client_as("organiser").get(BOARD))
    # Three members (organiser, member, one more), nobody signed yet.
    assert "3 members have not signed" in body
    assert "<strong>0</strong> / 5" in body
    SignatureFactory(appeal=appeal, membership=membership)
    assert "2 members have not signed" in text(client_as("organiser").get(BOARD))


def test_the_board_counts_members_own_appeals_and_outcomes(client_as, grievance):
    appeal = make_round(grievance, S.RESPONDED)
    SubmissionFactory(appeal=appeal, outcome="reinstated")
    SubmissionFactory(appeal=appeal, outcome="pending")
    body = text(client_as("organiser").get(BOARD))
    assert "2 filed" in body
    assert "1 member has not reported the outcome of their appeal" in body
    assert "decide on the next round or an escalation" in body.lower()


def test_an_organiser_without_rounds_is_nudged_to_draft_round_one(client_as, grievance):
    body = text(client_as("organiser").get(BOARD))
    assert "No rounds yet" in body
    assert reverse("appeals:round_new", args=[grievance.pk]) in body


def _organised_rounds(organiser, platform, n: int) -> None:
    for i in range(n):
        g = GrievanceFactory(platform=platform)
        OrganiserFactory(grievance=g, seller=organiser)
        appeal = make_round(g, [S.SIGNING, S.SUBMITTED, S.RESPONDED][i % 3])
        SignatureFactory(appeal=appeal)
        if appeal.submitted_at:
            SubmissionFactory(appeal=appeal, outcome="reinstated")


@pytest.mark.parametrize("role", ["organiser", "staff"])
def test_board_queries_do_not_grow_with_the_number_of_rounds(
    client_as, organiser, platform, django_assert_num_queries, role
):
    client = client_as(role)
    _organised_rounds(organiser, platform, 2)
    client.get(BOARD)
    with CaptureQueriesContext(connection) as small:
        client.get(BOARD)
    _organised_rounds(organiser, platform, 8)
    assert Appeal.objects.count() == 10
    with django_assert_num_queries(len(small.captured_queries)):
        response = client.get(BOARD)
    assert response.status_code == 200
