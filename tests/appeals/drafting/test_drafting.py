"""Drafting a round: round 1, the rules for the next round, editing, re-drafting and withdrawing."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.contrib.auth.models import AnonymousUser
from django.utils import timezone

from appeals.actions.drafting import draft_round, regenerate_letter, update_draft, withdraw_round
from appeals.models import Appeal
from coalition.errors import ActionRefused
from coalition.models import AuditEvent, Evidence, Membership
from tests.appeals.builders import make_round, overdue
from tests.factories import MembershipFactory

S = Appeal.State
pytestmark = pytest.mark.django_db


def _events(verb: str):
    return AuditEvent.objects.filter(verb=verb)


def _join_member_now(grievance) -> Membership:
    return MembershipFactory(grievance=grievance)


# --- round 1 ------------------------------------------------------------------------------


def test_organiser_drafts_round_one_from_the_category_template(grievance, organiser):
    appeal = draft_round(
        grievance, actor=organiser.user, channel="email", language="en", signature_goal=25
    )
    assert (appeal.number, appeal.state, appeal.previous) == (1, S.DRAFT, None)
    assert appeal.channel == "email" and appeal.signature_goal == 25
    assert grievance.title in appeal.subject
    assert grievance.demands in appeal.letter
    # from the coalition, with the round's own reply address, and a translation for signers
    assert appeal.reply_address and f"Reply to: {appeal.reply_address}" in appeal.letter
    assert "集体申诉" in appeal.translation_subject and grievance.demands in appeal.translation
    assert appeal.demands == grievance.demands
    event = _events("round.drafted").get()
    assert event.subject == "round:1" and event.actor == organiser.user


def test_round_one_needs_no_reason(grievance, organiser):
    appeal = draft_round(grievance, actor=organiser.user)
    assert appeal.new_round_reason == ""


@pytest.mark.parametrize("who", ["member", "outsider", "anonymous"])
def test_only_organisers_draft_rounds(who, grievance, member, membership, outsider):
    actor = {"member": member.user, "outsider": outsider.user, "anonymous": AnonymousUser()}[who]
    with pytest.raises(ActionRefused):
        draft_round(grievance, actor=actor)
    assert not Appeal.objects.exists()


def test_staff_may_draft_a_round(grievance, staff_user):
    assert draft_round(grievance, actor=staff_user).number == 1


def test_system_may_draft_a_round(grievance):
    appeal = draft_round(grievance, actor=None)
    assert appeal.created_by is None
    assert _events("round.drafted").get().actor is None


def test_no_round_for_a_closed_grievance(grievance, organiser):
    grievance.state = grievance.State.CLOSED
    grievance.save()
    with pytest.raises(ActionRefused, match="not open"):
        draft_round(grievance, actor=organiser.user)


@pytest.mark.parametrize(
    ("field", "value"),
    [("channel", "fax"), ("language", "fr"), ("signature_goal", 0), ("signature_goal", "5")],
)
def test_draft_refuses_bad_values(field, value, grievance, organiser):
    with pytest.raises(ActionRefused) as refused:
        draft_round(grievance, actor=organiser.user, **{field: value})
    assert refused.value.field == field


# --- the next round -------------------------------------------------------------------------


@pytest.mark.parametrize("outcome", [Appeal.Outcome.PARTIAL, Appeal.Outcome.REJECTED])
def test_next_round_after_partial_or_rejected_links_to_it_and_is_drafted_with_its_history(
    outcome, grievance, organiser
):
    first = make_round(grievance, S.RESPONDED, outcome=outcome, letter="Our edited letter.\n")
    _join_member_now(grievance)  # something new
    second = draft_round(grievance, actor=organiser.user)
    assert second.number == 2 and second.previous == first
    # not round 1 word for word: round 2 cites round 1 and says what is new
    assert second.letter != first.letter
    assert "OUR EARLIER ROUNDS" in second.letter and "WHAT IS NEW SINCE ROUND 1" in second.letter
    assert "round 2" in second.subject
    assert _events("round.drafted").get().data["previous_round"] == 1


def test_next_round_in_another_language_starts_from_the_template(grievance, organiser):
    make_round(grievance, S.RESPONDED, letter="Our edited letter.\n")
    _join_member_now(grievance)
    second = draft_round(grievance, actor=organiser.user, language="zh-hans")
    assert "集体申诉" in second.subject
    assert "第 1 轮：" in second.letter and "此前各轮申诉" in second.letter


def test_next_round_when_the_last_one_is_overdue(grievance, organiser):
    overdue(make_round(grievance, S.SUBMITTED))
    _join_member_now(grievance)
    assert draft_round(grievance, actor=organiser.user).number == 2


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
        draft_round(grievance, actor=organiser.user, reason="we insist")
    assert grievance.rounds.count() == 1


def test_a_withdrawn_round_is_skipped_when_judging_the_next(grievance, organiser):
    first = make_round(grievance, S.RESPONDED)
    withdrawn = make_round(grievance, S.WITHDRAWN, previous=first, letter="Abandoned draft.\n")
    _join_member_now(grievance)
    third = draft_round(grievance, actor=organiser.user)
    assert third.number == 3
    assert third.previous == withdrawn  # the chain stays linear
    assert first.next_round == withdrawn


def test_after_only_withdrawn_rounds_the_next_is_treated_as_a_first(grievance, organiser):
    make_round(grievance, S.WITHDRAWN)
    appeal = draft_round(grievance, actor=organiser.user)
    assert appeal.number == 2 and appeal.new_round_reason == ""


def test_nothing_new_since_the_last_round_requires_a_reason(grievance, organiser):
    make_round(grievance, S.RESPONDED, submitted_at=timezone.now())
    with pytest.raises(ActionRefused) as refused:
        draft_round(grievance, actor=organiser.user)
    assert refused.value.code == "confirmation_required"
    assert refused.value.field == "reason"
    assert "Art. 23" in str(refused.value.message) and "excessive contacts" in str(
        refused.value.message
    )
    assert grievance.rounds.count() == 1


def test_with_a_reason_the_round_goes_ahead_and_the_timeline_keeps_it(grievance, organiser):
    make_round(grievance, S.RESPONDED, submitted_at=timezone.now())
    appeal = draft_round(
        grievance, actor=organiser.user, reason="  The platform changed its policy page.  "
    )
    assert appeal.new_round_reason == "The platform changed its policy page."
    assert _events("round.drafted").get().data["reason"] == "The platform changed its policy page."


def test_a_member_who_joined_since_the_submission_counts_as_new(grievance, organiser):
    make_round(grievance, S.RESPONDED)
    _join_member_now(grievance)
    assert draft_round(grievance, actor=organiser.user).new_round_reason == ""


def test_members_who_joined_before_the_submission_are_not_new(grievance, organiser, membership):
    make_round(grievance, S.RESPONDED, submitted_at=timezone.now())
    with pytest.raises(ActionRefused) as refused:
        draft_round(grievance, actor=organiser.user)
    assert refused.value.code == "confirmation_required"


def test_new_evidence_counts_as_new(grievance, organiser, membership):
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
    assert draft_round(grievance, actor=organiser.user).new_round_reason == ""


def test_withdrawn_evidence_is_not_new(grievance, organiser, membership):
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
        draft_round(grievance, actor=organiser.user)


def test_round_cap_per_channel_requires_a_reason_even_with_something_new(grievance, organiser):
    grievance.platform.round_cap = 2
    grievance.platform.save()
    make_round(grievance, S.RESPONDED, channel="portal")
    make_round(grievance, S.RESPONDED, channel="portal")
    _join_member_now(grievance)
    with pytest.raises(ActionRefused) as refused:
        draft_round(grievance, actor=organiser.user, channel="portal")
    assert refused.value.code == "confirmation_required"
    assert "limit" in str(refused.value.message)
    # The other channel has its own count.
    assert draft_round(grievance, actor=organiser.user, channel="email").number == 3


def test_round_cap_counts_only_rounds_that_were_sent(grievance, organiser):
    grievance.platform.round_cap = 1
    grievance.platform.save()
    make_round(grievance, S.WITHDRAWN)
    assert draft_round(grievance, actor=organiser.user).new_round_reason == ""


# --- editing --------------------------------------------------------------------------------


def test_organisers_edit_the_letter_while_in_draft(draft, organiser):
    update_draft(draft, actor=organiser.user, letter="New text.", subject="New subject")
    draft.refresh_from_db()
    assert (draft.letter, draft.subject) == ("New text.", "New subject")
    assert _events("round.edited").get().data["fields"] == ["letter", "subject"]


def test_editing_nothing_writes_no_event(draft, organiser):
    update_draft(draft, actor=organiser.user, letter=draft.letter)
    assert not _events("round.edited").exists()


@pytest.mark.parametrize("state", [S.SIGNING, S.READY, S.SUBMITTED])
@pytest.mark.parametrize("field", ["letter", "subject", "language"])
def test_letter_is_frozen_once_signing_opens(state, field, grievance, organiser):
    appeal = make_round(grievance, state)
    with pytest.raises(ActionRefused) as refused:
        update_draft(
            appeal, actor=organiser.user, **{field: "zh-hans" if field == "language" else "x"}
        )
    assert refused.value.field == field


@pytest.mark.parametrize("state", [S.DRAFT, S.SIGNING, S.READY])
def test_goal_and_schedule_change_until_submitted(state, grievance, organiser):
    appeal = make_round(grievance, state, channel="email")
    later = timezone.now() + timedelta(days=2)
    update_draft(appeal, actor=organiser.user, signature_goal=40, scheduled_submit_at=later)
    appeal.refresh_from_db()
    assert (appeal.signature_goal, appeal.scheduled_submit_at) == (40, later)


@pytest.mark.parametrize("state", [S.SUBMITTED, S.RESPONDED, S.WITHDRAWN])
def test_goal_is_frozen_after_submission(state, grievance, organiser):
    appeal = make_round(grievance, state)
    with pytest.raises(ActionRefused):
        update_draft(appeal, actor=organiser.user, signature_goal=40)


def test_signing_deadline_is_frozen_once_signing_closed(grievance, organiser):
    appeal = make_round(grievance, S.READY)
    with pytest.raises(ActionRefused):
        update_draft(
            appeal, actor=organiser.user, signing_deadline=timezone.now() + timedelta(days=1)
        )


def test_past_deadlines_are_refused(draft, organiser):
    with pytest.raises(ActionRefused) as refused:
        update_draft(
            draft, actor=organiser.user, signing_deadline=timezone.now() - timedelta(hours=1)
        )
    assert refused.value.field == "signing_deadline"


def test_automatic_sending_needs_the_email_channel(draft, organiser):
    with pytest.raises(ActionRefused) as refused:
        update_draft(
            draft, actor=organiser.user, scheduled_submit_at=timezone.now() + timedelta(days=1)
        )
    assert refused.value.field == "scheduled_submit_at"


def test_changing_the_schedule_of_a_ready_round_tells_the_follow_ups(
    grievance, organiser, hook_calls
):
    appeal = make_round(grievance, S.READY, channel="email")
    update_draft(
        appeal, actor=organiser.user, scheduled_submit_at=timezone.now() + timedelta(hours=5)
    )
    assert [name for name, _ in hook_calls] == ["on_signing_closed"]


def test_moving_the_signing_deadline_moves_the_reminders(signing, organiser, hook_calls):
    update_draft(signing, actor=organiser.user, signing_deadline=timezone.now() + timedelta(days=4))
    assert [name for name, _ in hook_calls] == ["on_signing_opened"]


def test_empty_letter_is_refused(draft, organiser):
    with pytest.raises(ActionRefused):
        update_draft(draft, actor=organiser.user, letter="   ")


def test_unknown_fields_are_a_programming_error(draft, organiser):
    with pytest.raises(TypeError):
        update_draft(draft, actor=organiser.user, state="submitted")


def test_members_cannot_edit(draft, member, membership):
    with pytest.raises(ActionRefused):
        update_draft(draft, actor=member.user, letter="mine now")


def test_regenerate_letter_redrafts_from_the_template(draft, organiser):
    regenerate_letter(draft, actor=organiser.user)
    draft.refresh_from_db()
    assert draft.grievance.summary in draft.letter
    assert _events("round.letter_regenerated").exists()


def test_regenerate_letter_only_in_draft(signing, organiser):
    with pytest.raises(ActionRefused):
        regenerate_letter(signing, actor=organiser.user)


# --- withdrawing ----------------------------------------------------------------------------


def test_withdraw_keeps_the_reason(draft, organiser, hook_calls):
    withdraw_round(draft, actor=organiser.user, reason="Merged into another grievance")
    draft.refresh_from_db()
    assert draft.state == S.WITHDRAWN
    assert _events("round.withdrawn").get().data["reason"] == "Merged into another grievance"
    assert hook_calls == [("on_withdrawn", (draft,))]
