"""Members' own appeals added up per round and per grievance (appeals.queries.totals)."""

from __future__ import annotations

from decimal import Decimal

import pytest

from appeals.models import Appeal
from appeals.queries.totals import grievance_totals, round_totals
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
    one = round_totals(first)
    assert one.filed == 3 and one.recovered == {"USD": Decimal("150.50")}
    assert one.outcomes == {"funds_released": 1, "partial": 1, "denied": 1}
    both = grievance_totals(grievance)
    assert both.filed == 5 and both.pending == 1
    assert both.recovered == {"CNY": Decimal("700"), "USD": Decimal("150.50")}
    assert [v for v, _label, _n in both.outcome_rows] == [
        "pending",
        "reinstated",
        "funds_released",
        "partial",
        "denied",
    ]
