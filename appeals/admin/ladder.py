"""Staff view of the escalation ladder: the steps grievances took, read-only (organisers climb
through appeals/actions/ladder.py, which writes the timeline and tells the members)."""

from __future__ import annotations

from django.contrib import admin

from appeals.models import Climb


@admin.register(Climb)
class ClimbAdmin(admin.ModelAdmin):
    list_display = ("grievance", "rung", "regime", "state", "started_at", "decision_due")
    list_filter = ("rung", "regime", "state")
    search_fields = ("grievance__title", "reference")
    raw_id_fields = ("grievance", "started_by")

    def has_add_permission(self, request) -> bool:
        return False

    def has_change_permission(self, request, obj=None) -> bool:
        return False
