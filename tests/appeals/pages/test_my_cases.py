"""The "my cases" page: what a seller has to do next, then where each grievance stands."""

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
    SubmissionFactory,
)
from tests.files import text

pytestmark = pytest.mark.django_db


S = Appeal.State
MY_CASES = reverse("appeals:my_cases")


def round_url(appeal: Appeal) -> str:
    return reverse("appeals:round_detail", args=[appeal.pk])


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
