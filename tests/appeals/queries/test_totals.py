"""Members' own appeals added up per round and per grievance (appeals.queries.totals)."""

from __future__ import annotations

from decimal import Decimal

import pytest

from appeals.models import Appeal
from appeals.queries.totals import grievance_totals, round_totals
from coalition.models import Membership
from tests.appeals.builders import make_round
from tests.factories import SubmissionFactory

S = Appeal.State
pytestmark = pytest.mark.django_db


def test_totals_per_round_and_per_grievance(grievance):
    first, second = make_round(grievance, S.RESPONDED), make_round(grievance, S.SUBMITTED)
    SubmissionFactory(
        appeal=first, outcome="funds_released", amount_recovered=Decimal("100"), currency="USD"
    )
    SubmissionFactory(
        appeal=first, outcome="partial", amount_recovered=Decimal("50.5"), currency="USD"
    )
    SubmissionFactory(appeal=first, outcome="denied")
    SubmissionFactory(
        appeal=second, outcome="reinstated", amount_recovered=Decimal("700"), currency="CNY"
    )
    SubmissionFactory(appeal=second)
    one = round_totals(first, exact=True)
    assert one.filed == 3 and [(c.currency, c.value) for c in one.recovered] == [
        ("USD", Decimal("150.50"))
    ]
    assert one.outcomes == {"funds_released": 1, "partial": 1, "denied": 1}
    both = grievance_totals(grievance, exact=True)
    assert both.filed == 5 and both.pending == 1
    assert [(c.currency, c.value) for c in both.recovered] == [
        ("CNY", Decimal("700")),
        ("USD", Decimal("150.50")),
    ]
    assert [v for v, _label, _n in both.outcome_rows] == [
        "pending",
        "reinstated",
        "funds_released",
        "partial",
        "denied",
    ]


def verified_submission(appeal, amount, currency="USD", **extra):
    submission = SubmissionFactory(
        appeal=appeal,
        outcome="funds_released",
        amount_recovered=Decimal(amount),
        currency=currency,
        **extra,
    )
    Membership.objects.filter(pk=submission.membership_id).update(state=Membership.State.VERIFIED)
    return submission


@pytest.mark.parametrize(
    ("count", "released", "value"), [(4, False, None), (5, True, Decimal("5600"))]
)
def test_recovered_amounts_reach_non_organisers_only_through_the_disclosure_rule(
    grievance, count, released, value
):
    appeal = make_round(grievance, S.RESPONDED)
    for _ in range(count):
        verified_submission(appeal, "1111.11")
    [usd] = round_totals(appeal, exact=False).recovered
    assert (usd.released, usd.value) == (released, value)
    [exact] = round_totals(appeal, exact=True).recovered
    assert exact.value == Decimal("1111.11") * count


def test_recovered_amounts_of_one_dominant_or_second_currency_member_stay_hidden(grievance):
    appeal = make_round(grievance, S.RESPONDED)
    for amount in ("90000", "1000", "1000", "1000", "1000"):
        verified_submission(appeal, amount)
    verified_submission(appeal, "321.00", currency="EUR")
    zero = SubmissionFactory(appeal=appeal, outcome="denied")  # nothing recovered
    assert zero.amount_recovered == 0
    cells = {c.currency: c for c in grievance_totals(grievance, exact=False).recovered}
    assert cells["USD"].released is False and cells["USD"].suppressed_because == "dominated"
    assert cells["EUR"].released is False and cells["EUR"].value is None
