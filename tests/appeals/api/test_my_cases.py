"""/api/v1/my-cases/: what to do next, then where things stand; query count at two sizes."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from appeals.models import Appeal
from tests.appeals.builders import make_round
from tests.factories import (
    GrievanceFactory,
    MembershipFactory,
    SignatureFactory,
    SubmissionFactory,
)

S = Appeal.State
pytestmark = pytest.mark.django_db


def test_my_cases_lists_what_to_do_then_where_things_stand(
    member_api, member, grievance, membership, platform
):
    to_sign = make_round(grievance, S.SIGNING)
    other = GrievanceFactory(platform=platform, title="Second coalition")
    mine = MembershipFactory(grievance=other, seller=member)
    to_log = make_round(other, S.SUBMITTED)
    old = make_round(other, S.RESPONDED, number=0)  # an earlier round
    SubmissionFactory(
        appeal=old, membership=mine, submitted_on=timezone.localdate() - timedelta(days=10)
    )
    items = member_api.get("/api/v1/my-cases/").json()["results"]
    todo = [(i["kind"], i["round"]) for i in items if i["is_todo"]]
    assert sorted(todo) == sorted(
        [("sign", to_sign.pk), ("log_submission", to_log.pk), ("report_outcome", old.pk)]
    )
    status = [i["text"] for i in items if not i["is_todo"]]
    assert len(status) == 2 and any("Second coalition" in t and "round 1" in t for t in status)
    assert items[-1]["is_todo"] is False


def test_signed_logged_and_reported_leave_only_status(member_api, grievance, membership):
    signing = make_round(grievance, S.SIGNING)
    SignatureFactory(appeal=signing, membership=membership)
    items = member_api.get("/api/v1/my-cases/").json()["results"]
    assert [i["kind"] for i in items] == ["status"]


def test_a_fresh_submission_is_not_yet_asked_for_its_outcome(member_api, grievance, membership):
    sent = make_round(grievance, S.SUBMITTED)
    SubmissionFactory(appeal=sent, membership=membership, submitted_on=timezone.localdate())
    assert [i["kind"] for i in member_api.get("/api/v1/my-cases/").json()["results"]] == ["status"]


def test_only_the_latest_sent_round_asks_for_my_own_appeal(member_api, grievance, membership):
    make_round(grievance, S.SUBMITTED)
    latest = make_round(grievance, S.SUBMITTED)
    items = member_api.get("/api/v1/my-cases/").json()["results"]
    assert [(i["kind"], i["round"]) for i in items if i["is_todo"]] == [
        ("log_submission", latest.pk)
    ]


def test_outsiders_have_no_cases(outsider_api, grievance):
    make_round(grievance, S.SIGNING)
    assert outsider_api.get("/api/v1/my-cases/").json()["count"] == 0


def _cases_population(member, platform, n: int) -> None:
    for _ in range(n):
        g = GrievanceFactory(platform=platform)
        m = MembershipFactory(grievance=g, seller=member)
        make_round(g, S.SIGNING)
        old = make_round(g, S.RESPONDED)
        SubmissionFactory(
            appeal=old, membership=m, submitted_on=timezone.localdate() - timedelta(days=9)
        )
        make_round(g, S.SUBMITTED)


def test_my_cases_query_count_does_not_grow(
    member_api, member, platform, django_assert_num_queries
):
    _cases_population(member, platform, 1)
    member_api.get("/api/v1/my-cases/")
    with CaptureQueriesContext(connection) as small:
        member_api.get("/api/v1/my-cases/")
    _cases_population(member, platform, 6)
    with django_assert_num_queries(len(small.captured_queries)):
        body = member_api.get("/api/v1/my-cases/", {"page_size": 100}).json()
    assert sum(1 for i in body["results"] if i["is_todo"]) == 21
