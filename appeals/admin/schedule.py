"""Staff view of the schedule (follow-ups): what is scheduled, what ran, what failed and why — and
a "retry" action for failures.

Rows are read-only here: states move only through appeals/dispatch, whose claims keep every job to
one run. The retry action calls it.
"""

from __future__ import annotations

from django.contrib import admin, messages
from django.db.models import QuerySet
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext

from appeals.admin.read_only import ReadOnlyRows
from appeals.dispatch import service as dispatch
from appeals.models import FollowUp


@admin.register(FollowUp)
class FollowUpAdmin(ReadOnlyRows):
    list_display = (
        "kind",
        "key",
        "appeal",
        "due_at",
        "state",
        "attempts",
        "finished_at",
        "short_error",
    )
    list_filter = ("state", "kind")
    search_fields = ("key",)
    date_hierarchy = "due_at"
    ordering = ("-due_at",)
    list_select_related = ("appeal__grievance",)
    actions = ["retry"]

    @admin.display(description=_("last error"))
    def short_error(self, obj: FollowUp) -> str:
        return obj.last_error[:80]

    @admin.action(description=_("Run the selected failed or cancelled follow-ups again, now"))
    def retry(self, request, queryset: QuerySet[FollowUp]) -> None:
        count = dispatch.retry(list(queryset.values_list("pk", flat=True)))
        self.message_user(
            request,
            ngettext(
                "%(n)s follow-up scheduled to run now.",
                "%(n)s follow-ups scheduled to run now.",
                count,
            )
            % {"n": count},
            messages.SUCCESS if count else messages.WARNING,
        )
