from __future__ import annotations

import pytest

from coalition.actions.grievances import set_grievance_state
from coalition.actions.memberships import (
    join_grievance,
    leave_grievance,
    promote_member,
    step_down,
    verify_member,
)
from coalition.errors import ActionRefused
from coalition.models import Grievance, Membership
from tests.factories import (
    StoreFactory,
)

pytestmark = pytest.mark.django_db


def test_joining_twice_changes_nothing(grievance, member):
    first = join_grievance(grievance, actor=member.user, statement="first")
    second = join_grievance(grievance, actor=member.user, statement="second")
    assert first.pk == second.pk
    first.refresh_from_db()
    assert first.statement == "first"
    assert grievance.events.filter(verb="membership.joined").count() == 1


def test_leaving_and_rejoining_reactivates_the_same_membership(grievance, member):
    m = join_grievance(grievance, actor=member.user)
    leave_grievance(grievance, actor=member.user)
    m.refresh_from_db()
    assert m.state == Membership.State.WITHDRAWN
    again = join_grievance(grievance, actor=member.user)
    assert again.pk == m.pk and again.state == Membership.State.JOINED
    assert Membership.objects.filter(grievance=grievance, seller=member).count() == 1


def test_the_last_organiser_cannot_leave_without_handing_over(grievance, organiser, member):
    with pytest.raises(ActionRefused, match="last organiser"):
        leave_grievance(grievance, actor=organiser.user)
    m = join_grievance(grievance, actor=member.user)
    promote_member(m, actor=organiser.user)
    leave_grievance(grievance, actor=organiser.user)
    assert list(grievance.memberships.organisers().values_list("seller", flat=True)) == [member.pk]


def test_the_last_organiser_cannot_step_down(grievance, organiser):
    m = grievance.memberships.get(seller=organiser)
    with pytest.raises(ActionRefused):
        step_down(m, actor=organiser.user)


def test_a_member_cannot_verify_or_promote(grievance, member, outsider):
    join_grievance(grievance, actor=member.user)
    other = join_grievance(grievance, actor=outsider.user)
    with pytest.raises(ActionRefused):
        verify_member(other, actor=member.user)
    with pytest.raises(ActionRefused):
        promote_member(other, actor=member.user)


def test_joining_with_someone_elses_store_is_refused(grievance, member, outsider):
    theirs = StoreFactory(seller=outsider, platform=grievance.platform)
    with pytest.raises(ActionRefused) as err:
        join_grievance(grievance, actor=member.user, store=theirs)
    assert err.value.field == "store"


def test_joining_a_closed_grievance_is_refused(grievance, organiser, member):
    set_grievance_state(grievance, Grievance.State.CLOSED, actor=organiser.user)
    with pytest.raises(ActionRefused):
        join_grievance(grievance, actor=member.user)
