"""Appeals fixtures: rounds in the common states, a recorder for the follow-up hooks, and private
storage in a fresh folder (submitting an email round keeps its packet there)."""

from __future__ import annotations

import pytest

from appeals import schedule
from appeals.models import Appeal
from coalition.models import Membership
from tests.appeals.builders import make_round
from tests.conftest import use_private_storage
from tests.factories import MembershipFactory

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


@pytest.fixture(autouse=True)
def private_storage(settings, tmp_path):
    """Evidence and kept packets go to a folder of this test's own."""
    return use_private_storage(settings, tmp_path)


@pytest.fixture
def hook_calls(monkeypatch) -> list[tuple[str, tuple]]:
    """Replace the follow-up hooks with recorders: [(hook name, args), ...] in call order."""
    calls: list[tuple[str, tuple]] = []
    for name in HOOKS:
        monkeypatch.setattr(schedule, name, lambda *args, _name=name: calls.append((_name, args)))
    return calls


@pytest.fixture
def membership(grievance, member):
    """The member, verified by the organisers: only verified members' signatures count."""
    return MembershipFactory(grievance=grievance, seller=member, state=Membership.State.VERIFIED)


@pytest.fixture
def draft(grievance) -> Appeal:
    return make_round(grievance, Appeal.State.DRAFT)


@pytest.fixture
def signing(grievance) -> Appeal:
    return make_round(grievance, Appeal.State.SIGNING)


@pytest.fixture
def submitted(grievance) -> Appeal:
    return make_round(grievance, Appeal.State.SUBMITTED)
