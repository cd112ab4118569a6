"""Read-only bases of the appeals admin: rounds change only through appeals/actions, follow-ups and
outbox rows only through their claims (appeals/dispatch, appeals/outbox)."""

from __future__ import annotations

from django.contrib import admin


class ReadOnlyAdmin(admin.ModelAdmin):
    def has_add_permission(self, request, obj=None) -> bool:
        return False

    def has_change_permission(self, request, obj=None) -> bool:
        return False

    def has_delete_permission(self, request, obj=None) -> bool:
        return False


class ReadOnlyRows(ReadOnlyAdmin):
    """Large tables of rows that move on their own (the schedule, the outbox)."""

    # The outbox grows by a row per email: never count a large table on each page.
    show_full_result_count = False
    list_per_page = 50

    def get_readonly_fields(self, request, obj=None):
        return [f.name for f in self.model._meta.fields]
