"""Recount every grievance's kept counters and released figures from its memberships.

    manage.py reconcile            # put right what is off, say how many were
    manage.py reconcile --check    # only say; exit 1 if any is off

The membership actions keep them in the same transaction as their change; this is for rows
written behind their back (bulk loads, the admin, a restore) and as a check.
"""

from __future__ import annotations

from django.core.management.base import BaseCommand, CommandError
from django.db import transaction

from coalition.actions.tallies import reconcile_grievance
from coalition.models import Grievance
from coalition.queries.memberships import aggregates
from coalition.queries.tallies import figures_to_store, kept_counts, recounted


class Command(BaseCommand):
    help = "Recount grievances' member, verified and store counters and their released figures."

    def add_arguments(self, parser):
        parser.add_argument(
            "--check", action="store_true", help="Report only; exit 1 if any is off."
        )

    def handle(self, *args, check: bool = False, **options):
        off, total = 0, 0
        for grievance in Grievance.objects.order_by("pk").iterator(chunk_size=500):
            total += 1
            if check:
                stored = figures_to_store(aggregates(grievance, organiser=False))
                wrong = kept_counts(grievance) != recounted(grievance) or (
                    grievance.released_figures != stored
                )
            else:
                with transaction.atomic():
                    wrong = reconcile_grievance(grievance)
            if wrong:
                off += 1
                self.stdout.write(f"grievance {grievance.pk}: off")
        verb = "off" if check else "put right"
        self.stdout.write(f"{total} grievances checked, {off} {verb}.")
        if check and off:
            raise CommandError(f"{off} grievances have counters that disagree with a recount.")
