"""A co-sign costs the same few statements however many have signed before: on PostgreSQL,
one statement, which also finds the token's user."""

from __future__ import annotations

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from rest_framework.authtoken.models import Token
from rest_framework.test import APIClient

from appeals.actions.signing import sign
from appeals.models import Appeal
from tests.appeals.builders import add_members, make_round

pytestmark = pytest.mark.django_db


def cosign(appeal, membership) -> tuple[int, list[str]]:
    token = Token.objects.create(user=membership.seller.user)
    client = APIClient(HTTP_AUTHORIZATION=f"Token {token.key}")
    with CaptureQueriesContext(connection) as queries:
        response = client.post(
            f"/api/v1/appeals/{appeal.pk}/signature/", {"consent_to_name": True}, format="json"
        )
    return response.status_code, [q["sql"] for q in queries.captured_queries]


def test_a_cosign_costs_the_same_queries_after_3_or_30_signatures(grievance):
    appeal = make_round(grievance, Appeal.State.SIGNING)
    members = add_members(grievance, 35)
    for m in members[:3]:
        sign(appeal, actor=m.seller.user)
    code, few = cosign(appeal, members[3])
    for m in members[4:31]:
        sign(appeal, actor=m.seller.user)
    code_later, many = cosign(appeal, members[31])
    assert (code, code_later) == (201, 201)
    assert len(few) == len(many)


def test_on_postgresql_a_cosign_is_one_statement_between_the_request_reads_and_its_writes(
    postgres, grievance
):
    appeal = make_round(grievance, Appeal.State.SIGNING)
    (member,) = add_members(grievance, 1)
    code, statements = cosign(appeal, member)
    assert code == 201
    # One statement that finds the token's user, checks the membership, the round and the
    # email, inserts the signature, writes the timeline event and withdraws a waiting reminder.
    work = [s for s in statements if not s.startswith(("SAVEPOINT", "RELEASE SAVEPOINT"))]
    assert len(work) == 1, "\n".join(work)
    (signing,) = work
    for table in (
        "authtoken_token",
        "auth_user",
        "appeals_signature",
        "coalition_membership",
        "coalition_auditevent",
    ):
        assert table in signing
    assert "appeals_notification" in signing
    # Neither the round nor the membership is read by a query of its own.
    assert not any(s.lstrip().startswith('SELECT "coalition_membership"') for s in work)
    assert not any(s.lstrip().startswith('SELECT "appeals_appeal"') for s in work)


def test_on_postgresql_the_cosign_statement_is_planned_once_per_connection(postgres, grievance):
    appeal = make_round(grievance, Appeal.State.SIGNING)
    first, second = add_members(grievance, 2)
    assert cosign(appeal, first)[0] == cosign(appeal, second)[0] == 201
    with connection.cursor() as cursor:
        cursor.execute("SELECT statement, generic_plans + custom_plans FROM pg_prepared_statements")
        prepared = cursor.fetchall()
    signing = [runs for statement, runs in prepared if "INSERT INTO" in statement]
    assert signing == [2]
    assert all('"authtoken_token"' in statement for statement, _ in prepared), prepared


@pytest.mark.parametrize("path_id", ["999999", "abc", "99999999999999999999"])
def test_co_signing_a_round_that_does_not_exist_is_a_404(grievance, path_id):
    (member,) = add_members(grievance, 1)
    token = Token.objects.create(user=member.seller.user)
    client = APIClient(HTTP_AUTHORIZATION=f"Token {token.key}")
    response = client.post(
        f"/api/v1/appeals/{path_id}/signature/", {"consent_to_name": True}, format="json"
    )
    assert response.status_code == 404, response.content
    assert response["Content-Type"] == "application/json"


def test_co_signing_a_draft_of_ones_own_grievance_is_a_404_as_before(grievance):
    """Members never see a draft round: the refusal loads the round and answers as a read would."""
    appeal = make_round(grievance, Appeal.State.DRAFT)
    (member,) = add_members(grievance, 1)
    assert cosign(appeal, member)[0] == 404
