"""A grievance's counters, kept by the membership actions instead of counted on every read."""

from __future__ import annotations

from django.db import models

from coalition.models.grievances import Grievance

# Concurrent joins add to different rows (a random one of TALLY_SHARDS per change), so they never
# wait on one hot counter row; a read sums the few rows of its grievance.
TALLY_SHARDS = 8


class GrievanceTally(models.Model):
    """A share of a grievance's counts of active members: all, verified, naming a store.

    Written only by coalition/actions/tallies.py (an upsert that adds), summed by
    coalition/queries/tallies.py, recounted by `manage.py reconcile`."""

    grievance = models.ForeignKey(Grievance, on_delete=models.CASCADE, related_name="tallies")
    shard = models.PositiveSmallIntegerField()
    members = models.IntegerField(default=0)
    verified = models.IntegerField(default=0)
    stores = models.IntegerField(default=0)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["grievance", "shard"], name="tally_one_per_shard")
        ]

    def __str__(self) -> str:
        return f"tally {self.shard} of grievance {self.grievance_id}"
