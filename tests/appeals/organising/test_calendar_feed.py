"""The organiser's private calendar feed: made and revoked from its settings page, read back by
the icalendar library, holding signing deadlines, response due dates and ladder dates."""

from __future__ import annotations

from datetime import date, timedelta

import pytest
from django.urls import reverse
from django.utils import timezone
from icalendar import Calendar

from appeals.models import Appeal, CalendarFeed, Climb
from coalition.models import Grievance
from tests.appeals.builders import make_round
from tests.factories import GrievanceFactory

S = Appeal.State
SETTINGS = reverse("appeals:calendar_settings")


def feed_url(feed: CalendarFeed) -> str:
    return reverse("appeals:calendar_feed", args=[feed.token])


def events(client, feed) -> dict[str, object]:
    response = client.get(feed_url(feed))
    assert response.status_code == 200
    assert response["Content-Type"].startswith("text/calendar")
    cal = Calendar.from_ical(response.content)
    return {str(e["uid"]): e for e in cal.walk("VEVENT")}


def test_an_organiser_makes_a_feed_and_sees_its_private_address(client_as, organiser):
    client = client_as("organiser")
    client.post(SETTINGS)
    feed = CalendarFeed.objects.get(user=organiser.user)
    assert feed_url(feed) in client.get(SETTINGS).content.decode()


def test_the_settings_page_needs_a_login(client):
    assert client.get(SETTINGS).status_code == 302


def test_the_feed_holds_signing_deadlines_and_response_due_dates(
    client, client_as, grievance, organiser
):
    deadline = timezone.now() + timedelta(days=3)
    signing = make_round(grievance, S.SIGNING, signing_deadline=deadline)
    submitted = make_round(grievance, S.SUBMITTED)
    feed = CalendarFeed.objects.create(user=organiser.user)
    found = events(client, feed)
    sign = found[f"signing-{signing.pk}@coalition"]
    assert (
        sign["dtstart"].dt == deadline.replace(microsecond=0)
        or abs((sign["dtstart"].dt - deadline).total_seconds()) < 1
    )
    assert "Signing closes: round 1" in str(sign["summary"])
    due = found[f"response-{submitted.pk}@coalition"]
    assert abs((due["dtstart"].dt - submitted.response_due_at).total_seconds()) < 1
    assert str(due["url"]).endswith(submitted.get_absolute_url())


def test_the_feed_holds_the_ladders_decision_dates(client, grievance, organiser):
    Climb.objects.create(
        grievance=grievance,
        rung="mediation",
        started_at=timezone.now(),
        decision_due=date(2031, 5, 4),
    )
    feed = CalendarFeed.objects.create(user=organiser.user)
    climbs = [e for uid, e in events(client, feed).items() if uid.startswith("climb-")]
    assert [e["dtstart"].dt for e in climbs] == [date(2031, 5, 4)]


def test_the_feed_shows_only_grievances_the_user_organises(client, grievance, organiser, platform):
    other = GrievanceFactory(platform=platform)
    make_round(other, S.SIGNING, signing_deadline=timezone.now() + timedelta(days=1))
    feed = CalendarFeed.objects.create(user=organiser.user)
    assert not [uid for uid in events(client, feed) if uid.startswith("signing-")]


def test_a_revoked_feed_stops_working_and_a_new_one_has_a_new_address(client_as, client, organiser):
    organiser_client = client_as("organiser")
    organiser_client.post(SETTINGS)
    old = CalendarFeed.objects.get(user=organiser.user)
    organiser_client.post(SETTINGS, {"revoke": "1"})
    assert client.get(feed_url(old)).status_code == 404
    organiser_client.post(SETTINGS)
    new = CalendarFeed.objects.get(user=organiser.user)
    assert new.token != old.token
    assert client.get(feed_url(new)).status_code == 200


def test_a_guessed_token_is_404(client, db):
    assert client.get(reverse("appeals:calendar_feed", args=["not-a-token"])).status_code == 404


def test_closed_grievances_leave_the_feed(client, grievance, organiser):
    make_round(grievance, S.SIGNING, signing_deadline=timezone.now() + timedelta(days=1))
    Grievance.objects.filter(pk=grievance.pk).update(state=Grievance.State.CLOSED)
    feed = CalendarFeed.objects.create(user=organiser.user)
    assert events(client, feed) == {}


@pytest.mark.parametrize("role", ["member", "outsider"])
def test_a_member_who_organises_nothing_gets_an_empty_feed(
    client, role, member, outsider, grievance, membership
):
    make_round(grievance, S.SIGNING, signing_deadline=timezone.now() + timedelta(days=1))
    user = {"member": member.user, "outsider": outsider.user}[role]
    feed = CalendarFeed.objects.create(user=user)
    assert events(client, feed) == {}
