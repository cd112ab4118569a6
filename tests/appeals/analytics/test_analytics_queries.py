"""Outcome analytics of a grievance: the funnel, own appeals per round, business days to each
answer, and the disclosure rule on every cell others read."""

from __future__ import annotations

from datetime import timedelta
from decimal import Decimal

import pytest

from appeals.models import Appeal
from appeals.queries.analytics import grievance_analytics, median, percentile
from coalition.models import Membership
from coalition.rules.disclosure import DOMINATED, TOO_FEW
from tests.appeals.analytics.builders import MONDAY, answered_round, recovered
from tests.appeals.builders import make_round
from tests.factories import MembershipFactory, SignatureFactory, SubmissionFactory

pytestmark = pytest.mark.django_db


def analytics(grievance):
    return grievance_analytics(grievance, Appeal.objects.filter(grievance=grievance))


def test_funnel_counts_each_stage_members_reached(grievance):
    appeal = make_round(grievance, Appeal.State.SUBMITTED)
    verified = [MembershipFactory(grievance=grievance, state="verified") for _ in range(4)]
    MembershipFactory(grievance=grievance, state="joined")
    MembershipFactory(grievance=grievance, state="withdrawn")
    for m in verified[:3]:
        SignatureFactory(appeal=appeal, membership=m)
    withdrawn = SignatureFactory(appeal=appeal, membership=verified[3])
    withdrawn.withdrawn_at = MONDAY
    withdrawn.save()
    SubmissionFactory(appeal=appeal, membership=verified[0], outcome="denied")
    SubmissionFactory(appeal=appeal, membership=verified[1])  # pending: filed, not reported

    funnel = analytics(grievance).funnel

    # The organiser (verified) and five members are active; the withdrawn one is not counted.
    assert {k: v.exact for k, v in funnel.items()} == {
        "joined": 6,
        "verified": 5,
        "signed": 3,
        "filed": 2,
        "reported": 1,
    }


def test_funnel_joined_is_public_and_later_stages_follow_the_rule(grievance):
    appeal = make_round(grievance, Appeal.State.SUBMITTED)
    members = [MembershipFactory(grievance=grievance, state="verified") for _ in range(5)]
    for m in members:
        SignatureFactory(appeal=appeal, membership=m)
    for m in members[:4]:
        SubmissionFactory(appeal=appeal, membership=m)

    funnel = analytics(grievance).funnel

    assert funnel["joined"].cell is None  # the member count: anyone may read it
    assert funnel["signed"].cell.released and funnel["signed"].cell.value == 5
    assert not funnel["filed"].cell.released
    assert funnel["filed"].cell.suppressed_because == TOO_FEW


def test_unverified_members_do_not_make_up_a_released_count(grievance):
    appeal = make_round(grievance, Appeal.State.SUBMITTED)
    for state in ["verified"] * 4 + ["joined"] * 3:
        SubmissionFactory(
            appeal=appeal, membership=MembershipFactory(grievance=grievance, state=state)
        )

    filed = analytics(grievance).funnel["filed"]

    assert filed.exact == 7
    assert not filed.cell.released


@pytest.mark.parametrize(("contributors", "released"), [(4, False), (5, True), (6, True)])
def test_recovered_per_round_is_released_from_five_contributors(grievance, contributors, released):
    appeal = answered_round(grievance, submitted=MONDAY, days=3)
    recovered(appeal, ["1000"] * contributors)

    figures = analytics(grievance).rounds[0]

    cell = figures.recovered["USD"]
    assert cell.released is released
    assert figures.recovered_exact["USD"] == Decimal(1000 * contributors)
    if released:
        assert cell.value == Decimal(1000 * contributors)
    else:
        assert cell.value is None and cell.suppressed_because == TOO_FEW


@pytest.mark.parametrize(("contributors", "released"), [(4, False), (5, True), (6, True)])
def test_own_appeal_outcomes_per_round_are_released_from_five_contributors(
    grievance, contributors, released
):
    appeal = answered_round(grievance, submitted=MONDAY, days=3)
    recovered(appeal, ["10"] * contributors, outcome="reinstated")

    counted = analytics(grievance).rounds[0].outcomes["reinstated"]

    assert counted.exact == contributors
    assert counted.cell.released is released


def test_one_dominant_seller_hides_the_recovered_amount(grievance):
    appeal = answered_round(grievance, submitted=MONDAY, days=3)
    recovered(appeal, ["50000", "40000", "4000", "3000", "2000"])

    cell = analytics(grievance).rounds[0].recovered["USD"]

    assert not cell.released
    assert cell.suppressed_because == DOMINATED


def test_each_currency_of_a_round_is_its_own_cell(grievance):
    appeal = answered_round(grievance, submitted=MONDAY, days=3)
    recovered(appeal, ["100"] * 5, currency="USD")
    recovered(appeal, ["100"], currency="EUR")

    cells = analytics(grievance).rounds[0].recovered

    assert cells["USD"].released
    assert not cells["EUR"].released


def test_business_days_to_each_answer_are_counted_on_the_platform_calendar(grievance):
    appeal = make_round(grievance, Appeal.State.RESPONDED, submitted_at=MONDAY)
    # An acknowledgement is no answer; the info request (Tuesday) and the decision (next
    # Tuesday, over a weekend) are.
    for days, kind in [(0, "acknowledged"), (1, "info_requested"), (8, "rejected")]:
        appeal.responses.create(
            received_at=MONDAY + timedelta(days=days), text="x", classification=kind
        )

    answers = analytics(grievance).rounds[0].answers

    assert [(a.classification, a.business_days) for a in answers] == [
        ("info_requested", 1),
        ("rejected", 6),
    ]


def test_median_and_90th_percentile_of_known_data():
    assert median([3, 1, 2]) == 2
    assert median([1, 2, 3, 4, 5, 6, 7, 8, 9, 10]) == 5.5
    assert percentile([1, 2, 3, 4, 5, 6, 7, 8, 9, 10], 90) == 9
    assert percentile([5], 90) == 5
    assert percentile(list(range(1, 21)), 90) == 18
    assert median([]) is None and percentile([], 90) is None


def test_withdrawn_members_are_outside_the_funnel(grievance):
    MembershipFactory(grievance=grievance, state=Membership.State.WITHDRAWN)

    assert analytics(grievance).funnel["joined"].exact == 1  # the organiser
