"""The co-sign's rate limit is counted in the database: one upsert per count, and on PostgreSQL
inside the co-sign's own statement, whose table keeps no write-ahead log."""

from __future__ import annotations

import time

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext, override_settings
from rest_framework.authtoken.models import Token
from rest_framework.test import APIClient

from appeals.actions import signing
from appeals.models import Appeal, Signature
from coalition.actions import rates
from coalition.models import AuditEvent, RateWindow
from coalition.tasks import forget_rate_windows
from tests.appeals.builders import add_members, make_round

pytestmark = pytest.mark.django_db

twice_an_hour = override_settings(
    REST_FRAMEWORK={
        "DEFAULT_AUTHENTICATION_CLASSES": [
            "rest_framework.authentication.SessionAuthentication",
            "coalition.api.authentication.TokenAuthentication",
        ],
        "EXCEPTION_HANDLER": "coalition.api.exceptions.exception_handler",
        "DEFAULT_THROTTLE_RATES": {"sign": "2/h"},
    }
)


def window(key: str = "sign:1", now: float = 7_200.5, limit: int = 3) -> rates.Window:
    return rates.Window.at(key, limit=limit, period=3600, now=now)


def test_a_window_is_known_by_when_it_ends_and_says_how_long_to_wait():
    w = window(now=7_200.5)
    assert (w.ends, w.wait) == (10_800, 3_599.5)


def test_counts_add_up_in_one_statement_each_and_start_again_in_the_next_window():
    with CaptureQueriesContext(connection) as queries:
        counts = [rates.count(window()) for _ in range(3)]
    assert counts == [1, 2, 3]
    assert len(queries) == 3
    assert rates.count(window(now=10_800.0)) == 1  # the next hour
    assert rates.count(window("sign:2")) == 1  # another caller


def test_a_count_from_a_clock_that_lags_goes_into_the_later_window():
    assert rates.count(window(now=10_800.0)) == 1
    assert rates.count(window(now=10_799.0)) == 2  # not back to the earlier hour's count
    assert RateWindow.objects.get(key="sign:1").ends == 14_400


def test_check_refuses_the_request_beyond_the_limit():
    for _ in range(3):
        rates.check(window())
    with pytest.raises(rates.Exceeded) as refused:
        rates.check(window())
    assert refused.value.window.wait == pytest.approx(3_599.5)


def test_counts_are_forgotten_an_hour_after_their_window_ends():
    rates.count(window("old", now=0.0))  # ends at 3,600
    rates.count(window("recent", now=3_600.0))  # ends at 7,200
    assert rates.forget_ended(now=3_600 + rates.FORGET_AFTER + 1) == 1
    assert list(RateWindow.objects.values_list("key", flat=True)) == ["recent"]


def test_on_postgresql_the_counts_keep_no_write_ahead_log(postgres):
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT relpersistence FROM pg_class WHERE relname = %s", [RateWindow._meta.db_table]
        )
        assert cursor.fetchone() == ("u",)


@twice_an_hour
def test_on_postgresql_the_cosign_counts_in_its_own_statement_and_beyond_the_limit_signs_nothing(
    postgres, grievance
):
    appeal = make_round(grievance, Appeal.State.SIGNING)
    (member,) = add_members(grievance, 1)
    client = APIClient(
        HTTP_AUTHORIZATION=f"Token {Token.objects.create(user=member.seller.user).key}"
    )
    path = f"/api/v1/appeals/{appeal.pk}/signature/"
    assert client.post(path, {}, format="json").status_code == 201
    assert client.delete(path).status_code == 204  # withdrawing counts in the same window
    with CaptureQueriesContext(connection) as queries:
        refused = client.post(path, {}, format="json")
    assert refused.status_code == 429, refused.content
    assert int(refused["Retry-After"]) > 0
    (statement,) = [q["sql"] for q in queries.captured_queries]
    assert RateWindow._meta.db_table in statement and "INSERT INTO" in statement
    assert not Signature.objects.filter(appeal=appeal, withdrawn_at__isnull=True).exists()
    assert AuditEvent.objects.filter(verb=signing.SIGNED).count() == 1  # the first one only
    (count,) = RateWindow.objects.all()
    assert count.hits == 3


@twice_an_hour
def test_an_unknown_token_is_counted_then_refused(postgres, grievance):
    appeal = make_round(grievance, Appeal.State.SIGNING)
    client = APIClient(HTTP_AUTHORIZATION="Token " + "0" * 40)
    path = f"/api/v1/appeals/{appeal.pk}/signature/"
    codes = [client.post(path, {}, format="json").status_code for _ in range(3)]
    assert codes == [403, 403, 429]


def test_the_beat_forgets_ended_windows_every_hour(settings):
    entry = settings.CELERY_BEAT_SCHEDULE["forget-rate-windows"]
    assert entry["task"] == forget_rate_windows.name
    rates.count(window("long-gone", now=0.0))
    rates.count(window("this-hour", now=time.time()))
    assert forget_rate_windows() == 1
    assert list(RateWindow.objects.values_list("key", flat=True)) == ["this-hour"]
