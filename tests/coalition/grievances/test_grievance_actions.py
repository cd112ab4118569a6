from __future__ import annotations

from decimal import Decimal

import pytest

from coalition.actions.grievances import create_grievance, merge_grievances
from coalition.errors import ActionRefused
from coalition.models import AuditEvent, Grievance, Membership
from coalition.queries.memberships import AGGREGATE_MIN_CONTRIBUTORS, aggregates
from tests.factories import (
    GrievanceFactory,
    MembershipFactory,
    OrganiserFactory,
    SellerFactory,
)

pytestmark = pytest.mark.django_db


def test_creating_a_grievance_makes_its_creator_the_verified_organiser(platform, organiser):
    g = create_grievance(
        actor=organiser.user,
        platform=platform,
        category="refund_dispute",
        title="Unjust refunds",
        summary="s",
        demands="d",
    )
    m = g.memberships.get()
    assert (m.seller, m.role, m.state) == (
        organiser,
        Membership.Role.ORGANISER,
        Membership.State.VERIFIED,
    )
    assert AuditEvent.objects.filter(grievance=g, verb="grievance.created").count() == 1


def test_merge_moves_members_and_both_timelines_record_it(platform, organiser):
    target = GrievanceFactory(platform=platform)
    dup = GrievanceFactory(platform=platform)
    OrganiserFactory(grievance=target, seller=organiser)
    OrganiserFactory(grievance=dup, seller=organiser)
    both = SellerFactory()
    MembershipFactory(grievance=target, seller=both)
    MembershipFactory(grievance=dup, seller=both)
    movers = [MembershipFactory(grievance=dup).seller for _ in range(3)]

    merge_grievances(dup, into=target, actor=organiser.user)

    dup.refresh_from_db()
    assert dup.state == Grievance.State.MERGED and dup.merged_into == target
    in_target = set(target.memberships.active().values_list("seller", flat=True))
    assert in_target == {organiser.pk, both.pk, *(s.pk for s in movers)}
    assert Membership.objects.filter(seller=both).count() == 2  # no duplicate membership created
    assert dup.events.filter(verb="grievance.merged_into").exists()
    assert target.events.get(verb="grievance.merged_from").data["moved"] == 3


def test_merge_needs_an_organiser_of_both(platform, organiser):
    target, dup = GrievanceFactory(platform=platform), GrievanceFactory(platform=platform)
    OrganiserFactory(grievance=dup, seller=organiser)
    with pytest.raises(ActionRefused):
        merge_grievances(dup, into=target, actor=organiser.user)


@pytest.mark.parametrize(
    "contributors, disclosed",
    [(AGGREGATE_MIN_CONTRIBUTORS - 1, False), (AGGREGATE_MIN_CONTRIBUTORS, True)],
)
def test_amounts_are_shown_to_members_only_from_five_verified_contributors(
    grievance, contributors, disclosed
):
    for _ in range(contributors):
        MembershipFactory(
            grievance=grievance,
            amount_withheld=Decimal("100.00"),
            currency="USD",
            state=Membership.State.VERIFIED,
        )
    MembershipFactory(grievance=grievance)  # joined without figures: not a contributor
    agg = aggregates(grievance, organiser=False)
    assert agg.disclosed is disclosed
    assert agg.member_count == contributors + 2
    [usd] = agg.currencies
    assert usd.withheld.released is disclosed
    assert usd.withheld.value == (Decimal(100) * contributors if disclosed else None)
    exact = aggregates(grievance, organiser=True)
    assert exact.currencies[0].withheld.value == Decimal("100.00") * contributors
