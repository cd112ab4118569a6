"""The inbound reader: takes new messages from the mailbox (appeals/inbound/sources.py), one at a
time, each once.

For every message: record it (appeals/actions/inbound.py `take_message`, its own transaction),
and only after that commit take it out of the mailbox (`done`). A crash before the commit leaves
the message where it was, so the next run reads it again; a crash between the commit and `done`
leaves it there too, and the next run finds it taken (same UID, bytes or Message-ID) and only
moves it. One message that cannot be recorded (a database error, a bug) is logged and left in
the mailbox; the others go on. The reader never answers anything.
"""

from __future__ import annotations

import logging
import time
from dataclasses import dataclass, field

from appeals.actions import inbound
from appeals.inbound.sources import Source, StaleUid, source_from_settings

logger = logging.getLogger(__name__)

BATCH = 50
BUDGET_SECONDS = 45  # the beat runs it every minute; the next run takes what is left


@dataclass
class ReadReport:
    taken: int = 0  # new messages recorded
    again: int = 0  # listed again but taken before: only moved out of the way now
    failed: int = 0  # left in the mailbox for the next run
    outcomes: dict[str, int] = field(default_factory=dict)

    def __str__(self) -> str:
        parts = [f"taken: {self.taken}", f"again: {self.again}", f"failed: {self.failed}"]
        return ", ".join(parts + [f"{k}: {v}" for k, v in sorted(self.outcomes.items())])


def read_inbound(
    source: Source | None = None, *, limit: int = BATCH, budget: float = BUDGET_SECONDS
) -> ReadReport:
    """Read up to `limit` messages, for at most about `budget` seconds. Call it outside any
    transaction: each message commits before it leaves the mailbox."""
    report = ReadReport()
    started = time.monotonic()
    with source or source_from_settings() as mailbox:
        for incoming in mailbox.messages(limit=limit):
            _read_one(mailbox, incoming, report)
            if time.monotonic() - started > budget:
                break
    return report


def _read_one(mailbox: Source, incoming, report: ReadReport) -> None:
    try:
        message, created = inbound.take_message(incoming)
    except Exception:
        logger.exception("inbound message %s of %s not recorded", incoming.uid, mailbox.name)
        report.failed += 1
        return
    if created:
        report.taken += 1
        report.outcomes[message.outcome] = report.outcomes.get(message.outcome, 0) + 1
    else:
        report.again += 1
    try:
        mailbox.done(incoming.uid)
    except StaleUid:
        logger.warning("mailbox %s was rebuilt; %s is moved next time", mailbox.name, incoming.uid)
    except Exception:  # recorded already: the next run finds it taken and only moves it
        logger.exception("inbound message %s recorded but not moved", incoming.uid)
