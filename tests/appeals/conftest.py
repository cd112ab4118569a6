"""Appeals fixtures: rounds in any state, many members, and a recorder for the follow-up hooks."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.utils import timezone

from appeals import deadlines, followups
from appeals.models import Appeal
from tests.factories import AppealFactory, MembershipFactory

HOOKS = [
    "on_signing_opened",
    "on_signed",
    "on_signing_closed",
    "on_submitted",
    "on_response_recorded",
    "on_information_sent",
    "on_withdrawn",
    "on_submission_logged",
    "on_outcome_reported",
]


def make_round(grievance, state: str = Appeal.State.DRAFT, **fields) -> Appeal:
    """A round in `state` with the fields that state implies (dates, clock, outcome)."""
    now = timezone.now()
    values: dict = {"grievance": grievance, "state": state}
    if state != Appeal.State.DRAFT:
        values["signing_opened_at"] = now - timedelta(days=3)
    if state in {Appeal.State.SUBMITTED, Appeal.State.INFO_REQUESTED, Appeal.State.RESPONDED}:
        submitted = fields.pop("submitted_at", now - timedelta(days=1))
        values.update(
            submitted_at=submitted,
            case_reference="CASE-1",
            response_due_at=deadlines.response_due(submitted, grievance.platform),
            very_overdue_at=deadlines.very_overdue_at(submitted, grievance.platform),
        )
    if state == Appeal.State.INFO_REQUESTED:
        values.update(paused_at=now, paused_remaining_days=3)
    if state == Appeal.State.RESPONDED:
        values.update(outcome=Appeal.Outcome.REJECTED, responded_at=now)
    values.update(fields)
    return AppealFactory(**values)


def add_members(grievance, n: int, **fields) -> list:
    return [MembershipFactory(grievance=grievance, **fields) for _ in range(n)]


@pytest.fixture
def hook_calls(monkeypatch) -> list[tuple[str, tuple]]:
    """Replace the follow-up hooks with recorders: [(hook name, args), ...] in call order."""
    calls: list[tuple[str, tuple]] = []
    for name in HOOKS:
        monkeypatch.setattr(followups, name, lambda *args, _name=name: calls.append((_name, args)))
    return calls


@pytest.fixture
def draft(grievance) -> Appeal:
    return make_round(grievance, Appeal.State.DRAFT)


@pytest.fixture
def signing(grievance) -> Appeal:
    return make_round(grievance, Appeal.State.SIGNING)


@pytest.fixture
def submitted(grievance) -> Appeal:
    return make_round(grievance, Appeal.State.SUBMITTED)
