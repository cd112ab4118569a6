"""Staff view of the schedule (follow-ups) and the outbox (notifications): what is scheduled,
what went out, what failed and why — and a "retry" action for failures.

Rows are read-only here: states move only through appeals/dispatch.py and appeals/outbox.py, whose
claims keep every job and email to one run. The retry actions call those modules.
"""

from __future__ import annotations

from django.contrib import admin, messages
from django.db.models import QuerySet
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext

from appeals import dispatch, outbox
from appeals.models import FollowUp, Notification


class _ReadOnly(admin.ModelAdmin):
    # The outbox grows by a row per email: never count a large table on each page.
    show_full_result_count = False
    list_per_page = 50

    def has_add_permission(self, request, obj=None) -> bool:
        return False

    def has_change_permission(self, request, obj=None) -> bool:
        return False

    def has_delete_permission(self, request, obj=None) -> bool:
        return False

    def get_readonly_fields(self, request, obj=None):
        return [f.name for f in self.model._meta.fields]


@admin.register(FollowUp)
class FollowUpAdmin(_ReadOnly):
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


@admin.register(Notification)
class NotificationAdmin(_ReadOnly):
    list_display = (
        "kind",
        "to_email",
        "subject",
        "state",
        "attempts",
        "send_after",
        "sent_at",
        "short_error",
    )
    list_filter = ("state", "kind")
    search_fields = ("to_email", "dedupe_key", "message_id", "subject")
    date_hierarchy = "created_at"
    actions = ["retry"]
    fieldsets = (
        (None, {"fields": ("kind", "state", "to_email", "cc", "recipient", "grievance", "appeal")}),
        (
            _("Delivery"),
            {
                "fields": (
                    "send_after",
                    "attempts",
                    "claimed_at",
                    "sent_at",
                    "message_id",
                    "last_error",
                )
            },
        ),
        (
            _("Message"),
            {
                "fields": (
                    "subject",
                    "body_text",
                    "body_html",
                    "headers",
                    "dedupe_key",
                    "created_at",
                )
            },
        ),
    )
    raw_id_fields = ("recipient", "grievance", "appeal")

    @admin.display(description=_("last error"))
    def short_error(self, obj: Notification) -> str:
        return obj.last_error[:80]

    @admin.action(description=_("Send the selected failed emails again"))
    def retry(self, request, queryset: QuerySet[Notification]) -> None:
        count = outbox.retry(list(queryset.values_list("pk", flat=True)))
        self.message_user(
            request,
            ngettext("%(n)s email queued again.", "%(n)s emails queued again.", count)
            % {"n": count},
            messages.SUCCESS if count else messages.WARNING,
        )
