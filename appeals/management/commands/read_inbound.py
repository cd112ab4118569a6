"""Read the platform replies waiting in the inbound mailbox now (what the beat task does every
minute): INBOUND_IMAP_URL, or var/inbox/ without it."""

from __future__ import annotations

from django.core.management.base import BaseCommand

from appeals.inbound import reader


class Command(BaseCommand):
    help = (
        "Take new messages from the inbound mailbox (INBOUND_IMAP_URL, else var/inbox/), match "
        "them to their rounds and move them to the processed folder. Safe to run at any time, "
        "also beside the beat: nothing is taken twice."
    )

    def add_arguments(self, parser) -> None:
        parser.add_argument("--limit", type=int, default=reader.BATCH, help="messages per run")
        parser.add_argument(
            "--all", action="store_true", help="keep reading until the mailbox is empty"
        )

    def handle(self, *args, limit: int, all: bool = False, **options) -> None:
        while True:
            report = reader.read_inbound(limit=limit, budget=float("inf"))
            self.stdout.write(str(report))
            if not all or report.taken + report.again == 0:
                return
