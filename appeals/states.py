"""The round state machine (docs/domain.md "Appeal rounds"): the one table of allowed moves.

Actions call `check_move` before they change a round's state; pages and the API ask
`allowed_moves` which buttons to offer. Overdue and very overdue are derived from the stored due
moments and the clock, never stored.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from django.utils.functional import Promise
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from appeals.models import Appeal
from coalition.errors import ActionRefused

S = Appeal.State


@dataclass(frozen=True)
class Move:
    name: str
    sources: frozenset[str]
    target: str
    label: str | Promise


MOVES: dict[str, Move] = {
    move.name: move
    for move in (
        Move("open_signing", frozenset({S.DRAFT}), S.SIGNING, _("open signing")),
        Move("close_signing", frozenset({S.SIGNING}), S.READY, _("close signing")),
        Move("submit", frozenset({S.READY}), S.SUBMITTED, _("submit the round")),
        # Recorded through record_response with the "asks for more information" classification.
        Move(
            "request_information",
            frozenset({S.SUBMITTED}),
            S.INFO_REQUESTED,
            _("record a request for information"),
        ),
        Move(
            "information_sent",
            frozenset({S.INFO_REQUESTED}),
            S.SUBMITTED,
            _("mark the information as sent"),
        ),
        # Granted, partly granted or rejected. An acknowledgement is recorded from the same states
        # without a move (see `RECORDABLE_STATES`).
        Move(
            "record_response",
            frozenset({S.SUBMITTED, S.INFO_REQUESTED}),
            S.RESPONDED,
            _("record the platform's decision"),
        ),
        Move(
            "withdraw",
            frozenset({S.DRAFT, S.SIGNING, S.READY}),
            S.WITHDRAWN,
            _("withdraw the round"),
        ),
    )
}

# States in which the platform can still answer, so a response can be recorded.
RECORDABLE_STATES = MOVES["record_response"].sources
# States that have been sent to the platform.
SENT_STATES = frozenset({S.SUBMITTED, S.INFO_REQUESTED, S.RESPONDED})
# States in which the round's letter and subject can still be edited.
EDITABLE_LETTER_STATES = frozenset({S.DRAFT})
# States before submission: the schedule and the signature goal can still change.
UNSENT_STATES = frozenset({S.DRAFT, S.SIGNING, S.READY})


def allowed_moves(appeal: Appeal) -> list[str]:
    """Names of the moves the table allows from the round's current state, in table order."""
    return [m.name for m in MOVES.values() if appeal.state in m.sources]


def can_move(appeal: Appeal, move: str) -> bool:
    return appeal.state in MOVES[move].sources


def check_move(appeal: Appeal, move: str) -> str:
    """The state `move` leads to from the round's state, or ActionRefused naming both."""
    try:
        spec = MOVES[move]
    except KeyError:
        raise ValueError(f"unknown move {move!r}") from None
    if appeal.state not in spec.sources:
        allowed_from = ", ".join(str(S(s).label) for s in sorted(spec.sources))
        raise ActionRefused(
            gettext(
                "Round %(number)s is “%(state)s”, so you cannot %(move)s now. "
                "That is possible only when the round is: %(allowed)s."
            )
            % {
                "number": appeal.number,
                "state": S(appeal.state).label,
                "move": spec.label,
                "allowed": allowed_from,
            },
            code="wrong_state",
        )
    return spec.target


# --- derived clock states -----------------------------------------------------------------


def is_overdue(appeal: Appeal, now: datetime) -> bool:
    """Submitted and the response due moment has passed. A paused round (the platform asked for
    information) is never overdue: the platform is waiting for us, not the other way round."""
    return (
        appeal.state == S.SUBMITTED
        and appeal.response_due_at is not None
        and now > appeal.response_due_at
    )


# Outcomes after which the coalition comes back with another round (docs/domain.md).
NEXT_ROUND_OUTCOMES = frozenset({Appeal.Outcome.PARTIAL, Appeal.Outcome.REJECTED})


def answered_with_partial_or_rejection(appeal: Appeal) -> bool:
    return appeal.state == S.RESPONDED and appeal.outcome in NEXT_ROUND_OUTCOMES


def calls_for_next_round(appeal: Appeal, now: datetime) -> bool:
    """A sent round that another may follow: partly granted, rejected, or overdue. The one rule
    behind drafting round N+1, offering it on the pages and prompting organisers by email."""
    return answered_with_partial_or_rejection(appeal) or is_overdue(appeal, now)


def is_very_overdue(appeal: Appeal, now: datetime) -> bool:
    """Overdue by more than twice the response span (docs/domain.md)."""
    return (
        is_overdue(appeal, now)
        and appeal.very_overdue_at is not None
        and now > appeal.very_overdue_at
    )


__all__ = [
    "EDITABLE_LETTER_STATES",
    "MOVES",
    "RECORDABLE_STATES",
    "SENT_STATES",
    "UNSENT_STATES",
    "Move",
    "allowed_moves",
    "can_move",
    "check_move",
    "is_overdue",
    "is_very_overdue",
]
