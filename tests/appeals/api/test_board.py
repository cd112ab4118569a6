"""/api/v1/board/: the organiser's board, its order and its query count at two sizes."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from appeals.models import Appeal
from tests.appeals.builders import add_members, make_round
from tests.factories import (
    GrievanceFactory,
    OrganiserFactory,
    SignatureFactory,
    SubmissionFactory,
)

S = Appeal.State
pytestmark = pytest.mark.django_db


def _overdue(appeal: Appeal, *, very: bool = False, days: int = 3) -> Appeal:
    now = timezone.now()
    appeal.response_due_at = now - timedelta(days=days)
    appeal.very_overdue_at = now - timedelta(days=1) if very else now + timedelta(days=20)
    appeal.save()
    return appeal


def _organised_grievance(organiser, platform):
    g = GrievanceFactory(platform=platform)
    OrganiserFactory(grievance=g, seller=organiser)
    return g


def test_board_lists_my_rounds_very_overdue_first(organiser_api, organiser, grievance, platform):
    other = _organised_grievance(organiser, platform)
    draft = make_round(grievance, S.DRAFT)
    overdue = _overdue(make_round(other, S.SUBMITTED), days=2)
    very = _overdue(make_round(grievance, S.SUBMITTED), very=True, days=30)
    due_soon = make_round(other, S.SUBMITTED)
    answered = make_round(grievance, S.RESPONDED)
    make_round(grievance, S.WITHDRAWN)
    make_round(GrievanceFactory(platform=platform), S.SUBMITTED)  # not mine
    rows = organiser_api.get("/api/v1/board/").json()["results"]
    assert [r["round"] for r in rows] == [very.pk, overdue.pk, due_soon.pk, draft.pk, answered.pk]
    assert rows[0]["clock"]["state"] == "very_overdue" and rows[0]["clock"]["label"].startswith(
        "very overdue"
    )
    assert rows[1]["clock"]["label"].startswith("overdue by")
    assert rows[2]["clock"]["label"].startswith("due")
    assert (
        "organiser: record the response, chase the platform or draft the next round"
        in rows[0]["todo"]
    )
    assert rows[4]["todo"] == ["organiser: decide on the next round or an escalation"]


def test_board_says_who_still_has_to_act(organiser_api, grievance):
    signing = make_round(grievance, S.SIGNING, signature_goal=5)
    members = add_members(grievance, 13)  # + the organiser = 14 members
    SignatureFactory(appeal=signing, membership=members[0])
    SignatureFactory(appeal=signing, membership=members[1])
    sent = make_round(grievance, S.SUBMITTED)
    for m in members[:7]:
        SignatureFactory(appeal=sent, membership=m)
    for m in members[:2]:
        SubmissionFactory(appeal=sent, membership=m)
    rows = {r["round"]: r for r in organiser_api.get("/api/v1/board/").json()["results"]}
    assert rows[signing.pk]["todo"] == ["12 members have not signed"]
    assert (rows[signing.pk]["signature_count"], rows[signing.pk]["signature_goal"]) == (2, 5)
    assert "5 signers have not logged their own appeal" in rows[sent.pk]["todo"]
    assert rows[sent.pk]["submission_count"] == 2 and rows[sent.pk]["outcomes"] == {"pending": 2}


def test_staff_see_every_grievance_on_the_board(staff_api, grievance, platform):
    make_round(grievance, S.DRAFT)
    make_round(GrievanceFactory(platform=platform), S.DRAFT)
    assert staff_api.get("/api/v1/board/").json()["count"] == 2


def test_members_have_an_empty_board(member_api, grievance):
    make_round(grievance, S.SUBMITTED)
    assert member_api.get("/api/v1/board/").json()["count"] == 0


def _board_population(organiser, platform, n: int) -> None:
    for _ in range(n):
        g = _organised_grievance(organiser, platform)
        members = add_members(g, 3)
        for state in (S.SIGNING, S.SUBMITTED, S.RESPONDED):
            appeal = make_round(g, state)
            SignatureFactory(appeal=appeal, membership=members[0])
            SubmissionFactory(appeal=appeal, membership=members[1])


def test_board_query_count_does_not_grow(
    organiser_api, organiser, platform, django_assert_num_queries
):
    _board_population(organiser, platform, 1)
    organiser_api.get("/api/v1/board/")
    with CaptureQueriesContext(connection) as small:
        organiser_api.get("/api/v1/board/")
    _board_population(organiser, platform, 6)
    with django_assert_num_queries(len(small.captured_queries)):
        assert organiser_api.get("/api/v1/board/").json()["count"] == 21
