"""Members' own portal appeals: logging them (once per round, updates after) and their outcomes."""

from __future__ import annotations

from datetime import timedelta
from decimal import Decimal

import pytest
import time_machine
from django.utils import timezone

from appeals.actions.member_cases import log_submission, report_outcome
from appeals.models import Appeal, Submission
from coalition.errors import ActionRefused
from coalition.models import AuditEvent, Membership
from tests.appeals.builders import make_round
from tests.factories import MembershipFactory

S = Appeal.State
pytestmark = pytest.mark.django_db


def _log(appeal, seller, **kw):
    kw.setdefault("submitted_on", timezone.localdate())
    return log_submission(appeal, actor=seller.user, **kw)


@pytest.mark.parametrize("state", [S.SUBMITTED, S.INFO_REQUESTED, S.RESPONDED])
def test_member_logs_their_own_appeal_for_a_sent_round(
    state, grievance, member, membership, hook_calls
):
    appeal = make_round(grievance, state)
    submission = _log(appeal, member, ticket_reference=" T-123 ")
    assert submission.newly_logged
    assert (submission.membership, submission.ticket_reference, submission.outcome) == (
        membership,
        "T-123",
        "pending",
    )
    event = AuditEvent.objects.get(verb="submission.logged")
    assert event.subject == f"round:{appeal.number}" and "T-123" not in str(event.data)
    assert hook_calls == [("on_submission_logged", (submission,))]


@pytest.mark.parametrize("state", [S.DRAFT, S.SIGNING, S.READY, S.WITHDRAWN])
def test_logging_waits_until_the_round_was_sent(state, grievance, member, membership):
    with pytest.raises(ActionRefused, match="not been submitted"):
        _log(make_round(grievance, state), member)


def test_logging_twice_updates_the_same_row(submitted, member, membership, hook_calls):
    first = _log(
        submitted,
        member,
        ticket_reference="T-1",
        submitted_on=timezone.localdate() - timedelta(days=2),
    )
    second = _log(
        submitted,
        member,
        ticket_reference="T-2",
        submitted_on=timezone.localdate() - timedelta(days=1),
    )
    assert first.pk == second.pk and not second.newly_logged
    assert Submission.objects.count() == 1
    assert Submission.objects.get().ticket_reference == "T-2"
    assert AuditEvent.objects.filter(verb="submission.updated").count() == 1
    # The outcome check follows the new date.
    assert [n for n, _ in hook_calls] == ["on_submission_logged", "on_submission_logged"]


def test_logging_the_same_details_again_changes_nothing(submitted, member, membership, hook_calls):
    _log(submitted, member, ticket_reference="T-1")
    _log(submitted, member, ticket_reference="T-1")
    assert not AuditEvent.objects.filter(verb="submission.updated").exists()
    assert len(hook_calls) == 1


def test_date_cannot_be_in_the_future(submitted, member, membership):
    with pytest.raises(ActionRefused) as refused:
        _log(submitted, member, submitted_on=timezone.localdate() + timedelta(days=2))
    assert refused.value.field == "submitted_on"


def test_today_is_the_members_today(submitted, member, membership):
    # 23:00 UTC is already tomorrow in Shanghai: a Shanghai seller may log "tomorrow's" UTC date.

    member.time_zone = "Asia/Shanghai"
    member.save()
    with time_machine.travel(timezone.now().replace(hour=23, minute=0), tick=False):
        shanghai_today = timezone.localdate() + timedelta(days=1)
        assert _log(submitted, member, submitted_on=shanghai_today).submitted_on == shanghai_today


def test_outsiders_and_former_members_cannot_log(submitted, outsider, member, membership):
    with pytest.raises(ActionRefused):
        _log(submitted, outsider)
    Membership.objects.filter(pk=membership.pk).update(state=Membership.State.WITHDRAWN)
    with pytest.raises(ActionRefused):
        _log(submitted, member)
    assert not Submission.objects.exists()


# --- outcomes -----------------------------------------------------------------------------


def test_member_reports_funds_released_with_the_amount(submitted, member, membership, hook_calls):
    submission = _log(submitted, member, submitted_on=timezone.localdate() - timedelta(days=5))
    report_outcome(
        submission,
        actor=member.user,
        outcome="funds_released",
        amount_recovered="1234.5",
        currency="cny",
    )
    submission.refresh_from_db()
    assert submission.outcome == "funds_released"
    assert submission.amount_recovered == Decimal("1234.50") and submission.currency == "CNY"
    assert submission.outcome_on == timezone.localdate()
    event = AuditEvent.objects.get(verb="submission.outcome_reported")
    assert event.data["outcome"] == "funds_released" and "1234" not in str(event.data)
    assert hook_calls[-1] == ("on_outcome_reported", (submission,))


def test_currency_defaults_to_the_membership_currency(submitted, grievance):
    m = MembershipFactory(grievance=grievance, currency="EUR")
    submission = _log(submitted, m.seller)
    report_outcome(submission, actor=m.seller.user, outcome="partial", amount_recovered=10)
    submission.refresh_from_db()
    assert submission.currency == "EUR"


def test_only_the_member_who_logged_it_reports_the_outcome(
    submitted, member, membership, organiser
):
    submission = _log(submitted, member)
    with pytest.raises(ActionRefused, match="your own"):
        report_outcome(submission, actor=organiser.user, outcome="denied")
    submission.refresh_from_db()
    assert submission.outcome == "pending"


@pytest.mark.parametrize("outcome", ["denied", "no_response", "pending"])
def test_nothing_recovered_when_denied_unanswered_or_pending(
    outcome, submitted, member, membership
):
    submission = _log(submitted, member)
    with pytest.raises(ActionRefused) as refused:
        report_outcome(submission, actor=member.user, outcome=outcome, amount_recovered="5")
    assert refused.value.field == "amount_recovered"


@pytest.mark.parametrize(
    ("kwargs", "field"),
    [
        ({"outcome": "won"}, "outcome"),
        ({"outcome": "partial", "amount_recovered": "-1"}, "amount_recovered"),
        ({"outcome": "partial", "amount_recovered": "lots"}, "amount_recovered"),
        ({"outcome": "partial", "currency": "dollars"}, "currency"),
        ({"outcome": "reinstated", "outcome_on_offset": 3}, "outcome_on"),
        ({"outcome": "reinstated", "outcome_on_offset": -30}, "outcome_on"),
    ],
)
def test_outcome_values_are_checked(kwargs, field, submitted, member, membership):
    submission = _log(submitted, member, submitted_on=timezone.localdate() - timedelta(days=3))
    offset = kwargs.pop("outcome_on_offset", None)
    if offset is not None:
        kwargs["outcome_on"] = timezone.localdate() + timedelta(days=offset)
    with pytest.raises(ActionRefused) as refused:
        report_outcome(submission, actor=member.user, **kwargs)
    assert refused.value.field == field


def test_back_to_pending_clears_the_outcome_date(submitted, member, membership):
    submission = _log(submitted, member)
    report_outcome(submission, actor=member.user, outcome="denied")
    report_outcome(submission, actor=member.user, outcome="pending")
    submission.refresh_from_db()
    assert submission.outcome == "pending" and submission.outcome_on is None
