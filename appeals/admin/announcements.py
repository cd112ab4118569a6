"""Organisers' announcements, for staff to read (they are written through
appeals.actions.announcements only)."""

from __future__ import annotations

from django.contrib import admin

from appeals.admin.read_only import ReadOnlyAdmin
from appeals.models import Announcement


@admin.register(Announcement)
class AnnouncementAdmin(ReadOnlyAdmin):
    list_display = ("subject", "grievance", "audience", "recipients", "created_by", "created_at")
    list_filter = ("audience",)
    search_fields = ("subject", "grievance__title")
    list_select_related = ("grievance", "created_by")
    readonly_fields = (
        "grievance",
        "appeal",
        "audience",
        "subject",
        "text",
        "recipients",
        "created_by",
        "created_at",
    )
