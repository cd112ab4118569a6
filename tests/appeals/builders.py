"""Plain builders for the appeals tests: rounds in any state, many members, and a round driven
through the real actions (open for signing, submitted)."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from django.utils import timezone

from appeals import deadlines
from appeals.actions import signing, submitting
from appeals.models import Appeal
from coalition.models import Membership
from tests.factories import AppealFactory, MembershipFactory

S = Appeal.State

# A Monday, 10:00 in Los Angeles (the default test platform's zone).
MONDAY = datetime(2025, 3, 3, 18, 0, tzinfo=UTC)


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


def overdue(appeal: Appeal) -> Appeal:
    """Move a submitted round's due date into the past (overdue, not yet very overdue)."""
    now = timezone.now()
    Appeal.objects.filter(pk=appeal.pk).update(
        submitted_at=now - timedelta(days=30),
        response_due_at=now - timedelta(days=1),
        very_overdue_at=now + timedelta(days=10),
    )
    appeal.refresh_from_db()
    return appeal


def add_members(grievance, n: int, **fields) -> list:
    """n members the organisers verified (only verified members' signatures count)."""
    fields.setdefault("state", Membership.State.VERIFIED)
    return [MembershipFactory(grievance=grievance, **fields) for _ in range(n)]


def open_round(
    grievance, organiser, *, deadline: timedelta | None = timedelta(days=7), **fields
) -> Appeal:
    """A round opened for signing by the organiser, through the action."""
    appeal = AppealFactory(grievance=grievance, **fields)
    when = timezone.now() + deadline if deadline else None
    return signing.open_signing(appeal, actor=organiser.user, deadline=when)


def submit(appeal: Appeal, organiser, **kw) -> Appeal:
    """Close signing if it is open, then submit the round by hand (portal: with a reference)."""
    if appeal.state == S.SIGNING:
        appeal = signing.close_signing(appeal, actor=organiser.user)
    kw.setdefault("case_reference", "CASE-77" if appeal.channel == "portal" else "")
    return submitting.submit_round(appeal, actor=organiser.user, **kw)
