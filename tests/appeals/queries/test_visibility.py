"""Who may see which round (appeals.queries.rounds): members, former members, outsiders."""

from __future__ import annotations

import pytest
from django.contrib.auth.models import AnonymousUser
from django.http import Http404
from django.utils import timezone

from appeals.models import Appeal
from appeals.queries.rounds import reachable_round, rounds_for
from coalition.models import Membership
from tests.appeals.builders import make_round
from tests.factories import SellerFactory, SignatureFactory, UserFactory

S = Appeal.State
pytestmark = pytest.mark.django_db


def test_members_see_withdrawn_rounds_only_if_signing_had_opened(member, grievance, membership):
    make_round(grievance, S.WITHDRAWN, signing_opened_at=None)
    seen = make_round(grievance, S.WITHDRAWN)
    assert list(rounds_for(member.user, grievance)) == [seen]


def test_former_members_are_outsiders_again(member, grievance, membership):
    signing = make_round(grievance, S.SIGNING)
    Membership.objects.filter(pk=membership.pk).update(state=Membership.State.WITHDRAWN)
    with pytest.raises(Http404):
        reachable_round(member.user, signing.pk)


def test_reachable_round_is_404_for_garbage_ids():
    with pytest.raises(Http404):
        reachable_round(AnonymousUser(), "abc")


def test_rounds_for_counts_only_counted_signatures(grievance, membership):
    appeal = make_round(grievance, S.SIGNING)
    SignatureFactory(appeal=appeal, membership=membership)
    SignatureFactory(appeal=appeal, withdrawn_at=timezone.now())
    SignatureFactory(appeal=appeal, membership__seller__user=UserFactory(verified=False))
    SignatureFactory(appeal=appeal, membership__state=Membership.State.WITHDRAWN)
    assert rounds_for(AnonymousUser(), grievance).count() == 0  # not sent yet
    staff = SellerFactory(user=UserFactory(is_staff=True)).user
    assert rounds_for(staff, grievance).get().signature_count == 1
