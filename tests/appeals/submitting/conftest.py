"""Submitting fixtures: a ready email round with a named signer and a file in its packet."""

from __future__ import annotations

import pytest

from appeals.actions.signing import sign
from tests.appeals.builders import open_round
from tests.factories import MembershipFactory
from tests.files import bring


@pytest.fixture
def emailed_round(grievance, organiser):
    """A ready email round with a named signer and one file chosen for its packet."""
    signer = MembershipFactory(grievance=grievance, consent_to_name=True)
    appeal = open_round(grievance, organiser, channel="email")
    sign(appeal, actor=signer.seller.user, consent_to_name=True)
    appeal.packet_evidence.add(bring(signer, name="notice.pdf"))
    return appeal
