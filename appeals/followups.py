"""Scheduling and cancelling follow-ups when a round or submission changes (DESIGN.md "Follow-ups
and reminders"). Called by appeals/actions.py inside the action's transaction; each function
writes or cancels FollowUp rows only — the dispatcher (appeals/dispatch.py) runs them when due.

Interface (owned by the follow-ups work; the round actions call these names):
"""

from __future__ import annotations

from appeals.models import Appeal, PlatformResponse, Signature, Submission


def on_signing_opened(appeal: Appeal) -> None:
    """Schedule signing reminders: 2 days after opening, and 24 h before the signing deadline."""


def on_signed(signature: Signature) -> None:
    """A member signed: nothing to cancel per round, but the member is no longer reminded."""


def on_signing_closed(appeal: Appeal) -> None:
    """Cancel pending signing reminders; schedule auto_submit for an email round with a send time."""


def on_submitted(appeal: Appeal) -> None:
    """Schedule member submit reminders (now and +3 days), chases, overdue and very-overdue alerts."""


def on_response_recorded(appeal: Appeal, response: PlatformResponse) -> None:
    """Cancel chases and overdue alerts; on partial/rejected schedule the next-round prompt."""


def on_information_sent(appeal: Appeal) -> None:
    """The clock restarted: re-schedule chases and overdue alerts from the new due date."""


def on_withdrawn(appeal: Appeal) -> None:
    """Cancel every pending follow-up of the round."""


def on_submission_logged(submission: Submission) -> None:
    """Schedule the outcome check 10 business days after the member's submission."""


def on_outcome_reported(submission: Submission) -> None:
    """Cancel the outcome check."""
