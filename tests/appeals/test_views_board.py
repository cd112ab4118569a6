"""The organiser board, "my cases", and the rounds section of the grievance page."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from appeals.models import Appeal
from coalition.models import Grievance
from tests.appeals.conftest import make_round
from tests.coalition import pages
from tests.coalition.pages import ROLES, is_login_redirect, text
from tests.factories import (
    GrievanceFactory,
    MembershipFactory,
    OrganiserFactory,
    SignatureFactory,
    SubmissionFactory,
)

pytestmark = pytest.mark.django_db

client_as = pages.client_as
fresh_rate_limits = pages.fresh_rate_limits

S = Appeal.State
BOARD = reverse("appeals:board")
MY_CASES = reverse("appeals:my_cases")


def round_url(appeal: Appeal) -> str:
    return reverse("appeals:round_detail", args=[appeal.pk])


# --- the board --------------------------------------------------------------------------------


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


# --- my cases ---------------------------------------------------------------------------------


def test_my_cases_lists_what_to_do_next_with_links(client_as, grievance, membership):
    to_sign = make_round(grievance, S.SIGNING)
    body = text(client_as("member").get(MY_CASES))
    assert f"{round_url(to_sign)}#signatures" in body
    assert "Sign round 1 of" in body
    assert grievance.title in body


def test_my_cases_asks_to_log_the_own_appeal_then_for_its_outcome(client_as, grievance, membership):
    appeal = make_round(grievance, S.SUBMITTED)
    assert "Log your own appeal for round 1" in text(client_as("member").get(MY_CASES))
    SubmissionFactory(
        appeal=appeal, membership=membership, submitted_on=timezone.localdate() - timedelta(days=5)
    )
    body = text(client_as("member").get(MY_CASES))
    assert "Log your own appeal for round 1" not in body
    assert "Report the outcome of your appeal in round 1" in body
    assert f"{round_url(appeal)}#my-appeal" in body


def test_my_cases_shows_each_membership_and_where_it_stands(client_as, grievance, membership):
    make_round(grievance, S.SUBMITTED)
    body = text(client_as("member").get(MY_CASES))
    assert "My grievances" in body
    assert "Due in" in body
    assert "badge-state-member" in body


@pytest.mark.parametrize("role", ["outsider", "staff"])
def test_my_cases_without_memberships_shows_empty_states(client_as, role):
    body = text(client_as(role).get(MY_CASES))
    assert "Nothing to do right now" in body
    assert "You haven't joined a grievance yet" in body


def _memberships_with_rounds(member, platform, n: int) -> None:
    for i in range(n):
        g = GrievanceFactory(platform=platform)
        OrganiserFactory(grievance=g)
        m = MembershipFactory(grievance=g, seller=member)
        appeal = make_round(g, [S.SIGNING, S.SUBMITTED, S.RESPONDED][i % 3])
        if appeal.submitted_at:
            SubmissionFactory(
                appeal=appeal, membership=m, submitted_on=timezone.localdate() - timedelta(days=5)
            )


def test_my_cases_queries_do_not_grow_with_the_number_of_memberships(
    client_as, member, platform, django_assert_num_queries
):
    client = client_as("member")
    _memberships_with_rounds(member, platform, 1)  # with the `membership` fixture: 2
    client.get(MY_CASES)
    with CaptureQueriesContext(connection) as small:
        client.get(MY_CASES)
    _memberships_with_rounds(member, platform, 8)
    assert member.memberships.count() == 10
    with django_assert_num_queries(len(small.captured_queries)):
        response = client.get(MY_CASES)
    assert response.status_code == 200


# --- the rounds section of the grievance page -------------------------------------------------


def grievance_url(g: Grievance) -> str:
    return reverse("coalition:grievance_detail", args=[g.pk])


@pytest.mark.parametrize(
    ("role", "sees"),
    [
        ("anonymous", {"submitted"}),
        ("outsider", {"submitted"}),
        ("member", {"submitted", "signing"}),
        ("organiser", {"submitted", "signing", "draft"}),
        ("staff", {"submitted", "signing", "draft"}),
    ],
)
def test_the_grievance_page_lists_the_rounds_each_viewer_may_see(client_as, grievance, role, sees):
    now = timezone.now()
    rounds = {
        "submitted": make_round(grievance, S.RESPONDED, submitted_at=now - timedelta(days=20)),
        "signing": make_round(grievance, S.SIGNING),
        "draft": make_round(grievance, S.DRAFT),
    }
    body = text(client_as(role).get(grievance_url(grievance)))
    assert 'id="rounds"' in body
    assert {name for name, a in rounds.items() if round_url(a) in body} == sees


def test_organisers_are_offered_round_one_on_the_grievance_page(client_as, grievance):
    new_url = reverse("appeals:round_new", args=[grievance.pk])
    assert new_url in text(client_as("organiser").get(grievance_url(grievance)))
    assert new_url not in text(client_as("member").get(grievance_url(grievance)))


@pytest.mark.parametrize(
    ("state", "offered"), [(S.SIGNING, False), (S.SUBMITTED, False), (S.RESPONDED, True)]
)
def test_the_next_round_is_offered_only_when_the_rules_allow_it(
    client_as, grievance, state, offered
):
    make_round(grievance, state)
    body = text(client_as("organiser").get(grievance_url(grievance)))
    assert (reverse("appeals:round_new", args=[grievance.pk]) in body) is offered


def test_the_grievance_page_shows_the_legal_windows_as_dates(client_as, grievance):
    Grievance.objects.filter(pk=grievance.pk).update(
        infraction_date=timezone.localdate() - timedelta(days=10)
    )
    body = text(client_as("anonymous").get(grievance_url(grievance)))
    assert "Deadlines that apply" in body
    assert "Appeal window under the platform" in body


@pytest.mark.parametrize("role", ROLES)
def test_the_grievance_page_still_opens_for_everyone_with_rounds(client_as, grievance, role):
    make_round(grievance, S.SUBMITTED)
    assert client_as(role).get(grievance_url(grievance)).status_code == 200
