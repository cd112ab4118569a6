"""Round actions: drafting and the next-round rules, editing, signing, submitting, responses and the
paused clock, withdrawing. (Members' own submissions: test_actions_submissions.py.)"""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta

import pytest
import time_machine
from allauth.account.models import EmailAddress
from django.utils import timezone

from appeals import actions, deadlines
from appeals.models import Appeal, PlatformResponse, Signature
from coalition.errors import ActionRefused
from coalition.models import AuditEvent, Membership
from tests.appeals.conftest import add_members, make_round
from tests.factories import MembershipFactory, PlatformFactory, SellerFactory, UserFactory

S = Appeal.State
pytestmark = pytest.mark.django_db


def _events(verb: str):
    return AuditEvent.objects.filter(verb=verb)


def _overdue(appeal: Appeal) -> Appeal:
    """Move a submitted round's due date into the past (overdue, not yet very overdue)."""
    now = timezone.now()
    Appeal.objects.filter(pk=appeal.pk).update(
        submitted_at=now - timedelta(days=30),
        response_due_at=now - timedelta(days=1),
        very_overdue_at=now + timedelta(days=10),
    )
    appeal.refresh_from_db()
    return appeal


def _join_member_now(grievance) -> Membership:
    return MembershipFactory(grievance=grievance)


# --- round 1 ------------------------------------------------------------------------------


def test_organiser_drafts_round_one_from_the_category_template(grievance, organiser):
    appeal = actions.draft_round(
        grievance, actor=organiser.user, channel="email", language="en", signature_goal=25
    )
    assert (appeal.number, appeal.state, appeal.previous) == (1, S.DRAFT, None)
    assert appeal.channel == "email" and appeal.signature_goal == 25
    assert grievance.title in appeal.subject
    assert grievance.demands in appeal.letter
    assert "Article 4" in appeal.letter  # funds withheld: statement of reasons
    event = _events("round.drafted").get()
    assert event.subject == "round:1" and event.actor == organiser.user


def test_round_one_needs_no_reason(grievance, organiser):
    appeal = actions.draft_round(grievance, actor=organiser.user)
    assert appeal.new_round_reason == ""


@pytest.mark.parametrize("who", ["member", "outsider", "anonymous"])
def test_only_organisers_draft_rounds(who, grievance, member, membership, outsider):
    from django.contrib.auth.models import AnonymousUser

    actor = {"member": member.user, "outsider": outsider.user, "anonymous": AnonymousUser()}[who]
    with pytest.raises(ActionRefused):
        actions.draft_round(grievance, actor=actor)
    assert not Appeal.objects.exists()


def test_staff_may_draft_a_round(grievance, staff_user):
    assert actions.draft_round(grievance, actor=staff_user).number == 1


def test_system_may_draft_a_round(grievance):
    appeal = actions.draft_round(grievance, actor=None)
    assert appeal.created_by is None
    assert _events("round.drafted").get().actor is None


def test_no_round_for_a_closed_grievance(grievance, organiser):
    grievance.state = grievance.State.CLOSED
    grievance.save()
    with pytest.raises(ActionRefused, match="not open"):
        actions.draft_round(grievance, actor=organiser.user)


@pytest.mark.parametrize(
    ("field", "value"),
    [("channel", "fax"), ("language", "fr"), ("signature_goal", 0), ("signature_goal", "5")],
)
def test_draft_refuses_bad_values(field, value, grievance, organiser):
    with pytest.raises(ActionRefused) as refused:
        actions.draft_round(grievance, actor=organiser.user, **{field: value})
    assert refused.value.field == field


# --- the next round -------------------------------------------------------------------------


@pytest.mark.parametrize("outcome", [Appeal.Outcome.PARTIAL, Appeal.Outcome.REJECTED])
def test_next_round_after_partial_or_rejected_links_to_it_and_starts_from_its_letter(
    outcome, grievance, organiser
):
    first = make_round(grievance, S.RESPONDED, outcome=outcome, letter="Our edited letter.\n")
    _join_member_now(grievance)  # something new
    second = actions.draft_round(grievance, actor=organiser.user)
    assert second.number == 2 and second.previous == first
    assert second.letter == "Our edited letter.\n"
    assert "round 2" in second.subject
    assert _events("round.drafted").get().data["previous_round"] == 1


def test_next_round_in_another_language_starts_from_the_template(grievance, organiser):
    make_round(grievance, S.RESPONDED, letter="Our edited letter.\n")
    _join_member_now(grievance)
    second = actions.draft_round(grievance, actor=organiser.user, language="zh-hans")
    assert "集体申诉" in second.subject
    assert "第 1 轮申诉" in second.letter  # refers to the previous round


def test_next_round_when_the_last_one_is_overdue(grievance, organiser):
    _overdue(make_round(grievance, S.SUBMITTED))
    _join_member_now(grievance)
    assert actions.draft_round(grievance, actor=organiser.user).number == 2


@pytest.mark.parametrize(
    ("state", "outcome", "message"),
    [
        (S.DRAFT, "", "not been submitted"),
        (S.SIGNING, "", "not been submitted"),
        (S.READY, "", "not been submitted"),
        (S.SUBMITTED, "", "not overdue yet"),
        (S.INFO_REQUESTED, "", "more information"),
        (S.RESPONDED, Appeal.Outcome.GRANTED, "granted"),
    ],
)
def test_next_round_is_refused_otherwise(state, outcome, message, grievance, organiser):
    make_round(grievance, state, outcome=outcome)
    _join_member_now(grievance)
    with pytest.raises(ActionRefused, match=message):
        actions.draft_round(grievance, actor=organiser.user, reason="we insist")
    assert grievance.rounds.count() == 1


def test_a_withdrawn_round_is_skipped_when_judging_the_next(grievance, organiser):
    first = make_round(grievance, S.RESPONDED)
    withdrawn = make_round(grievance, S.WITHDRAWN, previous=first, letter="Abandoned draft.\n")
    _join_member_now(grievance)
    third = actions.draft_round(grievance, actor=organiser.user)
    assert third.number == 3
    assert third.previous == withdrawn  # the chain stays linear
    assert first.next_round == withdrawn


def test_after_only_withdrawn_rounds_the_next_is_treated_as_a_first(grievance, organiser):
    make_round(grievance, S.WITHDRAWN)
    appeal = actions.draft_round(grievance, actor=organiser.user)
    assert appeal.number == 2 and appeal.new_round_reason == ""


def test_nothing_new_since_the_last_round_requires_a_reason(grievance, organiser):
    make_round(grievance, S.RESPONDED, submitted_at=timezone.now())
    with pytest.raises(ActionRefused) as refused:
        actions.draft_round(grievance, actor=organiser.user)
    assert refused.value.code == "confirmation_required"
    assert refused.value.field == "reason"
    assert "Art. 23" in str(refused.value.message) and "excessive contacts" in str(
        refused.value.message
    )
    assert grievance.rounds.count() == 1


def test_with_a_reason_the_round_goes_ahead_and_the_timeline_keeps_it(grievance, organiser):
    make_round(grievance, S.RESPONDED, submitted_at=timezone.now())
    appeal = actions.draft_round(
        grievance, actor=organiser.user, reason="  The platform changed its policy page.  "
    )
    assert appeal.new_round_reason == "The platform changed its policy page."
    assert _events("round.drafted").get().data["reason"] == "The platform changed its policy page."


def test_a_member_who_joined_since_the_submission_counts_as_new(grievance, organiser):
    make_round(grievance, S.RESPONDED)
    _join_member_now(grievance)
    assert actions.draft_round(grievance, actor=organiser.user).new_round_reason == ""


def test_members_who_joined_before_the_submission_are_not_new(grievance, organiser, membership):
    make_round(grievance, S.RESPONDED, submitted_at=timezone.now())
    with pytest.raises(ActionRefused) as refused:
        actions.draft_round(grievance, actor=organiser.user)
    assert refused.value.code == "confirmation_required"


def test_new_evidence_counts_as_new(grievance, organiser, membership):
    from coalition.models import Evidence

    make_round(grievance, S.RESPONDED, submitted_at=timezone.now())
    Evidence.objects.create(
        grievance=grievance,
        membership=membership,
        kind="invoice",
        original_name="invoice.pdf",
        content_type="application/pdf",
        size=10,
        sha256="0" * 64,
    )
    assert actions.draft_round(grievance, actor=organiser.user).new_round_reason == ""


def test_withdrawn_evidence_is_not_new(grievance, organiser, membership):
    from coalition.models import Evidence

    make_round(grievance, S.RESPONDED, submitted_at=timezone.now())
    Evidence.objects.create(
        grievance=grievance,
        membership=membership,
        kind="invoice",
        original_name="invoice.pdf",
        content_type="application/pdf",
        size=10,
        sha256="1" * 64,
        withdrawn_at=timezone.now(),
    )
    with pytest.raises(ActionRefused):
        actions.draft_round(grievance, actor=organiser.user)


def test_round_cap_per_channel_requires_a_reason_even_with_something_new(grievance, organiser):
    grievance.platform.round_cap = 2
    grievance.platform.save()
    make_round(grievance, S.RESPONDED, channel="portal")
    make_round(grievance, S.RESPONDED, channel="portal")
    _join_member_now(grievance)
    with pytest.raises(ActionRefused) as refused:
        actions.draft_round(grievance, actor=organiser.user, channel="portal")
    assert refused.value.code == "confirmation_required"
    assert "limit" in str(refused.value.message)
    # The other channel has its own count.
    assert actions.draft_round(grievance, actor=organiser.user, channel="email").number == 3


def test_round_cap_counts_only_rounds_that_were_sent(grievance, organiser):
    grievance.platform.round_cap = 1
    grievance.platform.save()
    make_round(grievance, S.WITHDRAWN)
    assert actions.draft_round(grievance, actor=organiser.user).new_round_reason == ""


# --- editing --------------------------------------------------------------------------------


def test_organisers_edit_the_letter_while_in_draft(draft, organiser):
    actions.update_draft(draft, actor=organiser.user, letter="New text.", subject="New subject")
    draft.refresh_from_db()
    assert (draft.letter, draft.subject) == ("New text.", "New subject")
    assert _events("round.edited").get().data["fields"] == ["letter", "subject"]


def test_editing_nothing_writes_no_event(draft, organiser):
    actions.update_draft(draft, actor=organiser.user, letter=draft.letter)
    assert not _events("round.edited").exists()


@pytest.mark.parametrize("state", [S.SIGNING, S.READY, S.SUBMITTED])
@pytest.mark.parametrize("field", ["letter", "subject", "language"])
def test_letter_is_frozen_once_signing_opens(state, field, grievance, organiser):
    appeal = make_round(grievance, state)
    with pytest.raises(ActionRefused) as refused:
        actions.update_draft(
            appeal, actor=organiser.user, **{field: "zh-hans" if field == "language" else "x"}
        )
    assert refused.value.field == field


@pytest.mark.parametrize("state", [S.DRAFT, S.SIGNING, S.READY])
def test_goal_and_schedule_change_until_submitted(state, grievance, organiser):
    appeal = make_round(grievance, state, channel="email")
    later = timezone.now() + timedelta(days=2)
    actions.update_draft(appeal, actor=organiser.user, signature_goal=40, scheduled_submit_at=later)
    appeal.refresh_from_db()
    assert (appeal.signature_goal, appeal.scheduled_submit_at) == (40, later)


@pytest.mark.parametrize("state", [S.SUBMITTED, S.RESPONDED, S.WITHDRAWN])
def test_goal_is_frozen_after_submission(state, grievance, organiser):
    appeal = make_round(grievance, state)
    with pytest.raises(ActionRefused):
        actions.update_draft(appeal, actor=organiser.user, signature_goal=40)


def test_signing_deadline_is_frozen_once_signing_closed(grievance, organiser):
    appeal = make_round(grievance, S.READY)
    with pytest.raises(ActionRefused):
        actions.update_draft(
            appeal, actor=organiser.user, signing_deadline=timezone.now() + timedelta(days=1)
        )


def test_past_deadlines_are_refused(draft, organiser):
    with pytest.raises(ActionRefused) as refused:
        actions.update_draft(
            draft, actor=organiser.user, signing_deadline=timezone.now() - timedelta(hours=1)
        )
    assert refused.value.field == "signing_deadline"


def test_automatic_sending_needs_the_email_channel(draft, organiser):
    with pytest.raises(ActionRefused) as refused:
        actions.update_draft(
            draft, actor=organiser.user, scheduled_submit_at=timezone.now() + timedelta(days=1)
        )
    assert refused.value.field == "scheduled_submit_at"


def test_changing_the_schedule_of_a_ready_round_tells_the_follow_ups(
    grievance, organiser, hook_calls
):
    appeal = make_round(grievance, S.READY, channel="email")
    actions.update_draft(
        appeal, actor=organiser.user, scheduled_submit_at=timezone.now() + timedelta(hours=5)
    )
    assert [name for name, _ in hook_calls] == ["on_signing_closed"]


def test_moving_the_signing_deadline_moves_the_reminders(signing, organiser, hook_calls):
    actions.update_draft(
        signing, actor=organiser.user, signing_deadline=timezone.now() + timedelta(days=4)
    )
    assert [name for name, _ in hook_calls] == ["on_signing_opened"]


def test_empty_letter_is_refused(draft, organiser):
    with pytest.raises(ActionRefused):
        actions.update_draft(draft, actor=organiser.user, letter="   ")


def test_unknown_fields_are_a_programming_error(draft, organiser):
    with pytest.raises(TypeError):
        actions.update_draft(draft, actor=organiser.user, state="submitted")


def test_members_cannot_edit(draft, member, membership):
    with pytest.raises(ActionRefused):
        actions.update_draft(draft, actor=member.user, letter="mine now")


def test_regenerate_letter_redrafts_from_the_template(draft, organiser):
    actions.regenerate_letter(draft, actor=organiser.user)
    draft.refresh_from_db()
    assert draft.grievance.summary in draft.letter
    assert _events("round.letter_regenerated").exists()


def test_regenerate_letter_only_in_draft(signing, organiser):
    with pytest.raises(ActionRefused):
        actions.regenerate_letter(signing, actor=organiser.user)


# --- signing -------------------------------------------------------------------------------


def test_open_signing_sets_the_deadline_and_calls_the_hook(draft, organiser, hook_calls):
    deadline = timezone.now() + timedelta(days=7)
    actions.open_signing(draft, actor=organiser.user, deadline=deadline)
    draft.refresh_from_db()
    assert (
        draft.state == S.SIGNING and draft.signing_deadline == deadline and draft.signing_opened_at
    )
    assert hook_calls == [("on_signing_opened", (draft,))]


def test_open_signing_refuses_a_past_deadline(draft, organiser):
    with pytest.raises(ActionRefused):
        actions.open_signing(
            draft, actor=organiser.user, deadline=timezone.now() - timedelta(days=1)
        )


def test_member_signs_once_and_again_changes_nothing(signing, member, membership, hook_calls):
    first = actions.sign(signing, actor=member.user)
    again = actions.sign(signing, actor=member.user, consent_to_name=True)
    assert first.pk == again.pk
    assert first.newly_signed and not again.newly_signed
    assert Signature.objects.count() == 1
    assert again.consent_to_name is False  # signing again changes nothing, consent included
    assert _events("round.signed").count() == 1
    assert [name for name, _ in hook_calls] == ["on_signed"]


def test_consent_defaults_to_the_membership_choice(signing, grievance):
    consenting = MembershipFactory(grievance=grievance, consent_to_name=True)
    assert actions.sign(signing, actor=consenting.seller.user).consent_to_name is True


def test_organisers_sign_too(signing, organiser):
    assert actions.sign(signing, actor=organiser.user).pk


@pytest.mark.parametrize("state", [S.DRAFT, S.READY, S.SUBMITTED, S.RESPONDED, S.WITHDRAWN])
def test_signing_only_while_the_round_is_open_for_it(state, grievance, member, membership):
    appeal = make_round(grievance, state)
    with pytest.raises(ActionRefused, match="not open for signing"):
        actions.sign(appeal, actor=member.user)


def test_outsiders_cannot_sign(signing, outsider):
    with pytest.raises(ActionRefused, match="Only members"):
        actions.sign(signing, actor=outsider.user)
    assert not Signature.objects.exists()


def test_members_who_left_cannot_sign(signing, member, membership):
    Membership.objects.filter(pk=membership.pk).update(state=Membership.State.WITHDRAWN)
    with pytest.raises(ActionRefused):
        actions.sign(signing, actor=member.user)


def test_unverified_email_cannot_sign(signing, grievance):
    user = UserFactory(verified=False)
    MembershipFactory(grievance=grievance, seller=SellerFactory(user=user))
    with pytest.raises(ActionRefused) as refused:
        actions.sign(signing, actor=user)
    assert refused.value.code == "email_unverified"
    assert "Confirm your email" in str(refused.value.message)


def test_withdraw_then_sign_reactivates_the_same_signature(signing, member, membership):
    first = actions.sign(signing, actor=member.user)
    actions.withdraw_signature(signing, actor=member.user)
    assert Signature.objects.counted().count() == 0
    again = actions.sign(signing, actor=member.user, consent_to_name=True)
    assert again.pk == first.pk and again.withdrawn_at is None and again.newly_signed
    assert again.consent_to_name is True
    assert Signature.objects.counted().count() == 1
    assert _events("round.signed").count() == 2


def test_withdrawing_twice_is_not_an_error(signing, member, membership):
    actions.sign(signing, actor=member.user)
    assert actions.withdraw_signature(signing, actor=member.user) is not None
    assert actions.withdraw_signature(signing, actor=member.user) is None
    assert _events("round.signature_withdrawn").count() == 1


def test_signatures_can_be_withdrawn_until_submission(grievance, member, membership):
    appeal = make_round(grievance, S.SIGNING)
    actions.sign(appeal, actor=member.user)
    Appeal.objects.filter(pk=appeal.pk).update(state=S.READY)
    appeal.refresh_from_db()
    assert actions.withdraw_signature(appeal, actor=member.user).withdrawn_at
    Appeal.objects.filter(pk=appeal.pk).update(state=S.SUBMITTED)
    appeal.refresh_from_db()
    with pytest.raises(ActionRefused):
        actions.withdraw_signature(appeal, actor=member.user)


def test_a_sign_that_loses_the_race_with_closing_is_refused(
    signing, member, membership, monkeypatch
):
    # Simulate closing committing between the state check and the insert.
    real_create = Signature.objects.create

    def create_then_close(**kwargs):
        Appeal.objects.filter(pk=signing.pk).update(state=S.READY)
        return real_create(**kwargs)

    monkeypatch.setattr(Signature.objects, "create", create_then_close)
    with pytest.raises(ActionRefused, match="just closed"):
        actions.sign(signing, actor=member.user)


def test_close_signing_records_the_count(signing, organiser, grievance, hook_calls):
    for m in add_members(grievance, 3):
        actions.sign(signing, actor=m.seller.user)
    actions.close_signing(signing, actor=organiser.user)
    assert _events("round.signing_closed").get().data["signatures"] == 3
    assert hook_calls[-1] == ("on_signing_closed", (Appeal.objects.get(pk=signing.pk),))


# --- submitting ---------------------------------------------------------------------------


def test_portal_submission_needs_a_case_reference(grievance, organiser):
    appeal = make_round(grievance, S.READY, channel="portal")
    with pytest.raises(ActionRefused) as refused:
        actions.submit_round(appeal, actor=organiser.user, case_reference="  ")
    assert refused.value.field == "case_reference"


def test_submission_starts_the_platform_clock(grievance, organiser, hook_calls):
    appeal = make_round(grievance, S.READY, channel="portal")
    at = datetime(2025, 11, 21, 23, 30, tzinfo=UTC)  # Friday 15:30 in Los Angeles
    with time_machine.travel(at + timedelta(hours=1), tick=False):
        actions.submit_round(
            appeal, actor=organiser.user, case_reference="CASE-77", submitted_at=at
        )
    appeal.refresh_from_db()
    platform = grievance.platform
    assert appeal.state == S.SUBMITTED and appeal.case_reference == "CASE-77"
    assert appeal.response_due_at == deadlines.response_due(at, platform)
    assert appeal.very_overdue_at == deadlines.very_overdue_at(at, platform)
    # 5 business days from Friday 21 Nov 2025 skip the weekend and Thanksgiving (27 Nov).
    assert deadlines.local_date(appeal.response_due_at, platform) == date(2025, 12, 1)
    assert hook_calls == [("on_submitted", (appeal,))]
    assert _events("round.submitted").get().data["case_reference"] == "CASE-77"


def test_the_system_submits_email_rounds_without_a_case_reference(grievance):
    appeal = make_round(grievance, S.READY, channel="email")
    actions.submit_round(appeal, actor=None, message_id="<abc@coalition>")
    appeal.refresh_from_db()
    assert appeal.state == S.SUBMITTED and appeal.message_id == "<abc@coalition>"


def test_submission_time_cannot_be_in_the_future(grievance, organiser):
    appeal = make_round(grievance, S.READY)
    with pytest.raises(ActionRefused) as refused:
        actions.submit_round(
            appeal,
            actor=organiser.user,
            case_reference="C",
            submitted_at=timezone.now() + timedelta(days=1),
        )
    assert refused.value.field == "submitted_at"


# --- responses and the paused clock ---------------------------------------------------------


def _respond(appeal, actor, classification, received_at=None, text="Answer."):
    return actions.record_response(
        appeal,
        actor=actor,
        received_at=received_at or timezone.now(),
        channel="email",
        text=text,
        classification=classification,
    )


def test_acknowledgement_is_recorded_without_changing_the_round(submitted, organiser, hook_calls):
    response = _respond(submitted, organiser.user, "acknowledged")
    submitted.refresh_from_db()
    assert submitted.state == S.SUBMITTED and response.pk
    assert hook_calls == [("on_response_recorded", (submitted, response))]


@pytest.mark.parametrize("classification", ["granted", "partial", "rejected"])
def test_a_decision_answers_the_round(classification, submitted, organiser):
    response = _respond(submitted, organiser.user, classification)
    submitted.refresh_from_db()
    assert submitted.state == S.RESPONDED and submitted.outcome == classification
    assert submitted.responded_at == response.received_at
    event = _events("round.response_recorded").get()
    assert event.data["classification"] == classification
    assert (event.data["from"], event.data["to"]) == ("submitted", "responded")


def test_a_decision_after_an_info_request_clears_the_pause(grievance, organiser):
    appeal = make_round(grievance, S.INFO_REQUESTED)
    _respond(appeal, organiser.user, "granted")
    appeal.refresh_from_db()
    assert (
        appeal.state == S.RESPONDED
        and appeal.paused_at is None
        and appeal.paused_remaining_days is None
    )


def test_response_needs_text_and_a_sane_time(submitted, organiser):
    with pytest.raises(ActionRefused) as refused:
        _respond(submitted, organiser.user, "rejected", text=" ")
    assert refused.value.field == "text"
    with pytest.raises(ActionRefused) as refused:
        _respond(
            submitted, organiser.user, "rejected", received_at=timezone.now() + timedelta(days=2)
        )
    assert refused.value.field == "received_at"
    with pytest.raises(ActionRefused) as refused:
        _respond(
            submitted,
            organiser.user,
            "rejected",
            received_at=submitted.submitted_at - timedelta(days=5),
        )
    assert refused.value.field == "received_at"
    with pytest.raises(ActionRefused) as refused:
        _respond(submitted, organiser.user, "maybe")
    assert refused.value.field == "classification"
    assert not PlatformResponse.objects.exists()


def _platform_cn():
    return PlatformFactory(
        slug="cn-market",
        name="CN Market",
        holiday_country="CN",
        time_zone="Asia/Shanghai",
        response_business_days=10,
        chase_business_days=3,
    )


def test_info_request_pauses_and_information_sent_resumes_with_the_days_left(organiser, hook_calls):
    from tests.factories import GrievanceFactory, OrganiserFactory

    platform = _platform_cn()
    grievance = GrievanceFactory(platform=platform)
    OrganiserFactory(grievance=grievance, seller=organiser)
    appeal = make_round(grievance, S.READY)
    tz = deadlines._zone(platform)
    submitted_at = datetime(2026, 1, 30, 10, 0, tzinfo=tz)  # Friday before Spring Festival 2026
    with time_machine.travel(submitted_at, tick=False):
        actions.submit_round(appeal, actor=organiser.user, case_reference="CN-1")
    appeal.refresh_from_db()
    asked_at = datetime(
        2026, 2, 4, 9, 0, tzinfo=tz
    )  # Wednesday: 3 business days used (2, 3, 4 Feb)
    with time_machine.travel(asked_at, tick=False):
        _respond(appeal, organiser.user, "info_requested")
    appeal.refresh_from_db()
    assert appeal.state == S.INFO_REQUESTED
    assert appeal.paused_at == asked_at
    assert appeal.paused_remaining_days == 7
    # Sent after the Spring Festival holiday (15 to 23 Feb 2026): the 7 days restart the next day.
    sent_at = datetime(2026, 2, 24, 11, 0, tzinfo=tz)
    with time_machine.travel(sent_at, tick=False):
        actions.information_sent(appeal, actor=organiser.user)
    appeal.refresh_from_db()
    assert (
        appeal.state == S.SUBMITTED
        and appeal.paused_at is None
        and appeal.paused_remaining_days is None
    )
    assert appeal.response_due_at == deadlines.resumed_due(sent_at, 7, platform)
    assert (
        deadlines.business_days_between(
            date(2026, 2, 24), deadlines.local_date(appeal.response_due_at, platform), platform
        )
        == 7
    )
    # Very overdue keeps its own days left: 17 at the pause (7 + the 10-day second span).
    assert appeal.very_overdue_at == deadlines.resumed_due(sent_at, 17, platform)
    assert [n for n, _ in hook_calls] == [
        "on_submitted",
        "on_response_recorded",
        "on_information_sent",
    ]
    assert _events("round.information_sent").get().data["remaining_business_days"] == 7


def test_info_request_after_the_due_date_resumes_with_the_rest_of_a_business_day(
    submitted, organiser
):
    _overdue(submitted)
    _respond(submitted, organiser.user, "info_requested")
    submitted.refresh_from_db()
    assert submitted.paused_remaining_days == 0
    actions.information_sent(submitted, actor=organiser.user)
    submitted.refresh_from_db()
    platform = submitted.grievance.platform
    today = deadlines.local_date(timezone.now(), platform)
    assert deadlines.local_date(submitted.response_due_at, platform) == deadlines.roll_forward(
        today, platform
    )
    assert submitted.very_overdue_at >= submitted.response_due_at


def test_a_paused_round_is_not_overdue(submitted, organiser):
    from appeals.states import is_overdue

    _overdue(submitted)
    _respond(submitted, organiser.user, "info_requested")
    submitted.refresh_from_db()
    assert not is_overdue(submitted, timezone.now())


# --- withdrawing ----------------------------------------------------------------------------


def test_withdraw_keeps_the_reason(draft, organiser, hook_calls):
    actions.withdraw_round(draft, actor=organiser.user, reason="Merged into another grievance")
    draft.refresh_from_db()
    assert draft.state == S.WITHDRAWN
    assert _events("round.withdrawn").get().data["reason"] == "Merged into another grievance"
    assert hook_calls == [("on_withdrawn", (draft,))]


def test_email_address_must_be_verified_not_just_present(signing, member, membership):
    EmailAddress.objects.filter(user=member.user).update(verified=False)
    with pytest.raises(ActionRefused):
        actions.sign(signing, actor=member.user)
