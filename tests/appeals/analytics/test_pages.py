"""The "what worked" page of a grievance and the public platform scorecard, on the site and in
the API: who reads exact figures, who reads released ones, both languages, flat query counts."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
from django.core.cache import cache
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from appeals.actions.responses import record_response
from appeals.models import Appeal, PlatformResponse
from coalition import cache as public_cache
from coalition.models import Grievance
from tests.appeals.analytics.builders import answered_round, recovered
from tests.appeals.builders import make_round
from tests.factories import GrievanceFactory

pytestmark = pytest.mark.django_db

EXACT_USD = "US$6,000.00"
RELEASED_USD = "about US$6,000"
EXACT_EUR = "€400.00"
EUR_HIDDEN = "fewer than 5 sellers reported amounts in EUR"


def analytics_url(grievance) -> str:
    return f"/grievances/{grievance.pk}/what-worked/"


def scorecard_url(platform) -> str:
    return f"/platforms/{platform.slug}/"


def api_url(platform) -> str:
    return f"/api/v1/platforms/{platform.slug}/scorecard/"


@pytest.fixture
def worked(grievance):
    """A round answered three days after it was sent; six sellers got US$1,000 back each, four got
    €100 each."""
    appeal = answered_round(grievance, submitted=timezone.now() - timedelta(days=20), days=3)
    recovered(appeal, ["1000"] * 6)
    recovered(appeal, ["100"] * 4, currency="EUR")
    return appeal


def text(response) -> str:
    return response.content.decode()


@pytest.mark.parametrize("role", ["anonymous", "outsider", "member"])
def test_others_read_released_figures_with_the_reason_for_hidden_ones(client_as, worked, role):
    page = text(client_as(role).get(analytics_url(worked.grievance)))

    assert RELEASED_USD in page
    assert EUR_HIDDEN in page
    assert EXACT_USD not in page and EXACT_EUR not in page
    assert "<svg" in page and 'role="img"' in page


@pytest.mark.parametrize("role", ["organiser", "staff"])
def test_organisers_and_staff_read_exact_figures(client_as, worked, role):
    page = text(client_as(role).get(analytics_url(worked.grievance)))

    assert EXACT_USD in page and EXACT_EUR in page
    assert EUR_HIDDEN not in page


def test_analytics_page_shows_the_funnel_and_business_days_to_each_answer(client_as, worked):
    page = text(client_as("anonymous").get(analytics_url(worked.grievance)))

    assert 'data-chart="funnel"' in page
    assert 'data-chart="answers"' in page
    assert "business day" in page


@pytest.mark.parametrize(
    ("role", "status"), [("anonymous", 404), ("outsider", 404), ("member", 200), ("organiser", 200)]
)
def test_an_unlisted_grievance_s_analytics_are_for_those_who_may_open_it(
    client_as, grievance, role, status
):
    Grievance.objects.filter(pk=grievance.pk).update(visibility=Grievance.Visibility.UNLISTED)

    assert client_as(role).get(analytics_url(grievance)).status_code == status


def test_an_unlisted_grievance_s_analytics_open_with_its_share_key(client, grievance):
    Grievance.objects.filter(pk=grievance.pk).update(visibility=Grievance.Visibility.UNLISTED)

    response = client.get(analytics_url(grievance), {"key": grievance.share_key})

    assert response.status_code == 200


@pytest.mark.parametrize("role", ["anonymous", "outsider", "member", "organiser", "staff"])
def test_scorecard_is_public_and_the_same_for_everyone(client_as, worked, platform, role):
    page = text(client_as(role).get(scorecard_url(platform)))

    assert RELEASED_USD in page
    assert EUR_HIDDEN in page
    assert EXACT_USD not in page
    assert 'data-chart="first-answer"' in page


def test_unknown_platform_has_no_scorecard(client, db):
    assert client.get("/platforms/no-such-market/").status_code == 404
    assert client.get("/api/v1/platforms/no-such-market/scorecard/").status_code == 404


def test_every_grievance_page_links_to_its_platform_scorecard(client, grievance):
    page = text(client.get(grievance.get_absolute_url()))

    assert f'href="{scorecard_url(grievance.platform)}" data-scorecard-link' in page
    assert analytics_url(grievance) in page


def test_both_languages_render(client, worked, platform):
    for url in (scorecard_url(platform), analytics_url(worked.grievance)):
        english = client.get(url, HTTP_ACCEPT_LANGUAGE="en")
        chinese = client.get(url, HTTP_ACCEPT_LANGUAGE="zh-hans")
        assert english.status_code == chinese.status_code == 200
        assert 'lang="en"' in text(english)
        assert 'lang="zh-hans"' in text(chinese)
        assert "6,000美元" in text(chinese)  # money said the Chinese way
        assert RELEASED_USD not in text(chinese)


@pytest.mark.parametrize("role", ["anonymous", "outsider", "member", "organiser"])
def test_scorecard_api_is_public_and_carries_released_figures_only(
    client_as, worked, platform, role
):
    body = client_as(role).get(api_url(platform)).json()

    assert body["platform"] == platform.slug
    assert body["rounds_submitted"] == 1
    assert body["median_business_days_to_first_answer"] is not None
    usd, eur = sorted(body["recovered"], key=lambda c: c["currency"], reverse=True)
    assert usd == {"released": True, "value": "6000", "currency": "USD", "text": RELEASED_USD}
    assert eur["released"] is False and eur["value"] is None and EUR_HIDDEN in eur["text"]


def test_scorecard_api_counts_public_grievances_only(client, platform, worked):
    unlisted = GrievanceFactory(platform=platform, visibility=Grievance.Visibility.UNLISTED)
    answered_round(unlisted, submitted=timezone.now() - timedelta(days=20), days=3)

    assert client.get(api_url(platform)).json()["rounds_submitted"] == 1


def _bulk_rounds(grievance, n: int) -> None:
    """n answered rounds in one grievance, written in bulk."""
    now = timezone.now()
    start = Appeal.objects.filter(grievance=grievance).count()
    rounds = Appeal.objects.bulk_create(
        Appeal(
            grievance=grievance,
            number=start + i + 1,
            subject=f"round {i}",
            letter="x",
            state=Appeal.State.RESPONDED,
            outcome=Appeal.Outcome.REJECTED,
            submitted_at=now - timedelta(days=30, hours=i % 200),
            response_due_at=now - timedelta(days=20),
            responded_at=now - timedelta(days=25),
        )
        for i in range(n)
    )
    PlatformResponse.objects.bulk_create(
        PlatformResponse(
            appeal=r, received_at=now - timedelta(days=25), text="no", classification="rejected"
        )
        for r in rounds
    )


@pytest.mark.parametrize(
    "url", [scorecard_url, api_url, lambda p: analytics_url(p.grievances.first())]
)
def test_query_count_is_flat_at_10_and_1000_rounds(
    client, grievance, platform, django_assert_num_queries, url
):
    first = answered_round(grievance, submitted=timezone.now() - timedelta(days=9), days=2)
    recovered(first, ["5"] * 5)
    _bulk_rounds(grievance, 9)
    client.get(url(platform))  # warm caches (sessions, content types, holiday calendars)
    cache.clear()  # the scorecard's figures are cached: measure them being computed
    with CaptureQueriesContext(connection) as small:
        assert client.get(url(platform)).status_code == 200
    _bulk_rounds(grievance, 990)
    cache.clear()
    with django_assert_num_queries(len(small.captured_queries)):
        response = client.get(url(platform))
    assert response.status_code == 200
    assert Appeal.objects.filter(grievance=grievance).count() == 1000


@pytest.fixture
def settled(monkeypatch):
    """Cache versions settle at once, so answers are kept right after a write."""
    monkeypatch.setattr(public_cache, "SETTLE_SECONDS", 0.0)


def test_scorecard_figures_are_computed_once_for_every_reader(client, platform, worked, settled):
    client.get(scorecard_url(platform))
    with CaptureQueriesContext(connection) as cached:
        page = text(client.get(scorecard_url(platform)))
        body = client.get(api_url(platform)).json()

    assert RELEASED_USD in page and body["rounds_submitted"] == 1
    assert not any("appeals_appeal" in q["sql"] for q in cached.captured_queries)


def test_a_recorded_answer_shows_on_the_scorecard_at_once(
    client, platform, grievance, organiser, settled
):
    appeal = make_round(
        grievance, Appeal.State.SUBMITTED, submitted_at=timezone.now() - timedelta(days=3)
    )
    assert client.get(api_url(platform)).json()["rounds_answered"] == 0  # now cached

    record_response(
        appeal,
        actor=organiser.user,
        received_at=timezone.now() - timedelta(days=1),
        channel="email",
        text="Rejected.",
        classification="rejected",
    )

    assert client.get(api_url(platform)).json()["rounds_answered"] == 1


def test_answer_dates_are_in_the_viewer_s_time_zone(client, grievance):
    # Received at 02:00 UTC on 2 June: still 1 June in Los Angeles, already 2 June in Shanghai.
    received = datetime(2026, 6, 2, 2, 0, tzinfo=UTC)
    appeal = make_round(
        grievance, Appeal.State.RESPONDED, submitted_at=received - timedelta(days=1)
    )
    appeal.responses.create(received_at=received, text="No.", classification="rejected")

    client.cookies["tz"] = "Asia/Shanghai"
    assert "June 2, 2026" in text(client.get(analytics_url(grievance)))
    client.cookies["tz"] = "America/Los_Angeles"
    assert "June 1, 2026" in text(client.get(analytics_url(grievance)))


@pytest.mark.parametrize("role", ["anonymous", "member"])
def test_one_sellers_successful_outcome_is_hidden_not_a_crash(client_as, grievance, role):
    """A single member reported getting money back: the page still renders for everyone, and
    neither the outcome count nor the amount can be read off it."""
    appeal = answered_round(grievance, submitted=timezone.now() - timedelta(days=20), days=3)
    recovered(appeal, ["777.77"])
    response = client_as(role).get(analytics_url(grievance))
    assert response.status_code == 200
    assert "777.77" not in text(response) and "777,77" not in text(response)
    assert "hidden to protect members" in text(response)
