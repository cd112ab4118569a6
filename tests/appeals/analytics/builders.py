"""Builders for the outcome analytics and scorecard tests: rounds with answers, members with own
appeals and recovered amounts."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from decimal import Decimal

from appeals.models import Appeal
from coalition.models import Membership
from tests.appeals.builders import make_round
from tests.factories import MembershipFactory, PlatformResponseFactory, SubmissionFactory

# A Monday, 10:00 in Los Angeles (the test platform's zone; US holidays, 5 business days' answer).
MONDAY = datetime(2026, 6, 1, 17, 0, tzinfo=UTC)


def answered_round(grievance, *, submitted: datetime, days: int, classification="rejected"):
    """A round submitted at `submitted` that the platform answered `days` calendar days later."""
    appeal = make_round(
        grievance,
        Appeal.State.RESPONDED,
        submitted_at=submitted,
        outcome=classification if classification in Appeal.Outcome.values else "",
        responded_at=submitted + timedelta(days=days),
    )
    PlatformResponseFactory(
        appeal=appeal, received_at=submitted + timedelta(days=days), classification=classification
    )
    return appeal


def recovered(appeal, amounts, *, currency="USD", verified=True, outcome="funds_released"):
    """One member's own appeal per amount in `amounts`, each with that amount recovered."""
    state = Membership.State.VERIFIED if verified else Membership.State.JOINED
    return [
        SubmissionFactory(
            appeal=appeal,
            membership=MembershipFactory(grievance=appeal.grievance, state=state),
            outcome=outcome,
            amount_recovered=Decimal(amount),
            currency=currency,
        )
        for amount in amounts
    ]
