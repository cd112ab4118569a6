"""Staff view of the outbox (notifications): what went out, what failed and why — and a "retry"
action for failures.

Rows are read-only here: states move only through appeals/outbox, whose claims keep every email
to one send. The retry action calls it.
"""

from __future__ import annotations

from django.contrib import admin, messages
from django.db.models import QuerySet
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext

from appeals.admin.read_only import ReadOnlyRows
from appeals.models import Notification
from appeals.outbox import service as outbox


@admin.register(Notification)
class NotificationAdmin(ReadOnlyRows):
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
