"""A platform's public record: rounds of public grievances in the last 12 months, business days
to a first answer, the share answered late, decisions by category and released recovered sums."""

from __future__ import annotations

from datetime import timedelta
from decimal import Decimal

import pytest

from appeals import deadlines
from appeals.models import Appeal
from appeals.queries.analytics import AWAITING, BusinessDays, platform_scorecard
from coalition.categories import Category
from coalition.models import Grievance, Membership
from coalition.rules.disclosure import TOO_FEW
from tests.appeals.analytics.builders import MONDAY, answered_round, recovered
from tests.appeals.builders import make_round
from tests.factories import GrievanceFactory, MembershipFactory, SellerFactory, SubmissionFactory

pytestmark = pytest.mark.django_db
NOW = MONDAY + timedelta(days=60)


def test_median_and_p90_of_business_days_to_a_first_answer(grievance, platform):
    # Submitted on Mondays; answered 1, 2, 3 and 4 business days later (Tuesday to Friday), then
    # on the next Monday (4: Friday 3 July 2026 is the observed Independence Day), and after
    # two weeks (10).
    for i, days in enumerate([1, 2, 3, 4, 7, 14]):
        answered_round(grievance, submitted=MONDAY + timedelta(weeks=i), days=days)

    card = platform_scorecard(platform, NOW)

    assert card.rounds_submitted == 6
    assert card.days_to_first_answer == [1, 2, 3, 4, 4, 10]
    assert card.median_days == 3.5
    assert card.p90_days == 10


def test_first_answer_ignores_acknowledgements_and_later_answers(grievance, platform):
    appeal = make_round(grievance, Appeal.State.RESPONDED, submitted_at=MONDAY)
    for days, kind in [(0, "acknowledged"), (2, "info_requested"), (9, "rejected")]:
        appeal.responses.create(
            received_at=MONDAY + timedelta(days=days), text="x", classification=kind
        )

    assert platform_scorecard(platform, NOW).days_to_first_answer == [2]


def test_share_answered_late_counts_late_answers_and_overdue_silence(grievance, platform):
    answered_round(grievance, submitted=MONDAY, days=2)  # on time (5 business days allowed)
    answered_round(grievance, submitted=MONDAY + timedelta(weeks=1), days=14)  # late
    make_round(grievance, Appeal.State.SUBMITTED, submitted_at=MONDAY + timedelta(weeks=2))
    # Submitted yesterday: its answer is not due yet, so it is not judged.
    make_round(grievance, Appeal.State.SUBMITTED, submitted_at=NOW - timedelta(days=1))

    card = platform_scorecard(platform, NOW)

    assert (card.late, card.judged) == (2, 3)
    assert card.late_share == pytest.approx(2 / 3)


def test_only_public_visible_grievances_count(grievance, platform):
    answered_round(grievance, submitted=MONDAY, days=1)
    unlisted = GrievanceFactory(platform=platform, visibility=Grievance.Visibility.UNLISTED)
    answered_round(unlisted, submitted=MONDAY, days=30)
    hidden = GrievanceFactory(platform=platform, hidden=True)
    answered_round(hidden, submitted=MONDAY, days=30)
    other_platform = GrievanceFactory()
    answered_round(other_platform, submitted=MONDAY, days=30)

    card = platform_scorecard(platform, NOW)

    assert card.rounds_submitted == 1
    assert card.days_to_first_answer == [1]


def test_only_the_last_twelve_months_count(grievance, platform):
    answered_round(grievance, submitted=NOW - timedelta(days=400), days=1)
    answered_round(grievance, submitted=NOW - timedelta(days=300), days=1)
    make_round(grievance, Appeal.State.SIGNING)  # never submitted

    assert platform_scorecard(platform, NOW).rounds_submitted == 1


def test_outcomes_by_category_name_the_decision_or_awaiting(grievance, platform):
    answered_round(grievance, submitted=MONDAY, days=2, classification="granted")
    answered_round(grievance, submitted=MONDAY, days=2, classification="rejected")
    make_round(grievance, Appeal.State.SUBMITTED, submitted_at=MONDAY)
    make_round(grievance, Appeal.State.WITHDRAWN, submitted_at=MONDAY)  # not the platform's call
    linked = GrievanceFactory(platform=platform, category=Category.ACCOUNT_LINKING)
    answered_round(linked, submitted=MONDAY, days=2, classification="partial")

    outcomes = platform_scorecard(platform, NOW).outcomes_by_category

    assert outcomes == {
        Category.FUNDS_WITHHELD: {"granted": 1, "rejected": 1, AWAITING: 1},
        Category.ACCOUNT_LINKING: {"partial": 1},
    }


@pytest.mark.parametrize(("sellers", "released"), [(4, False), (5, True), (6, True)])
def test_recovered_amounts_are_released_from_five_sellers(grievance, platform, sellers, released):
    appeal = answered_round(grievance, submitted=MONDAY, days=2)
    recovered(appeal, ["2000"] * sellers)

    cell = platform_scorecard(platform, NOW).recovered["USD"]

    assert cell.released is released
    assert cell.value == (Decimal(2000 * sellers) if released else None)


def test_one_seller_in_five_grievances_is_one_contributor(platform):
    seller = SellerFactory()
    for _ in range(5):
        g = GrievanceFactory(platform=platform)
        appeal = answered_round(g, submitted=MONDAY, days=2)
        SubmissionFactory(
            appeal=appeal,
            membership=MembershipFactory(
                grievance=g, seller=seller, state=Membership.State.VERIFIED
            ),
            amount_recovered=Decimal("500"),
        )

    cell = platform_scorecard(platform, NOW).recovered["USD"]

    assert not cell.released
    assert cell.suppressed_because == TOO_FEW


def test_recovered_in_unlisted_grievances_is_left_out(platform):
    unlisted = GrievanceFactory(platform=platform, visibility=Grievance.Visibility.UNLISTED)
    recovered(answered_round(unlisted, submitted=MONDAY, days=2), ["2000"] * 6)

    assert platform_scorecard(platform, NOW).recovered == {}


def test_looked_up_business_days_agree_with_the_deadlines_functions(platform):
    first = MONDAY.date() - timedelta(days=40)  # spans Juneteenth and Independence Day
    calendar = BusinessDays(first, first + timedelta(days=90), platform)
    for offset in range(0, 95, 3):  # the last few fall outside the span: the fallback answers
        start = first + timedelta(days=offset)
        for n in (0, 1, 5, 12):
            assert calendar.add(start, n) == deadlines.add_business_days(start, n, platform)
        end = start + timedelta(days=17)
        assert calendar.between(start, end) == deadlines.business_days_between(start, end, platform)
        assert calendar.between(end, start) == deadlines.business_days_between(end, start, platform)
    moment = MONDAY + timedelta(days=31, hours=9)
    assert calendar.response_due(moment) == deadlines.response_due(moment, platform)
