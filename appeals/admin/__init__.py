"""Staff views: rounds and what hangs on them (`rounds`), the schedule (`schedule`), the outbox
(`outbox`) and inbound mail (`inbound`). Importing the modules registers their ModelAdmins."""

from appeals.admin import announcements, inbound, ladder, outbox, rounds, schedule

__all__ = ["announcements", "inbound", "ladder", "outbox", "rounds", "schedule"]
