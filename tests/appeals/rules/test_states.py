"""The round state machine: every state and every move, in the table and through the actions."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.utils import timezone

from appeals import states
from appeals.actions.drafting import withdraw_round
from appeals.actions.responses import information_sent, record_response
from appeals.actions.signing import close_signing, open_signing
from appeals.actions.submitting import submit_round
from appeals.models import Appeal, PlatformResponse
from coalition.errors import ActionRefused
from coalition.models import AuditEvent
from tests.appeals.builders import make_round

S = Appeal.State
ALL_STATES = list(S.values)
ALL_MOVES = list(states.MOVES)

# The design's diagram, written out independently of appeals/states.py.
EXPECTED = {
    ("draft", "open_signing"): "signing",
    ("signing", "close_signing"): "ready",
    ("ready", "submit"): "submitted",
    ("submitted", "request_information"): "info_requested",
    ("info_requested", "information_sent"): "submitted",
    ("submitted", "record_response"): "responded",
    ("info_requested", "record_response"): "responded",
    ("draft", "withdraw"): "withdrawn",
    ("signing", "withdraw"): "withdrawn",
    ("ready", "withdraw"): "withdrawn",
}
GRID = [(state, move) for state in ALL_STATES for move in ALL_MOVES]


@pytest.mark.parametrize(("state", "move"), GRID)
def test_check_move_follows_the_table(state, move):
    appeal = Appeal(number=2, state=state)
    if (state, move) in EXPECTED:
        assert states.check_move(appeal, move) == EXPECTED[(state, move)]
        assert move in states.allowed_moves(appeal)
    else:
        with pytest.raises(ActionRefused) as refused:
            states.check_move(appeal, move)
        message = str(refused.value.message)
        assert "Round 2" in message and str(S(state).label) in message
        assert refused.value.code == "wrong_state"
        assert move not in states.allowed_moves(appeal)


def test_unknown_move_is_a_programming_error():
    with pytest.raises(ValueError):
        states.check_move(Appeal(state=S.DRAFT), "teleport")


def test_final_states_allow_no_move():
    assert states.allowed_moves(Appeal(state=S.RESPONDED)) == []
    assert states.allowed_moves(Appeal(state=S.WITHDRAWN)) == []


# --- the same grid through the actions --------------------------------------------------------


def _run(move: str, appeal: Appeal, actor) -> None:
    now = timezone.now()
    if move == "open_signing":
        open_signing(appeal, actor=actor)
    elif move == "close_signing":
        close_signing(appeal, actor=actor)
    elif move == "submit":
        submit_round(appeal, actor=actor, case_reference="CASE-9")
    elif move == "request_information":
        record_response(
            appeal,
            actor=actor,
            received_at=now,
            channel="email",
            text="Send invoices.",
            classification="info_requested",
        )
    elif move == "information_sent":
        information_sent(appeal, actor=actor)
    elif move == "record_response":
        record_response(
            appeal,
            actor=actor,
            received_at=now,
            channel="email",
            text="Rejected.",
            classification="rejected",
        )
    elif move == "withdraw":
        withdraw_round(appeal, actor=actor, reason="changed our minds")
    else:  # pragma: no cover - a new move needs a line here
        raise AssertionError(move)


@pytest.mark.django_db
@pytest.mark.parametrize(("state", "move"), GRID)
def test_every_move_through_its_action(state, move, grievance, organiser, hook_calls):
    appeal = make_round(grievance, state)
    events_before = AuditEvent.objects.filter(verb__startswith="round.").count()
    if (state, move) in EXPECTED:
        _run(move, appeal, organiser.user)
        appeal.refresh_from_db()
        assert appeal.state == EXPECTED[(state, move)]
        event = AuditEvent.objects.filter(verb__startswith="round.").first()
        assert event.subject == f"round:{appeal.number}"
        assert event.actor == organiser.user
        assert hook_calls, "the follow-up hook was not called"
    elif move == "request_information" and state == S.INFO_REQUESTED:
        # Asked again while we are still gathering: recorded, the clock stays paused.
        _run(move, appeal, organiser.user)
        appeal.refresh_from_db()
        assert appeal.state == S.INFO_REQUESTED
        assert PlatformResponse.objects.filter(appeal=appeal).count() == 1
    else:
        with pytest.raises(ActionRefused):
            _run(move, appeal, organiser.user)
        appeal.refresh_from_db()
        assert appeal.state == state
        assert AuditEvent.objects.filter(verb__startswith="round.").count() == events_before
        assert hook_calls == []


@pytest.mark.django_db
@pytest.mark.parametrize("move", ALL_MOVES)
def test_members_cannot_make_any_move(move, grievance, member, membership):
    source = next(s for (s, m) in EXPECTED if m == move)
    appeal = make_round(grievance, source)
    with pytest.raises(ActionRefused) as refused:
        _run(move, appeal, member.user)
    assert refused.value.code == "forbidden"
    appeal.refresh_from_db()
    assert appeal.state == source


# --- overdue is derived -----------------------------------------------------------------------


@pytest.mark.django_db
def test_submitted_round_becomes_overdue_then_very_overdue(grievance):
    appeal = make_round(grievance, S.SUBMITTED)
    assert not states.is_overdue(appeal, appeal.response_due_at)
    just_after = appeal.response_due_at + timedelta(seconds=1)
    assert states.is_overdue(appeal, just_after)
    assert not states.is_very_overdue(appeal, just_after)
    later = appeal.very_overdue_at + timedelta(seconds=1)
    assert states.is_overdue(appeal, later) and states.is_very_overdue(appeal, later)


@pytest.mark.django_db
@pytest.mark.parametrize(
    "state", [S.INFO_REQUESTED, S.RESPONDED, S.DRAFT, S.SIGNING, S.READY, S.WITHDRAWN]
)
def test_only_a_round_waiting_for_the_platform_can_be_overdue(state, grievance):
    appeal = make_round(grievance, state)
    appeal.response_due_at = timezone.now() - timedelta(days=30)
    appeal.very_overdue_at = timezone.now() - timedelta(days=20)
    assert not states.is_overdue(appeal, timezone.now())
    assert not states.is_very_overdue(appeal, timezone.now())
