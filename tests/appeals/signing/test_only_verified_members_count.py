"""Only members the organisers verified count toward a round's goal: anyone can join, so
unverified joins must not make a letter or a goal look bigger than the coalition is."""

from __future__ import annotations

import pytest

from appeals.models import Appeal, Signature
from appeals.queries.rounds import rounds_for
from coalition.models import Membership
from tests.appeals.builders import make_round
from tests.factories import MembershipFactory, SignatureFactory

pytestmark = pytest.mark.django_db


def test_unverified_members_signatures_do_not_count_toward_the_goal(grievance, organiser):
    appeal = make_round(grievance, Appeal.State.SIGNING)
    for _ in range(3):
        SignatureFactory(
            appeal=appeal,
            membership=MembershipFactory(grievance=grievance, state=Membership.State.JOINED),
        )
    verified = SignatureFactory(appeal=appeal)  # the factory's member is verified
    assert list(Signature.objects.filter(appeal=appeal).counted()) == [verified]
    (row,) = rounds_for(organiser.user, grievance)
    assert row.signature_count == 1


def test_verifying_the_member_makes_their_signature_count(grievance):
    appeal = make_round(grievance, Appeal.State.SIGNING)
    joined = MembershipFactory(grievance=grievance, state=Membership.State.JOINED)
    SignatureFactory(appeal=appeal, membership=joined)
    assert Signature.objects.filter(appeal=appeal).counted().count() == 0
    Membership.objects.filter(pk=joined.pk).update(state=Membership.State.VERIFIED)
    assert Signature.objects.filter(appeal=appeal).counted().count() == 1
