"""Keeping a grievance's counters and released figures as its memberships change.

The membership actions call these inside their own transaction: `count_change` adds a
membership's move to one of the grievance's counter rows (an upsert that adds, on a random shard,
so concurrent joins do not queue on one row); `refresh_released` stores what the disclosure rule
releases (coalition.queries.memberships.aggregates) when a verified member's figures moved —
joins and leaves of members nobody verified yet cannot change it. `reconcile_grievance` recounts
from the memberships (`manage.py reconcile`)."""

from __future__ import annotations

import random

from django.db import connection, transaction
from django.db.models import Count, Q

from coalition.models import TALLY_SHARDS, Grievance, GrievanceTally, Membership
from coalition.queries.memberships import aggregates
from coalition.queries.tallies import figures_to_store, kept_counts, recounted

Counts = tuple[int, int, int]  # active, verified, active with a store
NONE: Counts = (0, 0, 0)


def counts_of(membership: Membership | None) -> Counts:
    if membership is None or not membership.is_active:
        return NONE
    return (
        1,
        int(membership.state == Membership.State.VERIFIED),
        int(membership.store_id is not None),
    )


def count_change(grievance_id: int, before: Counts, after: Counts) -> None:
    members, verified, stores = (a - b for a, b in zip(after, before, strict=True))
    add_to_tally(grievance_id, members=members, verified=verified, stores=stores)


def add_to_tally(grievance_id: int, *, members: int = 0, verified: int = 0, stores: int = 0):
    if not (members or verified or stores):
        return
    table = connection.ops.quote_name(GrievanceTally._meta.db_table)
    # The same upsert on PostgreSQL and SQLite (3.24+): one statement, no read first.
    with connection.cursor() as cursor:
        cursor.execute(
            f"INSERT INTO {table} (grievance_id, shard, members, verified, stores) "
            "VALUES (%s, %s, %s, %s, %s) ON CONFLICT (grievance_id, shard) DO UPDATE SET "
            f"members = {table}.members + excluded.members, "
            f"verified = {table}.verified + excluded.verified, "
            f"stores = {table}.stores + excluded.stores",
            [grievance_id, random.randrange(TALLY_SHARDS), members, verified, stores],
        )


def refresh_released(grievance: Grievance) -> None:
    """Store the released figures afresh. The grievance row is locked first, so two members'
    changes committing at once cannot each store figures that miss the other's."""
    list(Grievance.objects.select_for_update().filter(pk=grievance.pk).values_list("pk"))
    stored = figures_to_store(aggregates(grievance, organiser=False))
    Grievance.objects.filter(pk=grievance.pk).update(released_figures=stored)
    grievance.released_figures = stored


def touches_released(before: Counts, after: Counts) -> bool:
    """Only verified members' figures count in what the disclosure rule releases."""
    return bool(before[1] or after[1])


@transaction.atomic
def reconcile_grievance(grievance: Grievance) -> bool:
    """Recount the counters and the released figures from the memberships; True if either was
    off (and is now put right)."""
    off = recount_tally(grievance)
    before = grievance.released_figures
    refresh_released(grievance)
    return off or before != grievance.released_figures


def recount_tally(grievance: Grievance | int) -> bool:
    """Put the counters right from the memberships; True if they were off."""
    fresh = recounted(grievance)
    if kept_counts(grievance) == fresh:
        return False
    GrievanceTally.objects.filter(grievance=grievance).delete()
    GrievanceTally.objects.create(
        grievance_id=getattr(grievance, "pk", grievance), shard=0, **fresh
    )
    return True


@transaction.atomic
def recount_all_tallies() -> None:
    """Every grievance's counters from its memberships in two statements: for bulk loads (the
    benchmarks), with nothing else writing. `manage.py reconcile` goes grievance by grievance."""
    rows = (
        Membership.objects.active()
        .order_by()
        .values("grievance_id")
        .annotate(
            members=Count("id"),
            verified=Count("id", filter=Q(state=Membership.State.VERIFIED)),
            stores=Count("id", filter=Q(store__isnull=False)),
        )
    )
    GrievanceTally.objects.all().delete()
    GrievanceTally.objects.bulk_create(
        [GrievanceTally(shard=0, **row) for row in rows.iterator()], batch_size=5000
    )
