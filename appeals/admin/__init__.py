"""Staff views: rounds and what hangs on them (`rounds`), the schedule (`schedule`) and the outbox
(`outbox`). Importing the modules registers their ModelAdmins."""

from appeals.admin import outbox, rounds, schedule

__all__ = ["outbox", "rounds", "schedule"]
