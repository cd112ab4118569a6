"""Staff view of the schedule (follow-ups): what is scheduled, what ran, what failed and why — and
a "retry" action for failures.

Rows are read-only here: states move only through appeals/dispatch, whose claims keep every job to
one run. The retry action calls it.
"""

from __future__ import annotations

from datetime import timedelta

from django.contrib import admin, messages
from django.db.models import QuerySet
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext

from appeals.actions import operations
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
    actions = ["retry", "run_now", "postpone_hour", "postpone_day", "cancel"]

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

    def _done(self, request, count: int, text: str) -> None:
        level = messages.SUCCESS if count else messages.WARNING
        self.message_user(request, text % {"n": count}, level)

    @admin.action(description=_("Run the selected follow-ups now (the dispatcher takes them)"))
    def run_now(self, request, queryset: QuerySet[FollowUp]) -> None:
        count = operations.run_follow_ups_now(_pks(queryset), actor=request.user)
        self._done(
            request, count, ngettext("%(n)s follow-up due now.", "%(n)s follow-ups due now.", count)
        )

    @admin.action(description=_("Reschedule the selected follow-ups one hour from now"))
    def postpone_hour(self, request, queryset: QuerySet[FollowUp]) -> None:
        self._reschedule(request, queryset, timedelta(hours=1))

    @admin.action(description=_("Reschedule the selected follow-ups one day from now"))
    def postpone_day(self, request, queryset: QuerySet[FollowUp]) -> None:
        self._reschedule(request, queryset, timedelta(days=1))

    def _reschedule(self, request, queryset: QuerySet[FollowUp], delay: timedelta) -> None:
        due = timezone.now() + delay
        count = operations.reschedule_follow_ups(_pks(queryset), due, actor=request.user)
        self._done(
            request,
            count,
            ngettext("%(n)s follow-up rescheduled.", "%(n)s follow-ups rescheduled.", count),
        )

    @admin.action(description=_("Cancel the selected scheduled follow-ups"))
    def cancel(self, request, queryset: QuerySet[FollowUp]) -> None:
        count = operations.cancel_follow_ups(_pks(queryset), actor=request.user)
        self._done(
            request,
            count,
            ngettext("%(n)s follow-up cancelled.", "%(n)s follow-ups cancelled.", count),
        )


def _pks(queryset: QuerySet) -> list[int]:
    return list(queryset.values_list("pk", flat=True))
