"""API tokens: the cheaper lookup (coalition/api/authentication.py) accepts and refuses exactly
what DRF's would."""

from __future__ import annotations

import psycopg
import pytest
from django.db import close_old_connections, connection
from django.test.utils import CaptureQueriesContext
from rest_framework.authtoken.models import Token
from rest_framework.test import APIClient

from appeals.models import Appeal, Signature
from tests.appeals.builders import add_members, make_round
from tests.factories import GrievanceFactory, SellerFactory

pytestmark = pytest.mark.django_db


def drop_the_connection() -> int:
    """End this test's database connection from the server side, as a restart would; returns
    the ended backend's pid."""
    old = connection.connection.info.backend_pid
    db = connection.settings_dict
    with psycopg.connect(
        dbname=db["NAME"], user=db["USER"], host=db["HOST"], port=db["PORT"], autocommit=True
    ) as admin:
        assert admin.execute("SELECT pg_terminate_backend(%s)", [old]).fetchone()[0]
    return old


def me(key: str):
    return APIClient(HTTP_AUTHORIZATION=f"Token {key}").get("/api/v1/me/")


def test_a_valid_token_signs_its_user_in_with_one_query():
    seller = SellerFactory()
    token = Token.objects.create(user=seller.user)
    client = APIClient(HTTP_AUTHORIZATION=f"Token {token.key}")
    with CaptureQueriesContext(connection) as queries:
        response = client.get("/api/v1/me/")
    assert response.status_code == 200, response.content
    assert response.json()["email"] == seller.user.email
    token_reads = [q["sql"] for q in queries.captured_queries if "authtoken_token" in q["sql"]]
    assert len(token_reads) == 1 and "auth_user" in token_reads[0]


def test_an_unknown_token_is_refused_in_drfs_words():
    response = me("0" * 40)
    assert response.status_code == 403  # DRF answers 403, not 401, when session auth comes first
    assert response.json()["detail"] == "Invalid token."


def test_the_token_of_an_inactive_user_is_refused():
    seller = SellerFactory()
    token = Token.objects.create(user=seller.user)
    seller.user.is_active = False
    seller.user.save(update_fields=["is_active"])
    response = me(token.key)
    assert response.status_code == 403  # DRF answers 403, not 401, when session auth comes first
    assert response.json()["detail"] == "User inactive or deleted."


@pytest.mark.django_db(transaction=True)
def test_after_the_database_dropped_the_connection_the_next_token_request_still_works(postgres):
    """Django's CONN_HEALTH_CHECKS would find the dead connection before the request's first
    query; the token's prepared statement, the first on the co-sign path, does the same by
    running once more on a fresh connection (coalition/sql.py `fetch_one`)."""
    seller = SellerFactory()
    token = Token.objects.create(user=seller.user)
    client = APIClient(HTTP_AUTHORIZATION=f"Token {token.key}")
    assert client.get("/api/v1/me/").status_code == 200
    old = drop_the_connection()
    # What a served request starts with; Django's test client leaves it out.
    close_old_connections()
    response = client.get("/api/v1/me/")
    assert response.status_code == 200, response.content
    assert connection.connection.info.backend_pid != old


@pytest.mark.django_db(transaction=True)
def test_after_the_database_dropped_the_connection_the_next_cosign_still_works(postgres):
    """The co-sign's statement is the first of its request (the token is checked in it), so it
    too runs once more on a fresh connection when the kept one died (coalition/sql.py)."""
    grievance = GrievanceFactory()
    appeal = make_round(grievance, Appeal.State.SIGNING)
    first, second = add_members(grievance, 2)
    clients = [
        APIClient(HTTP_AUTHORIZATION=f"Token {Token.objects.create(user=m.seller.user).key}")
        for m in (first, second)
    ]
    url = f"/api/v1/appeals/{appeal.pk}/signature/"
    assert clients[0].post(url, {}, format="json").status_code == 201
    old = drop_the_connection()
    close_old_connections()
    response = clients[1].post(url, {}, format="json")
    assert response.status_code == 201, response.content
    assert connection.connection.info.backend_pid != old
    assert Signature.objects.filter(appeal=appeal).count() == 2
