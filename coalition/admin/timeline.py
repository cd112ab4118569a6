"""The timeline: append-only, so staff can read it but not change it."""

from __future__ import annotations

from django.contrib import admin

from coalition.models import AuditEvent


@admin.register(AuditEvent)
class AuditEventAdmin(admin.ModelAdmin):
    list_display = ("created_at", "grievance", "actor", "verb", "subject")
    list_filter = ("verb",)
    search_fields = ("verb", "subject")
    raw_id_fields = ("grievance", "actor")

    def has_change_permission(self, request, obj=None):
        return False  # append-only

    def has_delete_permission(self, request, obj=None):
        return False
