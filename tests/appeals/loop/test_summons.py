"""Opening signing summons every verified member at once, in their language and daytime, once."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from appeals.actions.signing import close_signing, sign
from appeals.models import Appeal, FollowUp, Notification
from coalition.models import AuditEvent, Membership
from tests.appeals.builders import MONDAY, open_round
from tests.appeals.loop.support import (
    addressees,
    html_of,
    joined,
    run_due,
    sent,
    unconfirmed,
    verified,
)
from tests.factories import MembershipFactory

pytestmark = pytest.mark.django_db
K = FollowUp.Kind


def test_opening_signing_summons_every_verified_member_at_once(
    clock, grievance, organiser, django_capture_on_commit_callbacks
):
    mia = verified(grievance, display_name="Mia")
    just_joined = joined(grievance)
    no_confirmed_email = unconfirmed(grievance)
    gone = MembershipFactory(grievance=grievance, state=Membership.State.WITHDRAWN)
    appeal = open_round(grievance, organiser, deadline=timedelta(days=7))

    run_due(clock, MONDAY, django_capture_on_commit_callbacks)

    assert addressees("summons") == sorted([organiser.user.email, mia.seller.user.email])
    for left_out in (just_joined, no_confirmed_email, gone):
        assert left_out.seller.user.email not in addressees("summons")
    event = AuditEvent.objects.get(verb="round.members_summoned")
    assert (event.actor, event.subject, event.data) == (None, "round:1", {"members": 2})
    assert FollowUp.objects.get(key=f"summons:{appeal.pk}").state == "done"


def test_the_summons_names_the_round_the_deadline_the_demands_and_links_to_the_sign_button(
    clock, grievance, organiser, django_capture_on_commit_callbacks
):
    mia = verified(grievance, display_name="Mia")
    appeal = open_round(grievance, organiser, deadline=timedelta(days=7))
    run_due(clock, MONDAY, django_capture_on_commit_callbacks)

    (email,) = [m for m in sent("summons") if mia.seller.user.email in m.to]
    assert email.subject == f"Round 1 of “{grievance.title}” is open — sign by March 10, 2025"
    assert "Signing closes on March 10, 2025" in email.body
    assert grievance.demands in email.body
    assert "We appeal together." in email.body  # the letter is in English, like Mia
    sign_url = f"http://127.0.0.1:8000/rounds/{appeal.pk}/#signatures"
    assert sign_url in email.body and sign_url in html_of(email)
    assert "Hello Mia," in email.body
    assert "/notifications/unsubscribe/" in email.body
    assert "/notifications/unsubscribe/" in html_of(email)
    assert email.extra_headers["List-Unsubscribe-Post"] == "List-Unsubscribe=One-Click"


def test_the_summons_is_written_in_each_members_language(
    clock, grievance, organiser, django_capture_on_commit_callbacks
):
    wei = verified(grievance, language="zh-hans")
    open_round(grievance, organiser, deadline=timedelta(days=7))
    run_due(clock, MONDAY, django_capture_on_commit_callbacks)

    row = Notification.objects.get(kind="summons", to_email=wei.seller.user.email)
    assert '<html lang="zh-hans">' in row.body_html
    # The letter is English: Wei gets the summary, not an English excerpt.
    assert "We appeal together." not in row.body_text
    english = Notification.objects.get(kind="summons", to_email=organiser.user.email)
    assert '<html lang="en">' in english.body_html


@pytest.mark.parametrize("translation", ["我们一起申诉。", ""])
def test_a_member_reading_another_language_is_pointed_to_the_translation_when_there_is_one(
    clock, grievance, organiser, django_capture_on_commit_callbacks, translation
):
    wei = verified(grievance, language="zh-hans")
    open_round(grievance, organiser, deadline=timedelta(days=7), translation=translation)
    has_translation = bool(translation)
    run_due(clock, MONDAY, django_capture_on_commit_callbacks)
    row = Notification.objects.get(kind="summons", to_email=wei.seller.user.email)
    pointer = "附有供您阅读的译文"
    assert (pointer in row.body_text) == has_translation
    assert (pointer in row.body_html) == has_translation


def test_a_summons_at_night_waits_for_nine_in_the_members_time_zone(
    clock, grievance, organiser, django_capture_on_commit_callbacks
):
    shanghai = verified(grievance, time_zone="Asia/Shanghai")
    open_round(grievance, organiser, deadline=timedelta(days=7))
    # Monday 18:00 UTC is 02:00 Tuesday in Shanghai: held until 09:00 there (01:00 UTC).
    run_due(clock, MONDAY, django_capture_on_commit_callbacks)
    row = Notification.objects.get(kind="summons", to_email=shanghai.seller.user.email)
    assert row.send_after == datetime(2025, 3, 4, 1, 0, tzinfo=UTC)


def test_a_member_who_signs_before_their_morning_is_not_summoned(
    clock, grievance, organiser, django_capture_on_commit_callbacks
):
    shanghai = verified(grievance, time_zone="Asia/Shanghai")
    appeal = open_round(grievance, organiser, deadline=timedelta(days=7))
    run_due(clock, MONDAY, django_capture_on_commit_callbacks)
    sign(Appeal.objects.get(pk=appeal.pk), actor=shanghai.seller.user)
    clock.move_to(datetime(2025, 3, 4, 1, 0, tzinfo=UTC))
    assert not [m for m in sent("summons") if shanghai.seller.user.email in m.to]
    row = Notification.objects.get(kind="summons", to_email=shanghai.seller.user.email)
    assert row.state == "suppressed"


def test_a_summons_run_twice_emails_each_member_once(
    clock, grievance, organiser, django_capture_on_commit_callbacks
):
    verified(grievance)
    appeal = open_round(grievance, organiser, deadline=timedelta(days=7))
    run_due(clock, MONDAY, django_capture_on_commit_callbacks)
    FollowUp.objects.filter(key=f"summons:{appeal.pk}").update(state="scheduled")
    run_due(clock, MONDAY + timedelta(minutes=1), django_capture_on_commit_callbacks)
    assert Notification.objects.filter(kind="summons").count() == 2


def test_a_summons_for_a_round_closed_before_it_ran_is_cancelled(
    clock, grievance, organiser, django_capture_on_commit_callbacks
):
    appeal = open_round(grievance, organiser, deadline=timedelta(days=7))
    Appeal.objects.filter(pk=appeal.pk).update(state=Appeal.State.READY)  # skipped the hook
    run_due(clock, MONDAY, django_capture_on_commit_callbacks)
    row = FollowUp.objects.get(key=f"summons:{appeal.pk}")
    assert (row.state, row.last_error) == ("cancelled", "signing is not open")
    assert not Notification.objects.filter(kind="summons").exists()


def test_closing_signing_withdraws_a_summons_waiting_for_the_morning(
    clock, grievance, organiser, django_capture_on_commit_callbacks
):
    shanghai = verified(grievance, time_zone="Asia/Shanghai")
    appeal = open_round(grievance, organiser, deadline=timedelta(days=7))
    run_due(clock, MONDAY, django_capture_on_commit_callbacks)
    close_signing(appeal, actor=organiser.user)
    row = Notification.objects.get(kind="summons", to_email=shanghai.seller.user.email)
    assert row.state == "suppressed"


def kinds_scheduled(appeal: Appeal) -> dict[str, datetime]:
    return dict(
        FollowUp.objects.filter(
            appeal=appeal, kind__in=[K.SUMMONS, K.SIGNING_REMINDER], state="scheduled"
        ).values_list("key", "due_at")
    )


def test_a_twenty_hour_round_gets_a_summons_and_no_reminder(clock, grievance, organiser):
    appeal = open_round(grievance, organiser, deadline=timedelta(hours=20))
    assert kinds_scheduled(appeal) == {f"summons:{appeal.pk}": MONDAY}


def test_a_thirty_hour_round_gets_the_summons_only_not_a_reminder_six_hours_later(
    clock, grievance, organiser
):
    appeal = open_round(grievance, organiser, deadline=timedelta(hours=30))
    assert kinds_scheduled(appeal) == {f"summons:{appeal.pk}": MONDAY}


def test_a_three_day_round_gets_a_summons_and_one_reminder(clock, grievance, organiser):
    appeal = open_round(grievance, organiser, deadline=timedelta(days=3))
    assert kinds_scheduled(appeal) == {
        f"summons:{appeal.pk}": MONDAY,
        f"signing_reminder:{appeal.pk}:deadline": MONDAY + timedelta(days=2),
    }


def test_a_week_long_round_gets_a_summons_and_both_reminders(clock, grievance, organiser):
    appeal = open_round(grievance, organiser, deadline=timedelta(days=7))
    assert kinds_scheduled(appeal) == {
        f"summons:{appeal.pk}": MONDAY,
        f"signing_reminder:{appeal.pk}:opened": MONDAY + timedelta(days=2),
        f"signing_reminder:{appeal.pk}:deadline": MONDAY + timedelta(days=6),
    }
