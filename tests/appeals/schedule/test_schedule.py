"""Follow-ups are scheduled at the right moment and cancelled when they stop applying.

Driven through the real round actions (which call appeals/schedule.py inside their transaction),
with time frozen by time-machine. What each job does when it runs: tests/appeals/jobs.
"""

from __future__ import annotations

from datetime import date, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest

from appeals import deadlines, schedule
from appeals.actions.drafting import update_draft, withdraw_round
from appeals.actions.member_cases import log_submission, report_outcome
from appeals.actions.responses import information_sent, record_response
from appeals.actions.signing import close_signing, sign
from appeals.models import Appeal, FollowUp, Notification
from tests.appeals.builders import MONDAY, open_round, submit
from tests.factories import AppealFactory, MembershipFactory, NotificationFactory, SellerFactory

S = Appeal.State
K = FollowUp.Kind
pytestmark = pytest.mark.django_db


def scheduled(appeal: Appeal, kind: str | None = None) -> dict[str, datetime]:
    """{key: due_at} of the round's scheduled follow-ups (of one kind)."""
    rows = FollowUp.objects.filter(appeal=appeal, state=FollowUp.State.SCHEDULED)
    if kind:
        rows = rows.filter(kind=kind)
    return dict(rows.values_list("key", "due_at"))


def states_of(appeal: Appeal, kind: str) -> dict[str, str]:
    return dict(FollowUp.objects.filter(appeal=appeal, kind=kind).values_list("key", "state"))


# --- signing reminders ------------------------------------------------------------------------


def test_opening_signing_schedules_reminders_two_days_later_and_a_day_before_the_deadline(
    clock, grievance, organiser
):
    appeal = open_round(grievance, organiser, deadline=timedelta(days=7))
    assert scheduled(appeal, K.SIGNING_REMINDER) == {
        f"signing_reminder:{appeal.pk}:opened": MONDAY + timedelta(days=2),
        f"signing_reminder:{appeal.pk}:deadline": MONDAY + timedelta(days=6),
    }


def test_without_a_deadline_only_the_two_day_reminder_is_scheduled(clock, grievance, organiser):
    appeal = open_round(grievance, organiser, deadline=None)
    assert list(scheduled(appeal, K.SIGNING_REMINDER)) == [f"signing_reminder:{appeal.pk}:opened"]


def test_a_short_signing_window_gets_only_the_last_call(clock, grievance, organiser):
    appeal = open_round(grievance, organiser, deadline=timedelta(days=2, hours=12))
    assert scheduled(appeal, K.SIGNING_REMINDER) == {
        f"signing_reminder:{appeal.pk}:deadline": MONDAY + timedelta(days=1, hours=12)
    }


def test_a_deadline_within_a_day_gets_no_reminder(clock, grievance, organiser):
    appeal = open_round(grievance, organiser, deadline=timedelta(hours=20))
    assert scheduled(appeal, K.SIGNING_REMINDER) == {}


def test_calling_the_hook_again_moves_the_reminders_and_creates_no_duplicates(
    clock, grievance, organiser
):
    appeal = open_round(grievance, organiser, deadline=timedelta(days=7))
    Appeal.objects.filter(pk=appeal.pk).update(signing_deadline=MONDAY + timedelta(days=10))
    appeal.refresh_from_db()
    schedule.on_signing_opened(appeal)
    schedule.on_signing_opened(appeal)
    assert FollowUp.objects.filter(appeal=appeal, kind=K.SIGNING_REMINDER).count() == 2
    assert scheduled(appeal, K.SIGNING_REMINDER)[
        f"signing_reminder:{appeal.pk}:deadline"
    ] == MONDAY + timedelta(days=9)


def test_closing_signing_cancels_the_reminders(clock, grievance, organiser):
    appeal = open_round(grievance, organiser)
    close_signing(appeal, actor=organiser.user)
    assert set(states_of(appeal, K.SIGNING_REMINDER).values()) == {"cancelled"}


def test_withdrawing_the_round_cancels_everything_and_withdraws_waiting_emails(
    clock, grievance, organiser, member, membership
):
    appeal = open_round(grievance, organiser)
    waiting = NotificationFactory(
        appeal=appeal, kind="signing_reminder", send_after=MONDAY + timedelta(hours=10)
    )
    withdraw_round(appeal, actor=organiser.user)
    assert scheduled(appeal) == {}
    waiting.refresh_from_db()
    assert waiting.state == Notification.State.SUPPRESSED


def test_signing_withdraws_a_reminder_waiting_for_the_members_morning(
    clock, grievance, organiser, member, membership
):
    appeal = open_round(grievance, organiser)
    held = NotificationFactory(
        appeal=appeal,
        kind="signing_reminder",
        recipient=member.user,
        send_after=MONDAY + timedelta(hours=10),
    )
    someone_else = NotificationFactory(
        appeal=appeal, kind="signing_reminder", send_after=MONDAY + timedelta(hours=10)
    )
    sign(appeal, actor=member.user)
    held.refresh_from_db()
    someone_else.refresh_from_db()
    assert held.state == Notification.State.SUPPRESSED
    assert someone_else.state == Notification.State.PENDING


# --- automatic submission ---------------------------------------------------------------------


def test_closing_an_email_round_with_a_send_time_schedules_the_automatic_submission(
    clock, grievance, organiser
):
    send_at = MONDAY + timedelta(days=8)
    appeal = open_round(grievance, organiser, channel="email", scheduled_submit_at=send_at)
    close_signing(appeal, actor=organiser.user)
    assert scheduled(appeal, K.AUTO_SUBMIT) == {f"auto_submit:{appeal.pk}": send_at}


def test_moving_the_send_time_moves_the_automatic_submission_and_clearing_it_cancels(
    clock, grievance, organiser
):
    appeal = open_round(
        grievance, organiser, channel="email", scheduled_submit_at=MONDAY + timedelta(days=8)
    )
    appeal = close_signing(appeal, actor=organiser.user)
    later = MONDAY + timedelta(days=9)
    appeal = update_draft(appeal, actor=organiser.user, scheduled_submit_at=later)
    assert scheduled(appeal, K.AUTO_SUBMIT) == {f"auto_submit:{appeal.pk}": later}
    appeal = update_draft(appeal, actor=organiser.user, scheduled_submit_at=None)
    assert states_of(appeal, K.AUTO_SUBMIT) == {f"auto_submit:{appeal.pk}": "cancelled"}
    # and setting a time again revives the same follow-up
    update_draft(appeal, actor=organiser.user, scheduled_submit_at=later)
    assert scheduled(appeal, K.AUTO_SUBMIT) == {f"auto_submit:{appeal.pk}": later}


def test_a_portal_round_is_never_submitted_automatically(clock, grievance, organiser):
    appeal = open_round(grievance, organiser, channel="portal")
    close_signing(appeal, actor=organiser.user)
    assert states_of(appeal, K.AUTO_SUBMIT) == {}


def test_submitting_by_hand_cancels_the_automatic_submission(clock, grievance, organiser):
    appeal = open_round(
        grievance, organiser, channel="email", scheduled_submit_at=MONDAY + timedelta(days=8)
    )
    submit(appeal, organiser)
    assert states_of(appeal, K.AUTO_SUBMIT) == {f"auto_submit:{appeal.pk}": "cancelled"}


# --- after submission -------------------------------------------------------------------------


def test_submitting_schedules_reminders_the_first_chase_and_both_overdue_alerts(
    clock, grievance, organiser
):
    appeal = submit(open_round(grievance, organiser), organiser)
    platform = grievance.platform
    first_chase = deadlines.chase_dates(MONDAY, platform)[0]
    due, very = appeal.response_due_at, appeal.very_overdue_at
    assert scheduled(appeal) == {
        f"member_submit_reminder:{appeal.pk}:submitted": MONDAY,
        f"member_submit_reminder:{appeal.pk}:later": MONDAY + timedelta(days=3),
        f"response_chase:{appeal.pk}:1": first_chase,
        f"overdue_alert:{appeal.pk}:due-{schedule.stamp(due)}": due + timedelta(seconds=1),
        f"overdue_alert:{appeal.pk}:very-{schedule.stamp(very)}": very + timedelta(seconds=1),
    }
    # Platform: 3 business days to chase, in Los Angeles: Monday → the Friday, 09:00 local.
    assert first_chase == datetime(2025, 3, 7, 9, 0, tzinfo=ZoneInfo("America/Los_Angeles"))


def test_a_round_recorded_days_after_it_went_out_gets_one_member_reminder_not_two(
    clock, grievance, organiser
):
    appeal = submit(
        open_round(grievance, organiser), organiser, submitted_at=MONDAY - timedelta(days=4)
    )
    assert list(scheduled(appeal, K.MEMBER_SUBMIT_REMINDER)) == [
        f"member_submit_reminder:{appeal.pk}:submitted"
    ]


def test_an_acknowledgement_keeps_the_clock_and_the_chases(clock, grievance, organiser):
    appeal = submit(open_round(grievance, organiser), organiser)
    before = scheduled(appeal)
    record_response(
        appeal,
        actor=organiser.user,
        received_at=MONDAY,
        channel="email",
        text="We got it.",
        classification="acknowledged",
    )
    assert scheduled(appeal) == before


@pytest.mark.parametrize("outcome", ["rejected", "partial"])
def test_a_rejection_or_partial_grant_cancels_chases_and_alerts_and_prompts_the_next_round(
    clock, grievance, organiser, outcome
):
    appeal = submit(open_round(grievance, organiser), organiser)
    record_response(
        appeal,
        actor=organiser.user,
        received_at=MONDAY,
        channel="email",
        text="No.",
        classification=outcome,
    )
    assert states_of(appeal, K.RESPONSE_CHASE) == {f"response_chase:{appeal.pk}:1": "cancelled"}
    assert set(states_of(appeal, K.OVERDUE_ALERT).values()) == {"cancelled"}
    assert scheduled(appeal, K.NEXT_ROUND) == {f"next_round:{appeal.pk}": MONDAY}
    assert len(scheduled(appeal, K.MEMBER_SUBMIT_REMINDER)) == 2  # own appeals still count


def test_a_grant_stops_reminding_members_to_file_their_own_appeal(clock, grievance, organiser):
    appeal = submit(open_round(grievance, organiser), organiser)
    record_response(
        appeal,
        actor=organiser.user,
        received_at=MONDAY,
        channel="email",
        text="Yes.",
        classification="granted",
    )
    # Only the members' decision notice is left to run.
    assert set(scheduled(appeal)) == {f"decision_notice:{appeal.pk}:{appeal.responses.get().pk}"}
    assert states_of(appeal, K.NEXT_ROUND) == {}


def test_a_request_for_information_pauses_and_sending_it_reschedules_from_the_new_due_date(
    clock, grievance, organiser
):
    appeal = submit(open_round(grievance, organiser), organiser)
    old_alerts = set(states_of(appeal, K.OVERDUE_ALERT))
    record_response(
        appeal,
        actor=organiser.user,
        received_at=MONDAY,
        channel="email",
        text="Send invoices.",
        classification="info_requested",
    )
    assert scheduled(appeal, K.RESPONSE_CHASE) == {} and scheduled(appeal, K.OVERDUE_ALERT) == {}

    clock.move_to(MONDAY + timedelta(days=7))  # the next Monday
    appeal = information_sent(Appeal.objects.get(pk=appeal.pk), actor=organiser.user)
    resumed = MONDAY + timedelta(days=7)
    assert scheduled(appeal, K.RESPONSE_CHASE) == {
        f"response_chase:{appeal.pk}:1": deadlines.chase_dates(resumed, grievance.platform)[0]
    }
    new_alerts = scheduled(appeal, K.OVERDUE_ALERT)
    assert new_alerts.keys().isdisjoint(old_alerts)
    assert new_alerts[
        f"overdue_alert:{appeal.pk}:due-{schedule.stamp(appeal.response_due_at)}"
    ] == (appeal.response_due_at + timedelta(seconds=1))


# --- members' own submissions -----------------------------------------------------------------


def test_logging_a_submission_schedules_the_outcome_check_ten_business_days_later_at_nine_local(
    clock, grievance, organiser
):
    seller = SellerFactory(time_zone="Asia/Shanghai")
    MembershipFactory(grievance=grievance, seller=seller)
    appeal = submit(open_round(grievance, organiser), organiser)
    submission = log_submission(
        appeal, actor=seller.user, submitted_on=date(2025, 3, 3), ticket_reference="T-1"
    )
    # US calendar (the platform's): 10 business days after Monday 3 March is Monday 17 March.
    due = datetime(2025, 3, 17, 9, 0, tzinfo=ZoneInfo("Asia/Shanghai"))
    assert dict(
        FollowUp.objects.filter(submission=submission, state="scheduled").values_list(
            "key", "due_at"
        )
    ) == {f"outcome_check:{submission.pk}:20250303": due}


def test_changing_the_submission_date_moves_the_outcome_check(
    clock, grievance, organiser, member, membership
):
    appeal = submit(open_round(grievance, organiser), organiser)
    log_submission(appeal, actor=member.user, submitted_on=date(2025, 3, 3))
    submission = log_submission(appeal, actor=member.user, submitted_on=date(2025, 2, 28))
    rows = dict(FollowUp.objects.filter(submission=submission).values_list("key", "state"))
    assert rows == {
        f"outcome_check:{submission.pk}:20250303": "cancelled",
        f"outcome_check:{submission.pk}:20250228": "scheduled",
    }


def test_reporting_the_outcome_cancels_the_outcome_check(
    clock, grievance, organiser, member, membership
):
    appeal = submit(open_round(grievance, organiser), organiser)
    submission = log_submission(appeal, actor=member.user, submitted_on=date(2025, 3, 3))
    report_outcome(submission, actor=member.user, outcome="reinstated")
    assert set(FollowUp.objects.filter(submission=submission).values_list("state", flat=True)) == {
        "cancelled"
    }


def test_logging_a_submission_withdraws_a_waiting_reminder_to_file_it(
    clock, grievance, organiser, member, membership
):
    appeal = submit(open_round(grievance, organiser), organiser)
    held = NotificationFactory(
        appeal=appeal,
        kind="member_submit_reminder",
        recipient=member.user,
        send_after=MONDAY + timedelta(hours=9),
    )
    log_submission(appeal, actor=member.user, submitted_on=date(2025, 3, 3))
    held.refresh_from_db()
    assert held.state == Notification.State.SUPPRESSED


# --- the schedule primitive -------------------------------------------------------------------


def test_scheduling_a_key_that_already_ran_changes_nothing(clock, grievance):
    appeal = AppealFactory(grievance=grievance)
    first = schedule.schedule(K.NEXT_ROUND, "next_round:x", MONDAY, appeal=appeal)
    FollowUp.objects.filter(pk=first.pk).update(state="done")
    schedule.schedule(K.NEXT_ROUND, "next_round:x", MONDAY + timedelta(days=1), appeal=appeal)
    row = FollowUp.objects.get(key="next_round:x")
    assert (row.state, row.due_at) == ("done", MONDAY)


def test_scheduling_a_failed_key_again_revives_it_with_fresh_attempts(clock, grievance):
    appeal = AppealFactory(grievance=grievance)
    first = schedule.schedule(K.NEXT_ROUND, "next_round:y", MONDAY, appeal=appeal)
    FollowUp.objects.filter(pk=first.pk).update(state="failed", attempts=3, last_error="boom")
    schedule.schedule(K.NEXT_ROUND, "next_round:y", MONDAY + timedelta(hours=1), appeal=appeal)
    row = FollowUp.objects.get(key="next_round:y")
    assert (row.state, row.attempts, row.last_error, row.due_at) == (
        "scheduled",
        0,
        "",
        MONDAY + timedelta(hours=1),
    )


def test_a_round_recorded_late_skips_the_chase_slots_already_past(clock, grievance, organiser):
    submitted = MONDAY - timedelta(days=7)  # the first chase slot (Friday before) is gone
    appeal = submit(open_round(grievance, organiser), organiser, submitted_at=submitted)
    slots = deadlines.chase_dates(submitted, grievance.platform)
    assert scheduled(appeal, K.RESPONSE_CHASE) == {f"response_chase:{appeal.pk}:1": slots[1]}
