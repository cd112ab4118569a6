"""'Remind those who have not signed now': once per round per 24 h, counted as the first reminder."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.contrib.auth.models import AnonymousUser

from appeals.actions.announcements import remind_now
from appeals.actions.signing import sign
from appeals.models import Appeal, FollowUp, Notification
from coalition.errors import ActionRefused
from coalition.models import AuditEvent
from tests.appeals.builders import MONDAY, make_round, open_round
from tests.appeals.loop.support import run_due, verified

pytestmark = pytest.mark.django_db


def test_remind_now_reaches_those_who_have_not_signed_and_is_recorded(
    clock, grievance, organiser, django_capture_on_commit_callbacks
):
    signer, waiting = verified(grievance), verified(grievance)
    appeal = open_round(grievance, organiser, deadline=timedelta(days=7))
    sign(appeal, actor=signer.seller.user)
    clock.move_to(MONDAY + timedelta(hours=3))
    remind_now(appeal, actor=organiser.user)
    run_due(clock, MONDAY + timedelta(hours=3), django_capture_on_commit_callbacks)

    reminded = Notification.objects.filter(kind="signing_reminder")
    assert sorted(reminded.values_list("to_email", flat=True)) == sorted(
        [organiser.user.email, waiting.seller.user.email]
    )
    asked = AuditEvent.objects.get(verb="round.reminder_requested")
    assert (asked.actor, asked.data) == (organiser.user, {"members": 2})
    done = AuditEvent.objects.get(verb="round.reminded_to_sign")
    assert done.data == {"slot": "now", "members": 2}


def test_remind_now_works_once_per_round_per_24_hours(clock, grievance, organiser):
    appeal = open_round(grievance, organiser, deadline=timedelta(days=7))
    remind_now(appeal, actor=organiser.user)
    clock.move_to(MONDAY + timedelta(hours=23))
    with pytest.raises(ActionRefused) as refused:
        remind_now(appeal, actor=organiser.user)
    assert refused.value.code == "too_soon"
    assert FollowUp.objects.filter(key__contains=":now-").count() == 1
    clock.move_to(MONDAY + timedelta(hours=24, minutes=1))
    remind_now(appeal, actor=organiser.user)
    assert FollowUp.objects.filter(key__contains=":now-").count() == 2


def test_a_member_reminded_now_is_not_reminded_again_two_days_later_but_gets_the_last_call(
    clock, grievance, organiser, django_capture_on_commit_callbacks
):
    mia = verified(grievance)
    appeal = open_round(grievance, organiser, deadline=timedelta(days=7))
    clock.move_to(MONDAY + timedelta(hours=1))
    remind_now(appeal, actor=organiser.user)
    run_due(clock, MONDAY + timedelta(hours=1), django_capture_on_commit_callbacks)
    run_due(clock, MONDAY + timedelta(days=2), django_capture_on_commit_callbacks)
    run_due(clock, MONDAY + timedelta(days=6), django_capture_on_commit_callbacks)
    keys = Notification.objects.filter(
        kind="signing_reminder", to_email=mia.seller.user.email
    ).values_list("dedupe_key", flat=True)
    assert sorted(keys) == [
        f"signing_reminder:{appeal.pk}:{mia.pk}:deadline",
        f"signing_reminder:{appeal.pk}:{mia.pk}:opened",
    ]


def test_remind_now_is_refused_for_a_round_not_open_for_signing(grievance, organiser):
    appeal = make_round(grievance, Appeal.State.READY)
    with pytest.raises(ActionRefused) as refused:
        remind_now(appeal, actor=organiser.user)
    assert refused.value.code == "wrong_state"
    assert not FollowUp.objects.filter(kind="signing_reminder").exists()


@pytest.mark.parametrize("who", ["member", "outsider", "anonymous"])
def test_only_organisers_may_remind_now(who, grievance, organiser, member, membership, outsider):
    actors = {"member": member.user, "outsider": outsider.user, "anonymous": AnonymousUser()}
    appeal = open_round(grievance, organiser, deadline=timedelta(days=7))
    with pytest.raises(ActionRefused) as refused:
        remind_now(appeal, actor=actors[who])
    assert refused.value.code == "forbidden"
    assert not FollowUp.objects.filter(key__contains=":now-").exists()
