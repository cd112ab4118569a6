"""Recover what a crash or an outage left behind (what the beat task does every minute)."""

from __future__ import annotations

from django.core.management.base import BaseCommand

from appeals.dispatch import service as dispatch
from appeals.outbox import service as outbox


class Command(BaseCommand):
    help = (
        "Re-queue outbox emails left pending, release emails a dead worker had claimed, and "
        "schedule again follow-ups whose dispatcher died."
    )

    def add_arguments(self, parser) -> None:
        parser.add_argument(
            "--send",
            action="store_true",
            help="also send due emails in this process, without a worker",
        )

    def handle(self, *args, send: bool = False, **options) -> None:
        found = outbox.sweep()
        found["follow_ups"] = dispatch.recover_stale()
        self.stdout.write(", ".join(f"{name}: {count}" for name, count in found.items()))
        if send:
            report = outbox.send_pending()
            self.stdout.write(
                f"sent: {report.sent}, failed: {report.failed}, deferred: {report.deferred}, "
                f"suppressed: {report.suppressed}"
            )
