"""The counters and released figures kept on a grievance agree with a recount."""

from __future__ import annotations

from decimal import Decimal

import pytest
from django.core.management import CommandError, call_command

from coalition.actions.grievances import create_grievance, merge_grievances
from coalition.actions.memberships import (
    join_grievance,
    leave_grievance,
    update_case,
    verify_member,
    verify_members,
)
from coalition.models import Grievance, GrievanceTally, Membership
from coalition.queries.memberships import aggregates
from coalition.queries.tallies import (
    figures_to_store,
    kept_counts,
    public_aggregates,
    recounted,
)
from tests.factories import SellerFactory, StoreFactory

pytestmark = pytest.mark.django_db


def agrees(grievance: Grievance) -> bool:
    grievance.refresh_from_db()
    return kept_counts(grievance) == recounted(grievance) and grievance.released_figures == (
        figures_to_store(aggregates(grievance, organiser=False))
    )


@pytest.fixture
def coalition(platform, organiser):
    """A grievance made and grown through the actions only: 6 verified members with amounts."""
    g = create_grievance(
        actor=organiser.user, platform=platform, category="funds_withheld", title="Held payouts",
        summary="Payouts held.", demands="Release them.",
    )  # fmt: skip
    for i in range(6):
        seller = SellerFactory()
        store = StoreFactory(seller=seller, platform=platform)
        m = join_grievance(
            g, actor=seller.user, store=store, amount_withheld=Decimal(100 + i), currency="USD"
        )
        verify_member(m, actor=organiser.user)
    return g


def test_the_kept_counts_and_figures_follow_every_membership_action(coalition, organiser, platform):
    assert kept_counts(coalition) == {"members": 7, "verified": 7, "stores": 6}
    assert agrees(coalition)
    newcomers = [SellerFactory() for _ in range(3)]
    joined = [join_grievance(coalition, actor=s.user) for s in newcomers]
    join_grievance(coalition, actor=newcomers[0].user)  # joining twice changes nothing
    verify_members(coalition, [joined[0].pk, joined[1].pk], actor=organiser.user)
    update_case(joined[0], actor=newcomers[0].user, amount_withheld=Decimal("5000"))
    leave_grievance(coalition, actor=newcomers[2].user)
    leave_grievance(coalition, actor=newcomers[1].user)  # a verified member leaving
    join_grievance(coalition, actor=newcomers[2].user)  # and coming back
    assert kept_counts(coalition) == {"members": 9, "verified": 8, "stores": 6}
    assert agrees(coalition)


def test_a_merge_recounts_both_grievances(coalition, organiser, platform):
    duplicate = create_grievance(
        actor=organiser.user, platform=platform, category="funds_withheld", title="Held again",
        summary="Same.", demands="Same.",
    )  # fmt: skip
    join_grievance(duplicate, actor=SellerFactory().user)
    merge_grievances(duplicate, into=coalition, actor=organiser.user)
    assert agrees(coalition) and agrees(duplicate)
    assert kept_counts(coalition)["members"] == 8


def test_the_public_figures_read_from_the_grievance_equal_the_disclosure_rule(coalition):
    coalition.refresh_from_db()
    kept, live = public_aggregates(coalition), aggregates(coalition, organiser=False)
    assert kept == live
    assert kept.currencies[0].withheld.released  # six verified contributors: released


def test_reconcile_puts_counters_written_behind_the_actions_back_right(coalition, capsys):
    GrievanceTally.objects.filter(grievance=coalition).update(members=0)
    Membership.objects.filter(grievance=coalition, role="member").update(amount_withheld=0)
    with pytest.raises(CommandError):
        call_command("reconcile", "--check")
    call_command("reconcile")
    assert "1 put right" in capsys.readouterr().out
    assert agrees(coalition)
    call_command("reconcile", "--check")  # now it agrees
