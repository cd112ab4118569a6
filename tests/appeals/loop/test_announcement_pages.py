"""The announcement page, the notice on the grievance page and the "remind now" button."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.urls import reverse

from appeals.actions.announcements import announce
from appeals.actions.drafting import draft_round, update_draft
from appeals.models import Announcement, Appeal, FollowUp
from coalition.errors import ActionRefused
from tests.appeals.builders import make_round, open_round
from tests.appeals.loop.support import verified

pytestmark = pytest.mark.django_db
A = Announcement.Audience


def new_url(grievance) -> str:
    return reverse("appeals:announcement_new", args=[grievance.pk])


FORM = {"audience": "all", "subject": "Round 2", "text": "Sign <b>round 2</b> by Friday."}


@pytest.mark.parametrize(
    ("role", "status"),
    [("anonymous", 302), ("outsider", 404), ("member", 403), ("organiser", 200), ("staff", 200)],
)
def test_who_may_open_the_announcement_page(client_as, grievance, role, status):
    grievance.visibility = "unlisted"
    grievance.save()
    response = client_as(role).get(new_url(grievance))
    assert response.status_code == status


def test_preview_shows_the_text_escaped_and_the_recipient_count_and_sends_nothing(
    client_as, grievance, organiser
):
    verified(grievance), verified(grievance)
    response = client_as("organiser").post(new_url(grievance), {**FORM, "preview": "1"})
    assert response.status_code == 200
    html = response.content.decode()
    assert "this goes to 4 members" in html  # organiser, the member fixture, two verified
    assert "&lt;b&gt;round 2&lt;/b&gt;" in html and "<b>round 2</b>" not in html
    assert 'name="send"' in html
    assert not Announcement.objects.exists()


def test_sending_queues_it_and_shows_it_on_the_grievance_page(client_as, grievance):
    organiser = client_as("organiser")
    response = organiser.post(new_url(grievance), {**FORM, "send": "1"})
    assert response.status_code == 302
    item = Announcement.objects.get()
    assert FollowUp.objects.filter(key=f"announcement:{item.pk}").exists()
    page = client_as("member").get(grievance.get_absolute_url()).content.decode()
    assert "From the organisers" in page and "Round 2" in page
    assert "&lt;b&gt;round 2&lt;/b&gt;" in page and "<b>round 2</b>" not in page


def test_the_notice_is_not_shown_to_outsiders(client_as, grievance, organiser):
    announce(grievance, actor=organiser.user, audience=A.ALL, subject="Private news", text="Hi")
    page = client_as("outsider").get(grievance.get_absolute_url()).content.decode()
    assert "Private news" not in page


def test_a_refused_announcement_shows_the_reason_next_to_the_form(client_as, grievance, organiser):
    announce(grievance, actor=organiser.user, audience=A.ALL, subject="First", text="Hi")
    response = client_as("organiser").post(new_url(grievance), {**FORM, "send": "1"})
    assert response.status_code == 200
    assert "in the last 24 hours" in response.content.decode()
    assert Announcement.objects.count() == 1


def test_an_overlong_message_is_refused_by_the_form(client_as, grievance):
    response = client_as("organiser").post(
        new_url(grievance), {**FORM, "text": "x" * 5001, "send": "1"}
    )
    assert response.status_code == 200 and not Announcement.objects.exists()
    assert "5000" in response.content.decode()


# --- remind now -------------------------------------------------------------------------------


def remind_url(appeal) -> str:
    return reverse("appeals:round_remind_now", args=[appeal.pk])


@pytest.mark.parametrize(
    ("role", "status"),
    # A round still collecting signatures is unknown to outsiders, even of a public grievance.
    [("anonymous", 302), ("outsider", 404), ("member", 403), ("organiser", 302)],
)
def test_who_may_remind_now(client_as, grievance, organiser, role, status):
    appeal = open_round(grievance, organiser, deadline=timedelta(days=7))
    response = client_as(role).post(remind_url(appeal))
    assert response.status_code == status
    reminded = FollowUp.objects.filter(key__contains=":now-").exists()
    assert reminded == (role == "organiser")


def test_the_round_page_offers_remind_now_to_organisers_of_a_signing_round(
    client_as, grievance, organiser
):
    appeal = open_round(grievance, organiser, deadline=timedelta(days=7))
    url = reverse("appeals:round_detail", args=[appeal.pk])
    assert remind_url(appeal) in client_as("organiser").get(url).content.decode()
    assert remind_url(appeal) not in client_as("member").get(url).content.decode()


def test_remind_now_twice_in_a_day_says_why_not(client_as, grievance, organiser):
    appeal = open_round(grievance, organiser, deadline=timedelta(days=7))
    client = client_as("organiser")
    client.post(remind_url(appeal))
    response = client.post(remind_url(appeal), follow=True)
    assert "in the last 24 hours" in response.content.decode()
    assert FollowUp.objects.filter(key__contains=":now-").count() == 1


def test_the_email_channel_is_offered_only_for_platforms_with_an_appeal_address(
    client_as, grievance
):
    url = reverse("appeals:round_new", args=[grievance.pk])
    assert 'value="email"' in client_as("organiser").get(url).content.decode()
    grievance.platform.appeal_email = ""
    grievance.platform.save()
    page = client_as("organiser").get(url).content.decode()
    assert 'value="email"' not in page and "has no appeal email address" in page
    response = client_as("organiser").post(
        url, {"channel": "email", "language": "en", "signature_goal": 10}
    )
    assert response.status_code == 200 and not Appeal.objects.exists()


def test_an_email_round_cannot_be_drafted_for_a_platform_without_an_appeal_address(
    grievance, organiser
):
    grievance.platform.appeal_email = ""
    grievance.platform.save()
    with pytest.raises(ActionRefused) as refused:
        draft_round(grievance, actor=organiser.user, channel="email")
    assert refused.value.field == "channel"
    draft = make_round(grievance, Appeal.State.DRAFT)
    with pytest.raises(ActionRefused):
        update_draft(draft, actor=organiser.user, channel="email")
