"""What each follow-up kind does when the dispatcher runs it, with frozen time.

The dispatcher writes outbox rows and queues their send tasks on commit; these tests check what was
queued (django_capture_on_commit_callbacks, never executed: unit tests have no broker), then send
in-process with outbox.send_pending() and read both parts of each email from mail.outbox.
"""

from __future__ import annotations

import hashlib
from datetime import UTC, date, datetime, timedelta

import pytest
from django.core import mail

from appeals.actions.drafting import draft_round
from appeals.actions.member_cases import log_submission
from appeals.actions.responses import record_response
from appeals.actions.signing import close_signing, sign
from appeals.dispatch import service as dispatch
from appeals.models import Appeal, FollowUp, Notification
from appeals.outbox import service as outbox
from coalition.models import AuditEvent, Grievance, Membership
from tests.appeals.builders import MONDAY, open_round, submit
from tests.factories import MembershipFactory, SellerFactory, SignatureFactory, UserFactory

S = Appeal.State
K = FollowUp.Kind
pytestmark = pytest.mark.django_db


def run_due(clock, when: datetime, capture) -> int:
    """Travel to `when`, run the dispatcher, and return how many send callbacks were queued."""
    clock.move_to(when)
    with capture() as callbacks:
        dispatch.dispatch_due()
    return len(callbacks)


def sent_to(address: str) -> list:
    return [m for m in mail.outbox if address in m.to]


def html_of(message) -> str:
    ((html, mime),) = message.alternatives
    assert mime == "text/html"
    return html


def follow_up(key: str) -> FollowUp:
    return FollowUp.objects.get(key=key)


# --- signing_reminder -------------------------------------------------------------------------


def test_signing_reminder_goes_to_each_member_who_has_not_signed_once(
    clock, grievance, organiser, member, membership, django_capture_on_commit_callbacks
):
    signer = MembershipFactory(grievance=grievance, state=Membership.State.VERIFIED)
    unverified = MembershipFactory(
        grievance=grievance, seller=SellerFactory(user=UserFactory(verified=False))
    )
    gone = MembershipFactory(grievance=grievance, state=Membership.State.WITHDRAWN)
    appeal = open_round(grievance, organiser, deadline=timedelta(days=7))
    sign(appeal, actor=signer.seller.user)
    run_due(clock, MONDAY, django_capture_on_commit_callbacks)  # the summons, at opening

    assert run_due(clock, MONDAY + timedelta(days=2), django_capture_on_commit_callbacks) == 1
    rows = Notification.objects.filter(kind="signing_reminder")
    assert sorted(rows.values_list("to_email", flat=True)) == sorted(
        [member.user.email, organiser.user.email]
    )
    assert unverified.seller.user.email not in rows.values_list("to_email", flat=True)
    assert gone.seller.user.email not in rows.values_list("to_email", flat=True)
    assert follow_up(f"signing_reminder:{appeal.pk}:opened").state == "done"
    event = AuditEvent.objects.get(verb="round.reminded_to_sign")
    assert (event.actor, event.subject, event.data) == (
        None,
        "round:1",
        {"slot": "opened", "members": 2},
    )

    outbox.send_pending()
    (email,) = [m for m in sent_to(member.user.email) if "waiting for your" in m.subject]
    assert email.subject == f"Round 1 of “{grievance.title}” is waiting for your signature"
    assert "1 member has signed so far; the goal is 10." in email.body
    assert f"/rounds/{appeal.pk}/" in email.body
    html = html_of(email)
    assert f"/rounds/{appeal.pk}/" in html and "Read and sign the letter" in html


def test_the_last_call_reminds_again_but_each_member_at_most_once_per_slot(
    clock, grievance, organiser, member, membership, django_capture_on_commit_callbacks
):
    appeal = open_round(grievance, organiser, deadline=timedelta(days=7))
    run_due(clock, MONDAY + timedelta(days=2), django_capture_on_commit_callbacks)
    # A crashed dispatcher's job runs again: the dedupe keys keep it to one email per member.
    FollowUp.objects.filter(key=f"signing_reminder:{appeal.pk}:opened").update(state="scheduled")
    run_due(clock, MONDAY + timedelta(days=2, minutes=1), django_capture_on_commit_callbacks)
    run_due(clock, MONDAY + timedelta(days=6), django_capture_on_commit_callbacks)
    keys = Notification.objects.filter(
        to_email=member.user.email, kind="signing_reminder"
    ).values_list("dedupe_key", flat=True)
    assert sorted(keys) == [
        f"signing_reminder:{appeal.pk}:{membership.pk}:deadline",
        f"signing_reminder:{appeal.pk}:{membership.pk}:opened",
    ]
    outbox.send_pending()
    subjects = sorted(m.subject for m in sent_to(member.user.email) if "open" not in m.subject)
    assert subjects == [
        f"Last day to co-sign round 1 of “{grievance.title}”",
        f"Round 1 of “{grievance.title}” is waiting for your signature",
    ]


def test_a_signing_reminder_for_a_closed_round_is_cancelled_not_sent(
    clock, grievance, organiser, member, membership, django_capture_on_commit_callbacks
):
    appeal = open_round(grievance, organiser, deadline=timedelta(days=7))
    Appeal.objects.filter(pk=appeal.pk).update(
        state=S.READY
    )  # closed by a path that skipped the hook
    run_due(clock, MONDAY + timedelta(days=2), django_capture_on_commit_callbacks)
    row = follow_up(f"signing_reminder:{appeal.pk}:opened")
    assert (row.state, row.last_error) == ("cancelled", "signing is not open")
    assert not Notification.objects.exists()


def test_reminders_at_night_wait_for_nine_in_the_members_time_zone(
    clock, grievance, organiser, django_capture_on_commit_callbacks
):
    shanghai = MembershipFactory(
        grievance=grievance, seller=SellerFactory(time_zone="Asia/Shanghai")
    )
    open_round(grievance, organiser, deadline=None)
    # Wednesday 18:00 UTC is 02:00 Thursday in Shanghai: held until 09:00 there (01:00 UTC).
    run_due(clock, MONDAY + timedelta(days=2), django_capture_on_commit_callbacks)
    row = Notification.objects.get(to_email=shanghai.seller.user.email)
    assert row.send_after == datetime(2025, 3, 6, 1, 0, tzinfo=UTC)
    outbox.send_pending()
    assert sent_to(shanghai.seller.user.email) == []
    reminders = [m for m in sent_to(organiser.user.email) if "waiting for your" in m.subject]
    assert len(reminders) == 1  # UTC: 18:00 is daytime
    clock.move_to(datetime(2025, 3, 6, 1, 0, tzinfo=UTC))
    outbox.send_pending()
    assert len(sent_to(shanghai.seller.user.email)) == 1


def test_a_member_who_signs_overnight_is_not_reminded_in_the_morning(
    clock, grievance, organiser, django_capture_on_commit_callbacks
):
    shanghai = MembershipFactory(
        grievance=grievance, seller=SellerFactory(time_zone="Asia/Shanghai")
    )
    appeal = open_round(grievance, organiser, deadline=None)
    run_due(clock, MONDAY + timedelta(days=2), django_capture_on_commit_callbacks)
    sign(Appeal.objects.get(pk=appeal.pk), actor=shanghai.seller.user)
    clock.move_to(datetime(2025, 3, 6, 1, 0, tzinfo=UTC))
    outbox.send_pending()
    assert sent_to(shanghai.seller.user.email) == []
    assert Notification.objects.get(to_email=shanghai.seller.user.email).state == "suppressed"


# --- auto_submit ------------------------------------------------------------------------------


def ready_email_round(grievance, organiser, send_at: datetime) -> Appeal:
    appeal = open_round(grievance, organiser, channel="email", scheduled_submit_at=send_at)
    return close_signing(appeal, actor=organiser.user)


def test_auto_submit_emails_the_round_to_the_platform_and_marks_it_submitted(
    clock, grievance, organiser, member, membership, django_capture_on_commit_callbacks
):
    co_organiser = MembershipFactory(grievance=grievance, role="organiser", state="verified")
    signer = MembershipFactory(grievance=grievance, consent_to_name=True, state="verified")
    send_at = MONDAY + timedelta(days=1)
    appeal = open_round(grievance, organiser, channel="email", scheduled_submit_at=send_at)
    sign(appeal, actor=signer.seller.user, consent_to_name=True)
    close_signing(appeal, actor=organiser.user)

    assert run_due(clock, send_at, django_capture_on_commit_callbacks) >= 1
    appeal.refresh_from_db()
    row = Notification.objects.get(kind="auto_submit")
    assert appeal.state == S.SUBMITTED and appeal.submitted_at == send_at
    assert appeal.message_id == row.message_id and row.message_id.startswith("<")
    assert follow_up(f"auto_submit:{appeal.pk}").state == "done"
    assert (
        FollowUp.objects.filter(appeal=appeal, kind=K.RESPONSE_CHASE, state="scheduled").count()
        == 1
    )

    outbox.send_pending()
    (email,) = sent_to(grievance.platform.appeal_email)
    assert email.subject == appeal.subject
    assert sorted(email.cc) == sorted([organiser.user.email, co_organiser.seller.user.email])
    assert email.reply_to == [appeal.reply_address]  # the round's own address (appeals/inbound)
    assert email.extra_headers["Message-ID"] == appeal.message_id
    assert "List-Unsubscribe" not in email.extra_headers  # the appeal itself, not a newsletter
    assert appeal.letter.strip().splitlines()[0] in email.body
    assert signer.seller.display_name in email.body  # the signer annex
    assert signer.seller.display_name in html_of(email)
    # The evidence packet goes along: the very bytes whose fingerprint the round recorded.
    ((name, content, mime),) = email.attachments
    assert name.endswith(".zip") and mime == "application/zip"
    assert hashlib.sha256(content).hexdigest() == appeal.packet_sha256
    assert appeal.packet_sha256 in email.body and "/packets/" in email.body


def test_auto_submit_of_a_round_that_was_withdrawn_meanwhile_sends_nothing(
    clock, grievance, organiser, django_capture_on_commit_callbacks
):
    appeal = ready_email_round(grievance, organiser, MONDAY + timedelta(days=1))
    Appeal.objects.filter(pk=appeal.pk).update(state=S.WITHDRAWN)
    run_due(clock, MONDAY + timedelta(days=1), django_capture_on_commit_callbacks)
    assert follow_up(f"auto_submit:{appeal.pk}").state == "cancelled"
    assert not Notification.objects.exists()


def test_auto_submit_without_a_platform_address_fails_visibly_after_retries(
    clock, grievance, organiser, django_capture_on_commit_callbacks
):
    appeal = ready_email_round(grievance, organiser, MONDAY + timedelta(days=1))
    grievance.platform.appeal_email = ""
    grievance.platform.save()
    when = MONDAY + timedelta(days=1)
    for _ in range(dispatch.MAX_ATTEMPTS):
        row = follow_up(f"auto_submit:{appeal.pk}")
        when = max(when, row.due_at)
        run_due(clock, when, django_capture_on_commit_callbacks)
    row = follow_up(f"auto_submit:{appeal.pk}")
    assert (row.state, row.attempts) == ("failed", dispatch.MAX_ATTEMPTS)
    assert "no appeal email address" in row.last_error
    assert Appeal.objects.get(pk=appeal.pk).state == S.READY
    assert not Notification.objects.exists()  # rolled back with the failed job


# --- member_submit_reminder -------------------------------------------------------------------


def test_member_submit_reminder_asks_signers_without_a_logged_appeal(
    clock, grievance, organiser, member, membership, django_capture_on_commit_callbacks
):
    logged = MembershipFactory(grievance=grievance)
    appeal = open_round(grievance, organiser)
    for m in (membership, logged):
        sign(appeal, actor=m.seller.user)
    appeal = submit(appeal, organiser)
    log_submission(appeal, actor=logged.seller.user, submitted_on=date(2025, 3, 3))

    run_due(clock, MONDAY, django_capture_on_commit_callbacks)
    assert list(
        Notification.objects.filter(kind="member_submit_reminder").values_list(
            "to_email", flat=True
        )
    ) == [member.user.email]
    run_due(clock, MONDAY + timedelta(days=3), django_capture_on_commit_callbacks)  # the later slot
    assert Notification.objects.filter(kind="member_submit_reminder").count() == 2
    outbox.send_pending()
    first, second = sent_to(member.user.email)
    assert first.subject == f"Round 1 went to {grievance.platform.name}: now file your own appeal"
    assert "which you co-signed" in first.body and "log its ticket number" in first.body
    assert "you have not logged your own appeal yet" in second.body
    assert "Log your ticket number" in html_of(second)


# --- response_chase ---------------------------------------------------------------------------


def test_a_chase_to_the_platform_cites_the_first_submission_and_schedules_the_next(
    clock, grievance, organiser, django_capture_on_commit_callbacks
):
    appeal = submit(open_round(grievance, organiser, channel="email"), organiser)
    first = follow_up(f"response_chase:{appeal.pk}:1")
    run_due(clock, first.due_at, django_capture_on_commit_callbacks)
    appeal.refresh_from_db()
    assert appeal.chases_sent == 1
    assert follow_up(f"response_chase:{appeal.pk}:1").state == "done"
    assert follow_up(f"response_chase:{appeal.pk}:2").due_at > first.due_at
    assert AuditEvent.objects.get(verb="round.chased").data == {"number": 1}

    outbox.send_pending()
    submission, chase = sorted(
        sent_to(grievance.platform.appeal_email), key=lambda m: m.subject.startswith("Follow")
    )
    assert submission.subject == appeal.subject
    assert chase.subject == f"Follow-up 1: {appeal.subject}"
    assert chase.extra_headers["In-Reply-To"] == appeal.message_id
    assert chase.extra_headers["References"] == appeal.message_id
    assert "On March 3, 2025 we submitted the appeal" in chase.body
    assert appeal.message_id in chase.body  # the reference of an emailed round is its Message-ID
    assert "March 3, 2025" in html_of(chase)


def test_a_portal_round_reminds_the_organisers_to_chase_instead(
    clock, grievance, organiser, member, membership, django_capture_on_commit_callbacks
):
    appeal = submit(open_round(grievance, organiser, channel="portal"), organiser)
    run_due(
        clock, follow_up(f"response_chase:{appeal.pk}:1").due_at, django_capture_on_commit_callbacks
    )
    chases = Notification.objects.filter(kind="response_chase")
    assert list(chases.values_list("to_email", flat=True)) == [organiser.user.email]
    outbox.send_pending()
    (email,) = [m for m in sent_to(organiser.user.email) if "chase" in m.subject]
    assert email.subject == f"Time to chase {grievance.platform.name} about round 1"
    assert "case reference CASE-77" in email.body and "CASE-77" in html_of(email)


def test_chases_stop_at_the_platforms_cap(
    clock, grievance, organiser, django_capture_on_commit_callbacks
):
    appeal = submit(open_round(grievance, organiser, channel="email"), organiser)
    for n in range(1, grievance.platform.round_cap + 1):
        run_due(
            clock,
            follow_up(f"response_chase:{appeal.pk}:{n}").due_at,
            django_capture_on_commit_callbacks,
        )
    assert Appeal.objects.get(pk=appeal.pk).chases_sent == grievance.platform.round_cap
    assert not FollowUp.objects.filter(
        appeal=appeal, kind=K.RESPONSE_CHASE, state="scheduled"
    ).exists()
    assert (
        Notification.objects.filter(kind="response_chase").count() == grievance.platform.round_cap
    )


def test_a_chase_that_races_a_recorded_response_is_cancelled(
    clock, grievance, organiser, django_capture_on_commit_callbacks
):
    appeal = submit(open_round(grievance, organiser, channel="email"), organiser)
    chase = follow_up(f"response_chase:{appeal.pk}:1")
    Appeal.objects.filter(pk=appeal.pk).update(state=S.RESPONDED, outcome="granted")
    run_due(clock, chase.due_at, django_capture_on_commit_callbacks)
    assert follow_up(chase.key).state == "cancelled"
    assert not Notification.objects.filter(kind="response_chase").exists()


# --- overdue_alert ----------------------------------------------------------------------------


def test_overdue_and_very_overdue_alerts_go_to_organisers_and_the_timeline(
    clock, grievance, organiser, member, membership, django_capture_on_commit_callbacks
):
    appeal = submit(open_round(grievance, organiser), organiser)
    run_due(
        clock, appeal.response_due_at + timedelta(seconds=1), django_capture_on_commit_callbacks
    )
    run_due(
        clock, appeal.very_overdue_at + timedelta(seconds=1), django_capture_on_commit_callbacks
    )
    alerts = Notification.objects.filter(kind="overdue_alert")
    assert set(alerts.values_list("to_email", flat=True)) == {organiser.user.email}
    assert alerts.count() == 2
    assert AuditEvent.objects.filter(verb="round.overdue").count() == 1
    assert AuditEvent.objects.filter(verb="round.very_overdue").count() == 1

    # Both fire at midnight in Los Angeles, 08:00 UTC: night for the organiser, so held till 09:00.
    clock.move_to(appeal.very_overdue_at.replace(hour=9, minute=0, second=0))
    outbox.send_pending()
    overdue, very = [m for m in sent_to(organiser.user.email) if "overdue" in m.subject]
    assert overdue.subject == f"Round 1 is overdue: {grievance.platform.name} has not answered"
    assert (
        "its answer was due by" in overdue.body and "preparing the next round" not in overdue.body
    )
    assert very.subject == f"Round 1 is very overdue: {grievance.platform.name} has not answered"
    assert "preparing the next round" in very.body and "preparing the next round" in html_of(very)


def test_an_overdue_alert_for_a_moved_due_date_is_cancelled(
    clock, grievance, organiser, django_capture_on_commit_callbacks
):
    appeal = submit(open_round(grievance, organiser), organiser)
    old_due = appeal.response_due_at
    Appeal.objects.filter(pk=appeal.pk).update(response_due_at=old_due + timedelta(days=3))
    run_due(clock, old_due + timedelta(seconds=1), django_capture_on_commit_callbacks)
    assert (
        FollowUp.objects.filter(appeal=appeal, kind=K.OVERDUE_ALERT, state="cancelled").count() == 1
    )
    assert not Notification.objects.filter(kind="overdue_alert").exists()


# --- outcome_check ----------------------------------------------------------------------------


def test_outcome_check_asks_the_member_how_their_appeal_ended(
    clock, grievance, organiser, member, membership, django_capture_on_commit_callbacks
):
    appeal = submit(open_round(grievance, organiser), organiser)
    submission = log_submission(
        appeal, actor=member.user, submitted_on=date(2025, 3, 3), ticket_reference="TK-9"
    )
    due = FollowUp.objects.get(submission=submission).due_at
    run_due(clock, due, django_capture_on_commit_callbacks)
    outbox.send_pending()
    (email,) = [m for m in sent_to(member.user.email) if "end" in m.subject]
    assert email.subject == f"How did your appeal to {grievance.platform.name} end?"
    assert "(ticket TK-9)" in email.body and "TK-9" in html_of(email)
    assert AuditEvent.objects.get(verb="submission.outcome_asked").data == {
        "submission": submission.pk
    }


def test_outcome_check_after_the_outcome_was_reported_is_cancelled(
    clock, grievance, organiser, member, membership, django_capture_on_commit_callbacks
):
    appeal = submit(open_round(grievance, organiser), organiser)
    submission = log_submission(appeal, actor=member.user, submitted_on=date(2025, 3, 3))
    check = FollowUp.objects.get(submission=submission)
    submission.outcome = "denied"
    submission.save(update_fields=["outcome"])  # reported by a path that skipped the hook
    run_due(clock, check.due_at, django_capture_on_commit_callbacks)
    assert FollowUp.objects.get(pk=check.pk).state == "cancelled"
    assert not Notification.objects.filter(kind="outcome_check").exists()


# --- next_round -------------------------------------------------------------------------------


def test_a_rejection_asks_the_organisers_for_the_next_round(
    clock, grievance, organiser, member, membership, django_capture_on_commit_callbacks
):
    appeal = submit(open_round(grievance, organiser), organiser)
    record_response(
        appeal,
        actor=organiser.user,
        received_at=MONDAY,
        channel="email",
        text="No.",
        classification="rejected",
    )
    run_due(clock, MONDAY + timedelta(minutes=1), django_capture_on_commit_callbacks)
    assert list(
        Notification.objects.filter(kind="next_round").values_list("to_email", flat=True)
    ) == [organiser.user.email]
    outbox.send_pending()
    (email,) = [m for m in sent_to(organiser.user.email) if "Prepare" in m.subject]
    assert email.subject == f"Prepare round 2 of “{grievance.title}”"
    assert "answered round 1: rejected." in email.body
    assert f"/grievances/{grievance.pk}/rounds/new/" in html_of(email)
    assert AuditEvent.objects.filter(verb="round.next_round_prompted").count() == 1


def test_no_next_round_prompt_once_the_next_round_exists(
    clock, grievance, organiser, django_capture_on_commit_callbacks
):
    appeal = submit(open_round(grievance, organiser), organiser)
    record_response(
        appeal,
        actor=organiser.user,
        received_at=MONDAY,
        channel="email",
        text="No.",
        classification="rejected",
    )
    draft_round(grievance, actor=organiser.user, reason="New evidence from three more sellers.")
    run_due(clock, MONDAY + timedelta(minutes=1), django_capture_on_commit_callbacks)
    assert follow_up(f"next_round:{appeal.pk}").state == "cancelled"
    assert not Notification.objects.filter(kind="next_round").exists()


def reject(appeal, organiser) -> None:
    record_response(
        appeal,
        actor=organiser.user,
        received_at=MONDAY,
        channel="email",
        text="No.",
        classification="rejected",
    )


def test_with_auto_rounds_a_rejection_drafts_the_next_round_for_review(
    clock, grievance, organiser, member, membership, django_capture_on_commit_callbacks
):
    Grievance.objects.filter(pk=grievance.pk).update(auto_rounds=True)
    appeal = submit(open_round(grievance, organiser), organiser)
    clock.move_to(MONDAY + timedelta(seconds=30))
    MembershipFactory(grievance=grievance)  # a new member since round 1: something new
    reject(appeal, organiser)
    run_due(clock, MONDAY + timedelta(minutes=1), django_capture_on_commit_callbacks)

    drafted = grievance.rounds.get(number=2)
    assert (drafted.state, drafted.previous_id, drafted.channel) == (
        S.DRAFT,
        appeal.pk,
        appeal.channel,
    )
    assert drafted.letter  # starts from round 1's letter
    outbox.send_pending()
    (email,) = [m for m in sent_to(organiser.user.email) if "Prepare" in m.subject]
    assert "Round 2 is drafted" in email.body and f"/rounds/{drafted.pk}/edit/" in email.body
    assert f"/rounds/{drafted.pk}/edit/" in html_of(email)
    assert AuditEvent.objects.filter(verb="round.next_round_drafted").count() == 1


def test_auto_rounds_never_draft_a_round_with_nothing_new_they_only_ask(
    clock, grievance, organiser, member, membership, django_capture_on_commit_callbacks
):
    Grievance.objects.filter(pk=grievance.pk).update(auto_rounds=True)
    appeal = submit(open_round(grievance, organiser), organiser)
    reject(appeal, organiser)
    run_due(clock, MONDAY + timedelta(minutes=1), django_capture_on_commit_callbacks)

    assert not grievance.rounds.filter(number=2).exists()
    outbox.send_pending()
    (email,) = [m for m in sent_to(organiser.user.email) if "Prepare" in m.subject]
    assert "drafted" not in email.body and f"/grievances/{grievance.pk}/rounds/new/" in email.body
    assert AuditEvent.objects.filter(verb="round.next_round_prompted").count() == 1


# --- language ---------------------------------------------------------------------------------


def test_reminders_are_rendered_in_each_recipients_language(
    clock, grievance, organiser, django_capture_on_commit_callbacks
):
    zh = MembershipFactory(grievance=grievance, seller=SellerFactory(language="zh-hans"))
    open_round(grievance, organiser, deadline=None)
    run_due(clock, MONDAY + timedelta(days=2), django_capture_on_commit_callbacks)
    row = Notification.objects.get(to_email=zh.seller.user.email)
    assert '<html lang="zh-hans">' in row.body_html
    reminder = Notification.objects.get(to_email=organiser.user.email, kind="signing_reminder")
    assert '<html lang="en">' in reminder.body_html


def test_signature_counts_are_not_recomputed_per_recipient(
    clock, grievance, organiser, django_capture_on_commit_callbacks, django_assert_max_num_queries
):
    """A fan-out's queries grow with its chunks, not with its recipients."""
    for _ in range(30):
        MembershipFactory(grievance=grievance)
    SignatureFactory(appeal=open_round(grievance, organiser, deadline=None))
    with django_capture_on_commit_callbacks():
        dispatch.dispatch_due()  # the summons, at opening
    clock.move_to(MONDAY + timedelta(days=2))
    with django_capture_on_commit_callbacks(), django_assert_max_num_queries(25):
        dispatch.dispatch_due()
    assert Notification.objects.filter(kind="signing_reminder").count() == 31  # all but the signer
