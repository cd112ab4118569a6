"""Run due follow-ups now, in this process (what the beat task does every minute)."""

from __future__ import annotations

from django.core.management.base import BaseCommand
from django.utils.dateparse import parse_datetime

from appeals.dispatch import service as dispatch


class Command(BaseCommand):
    help = "Claim and run the follow-ups that are due (reminders, automatic submissions, chases)."

    def add_arguments(self, parser) -> None:
        parser.add_argument("--limit", type=int, default=None, help="run at most this many")
        parser.add_argument(
            "--now", default="", help="treat this ISO time as now (e.g. to rehearse a schedule)"
        )

    def handle(self, *args, limit: int | None = None, now: str = "", **options) -> None:
        when = parse_datetime(now) if now else None
        if now and when is None:
            self.stderr.write(f"--now: not an ISO date-time: {now!r}")
            return
        ran = dispatch.dispatch_due(when, limit=limit)
        self.stdout.write(f"{ran} follow-up(s) run")
