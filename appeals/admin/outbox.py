"""Staff view of the outbox (notifications): what went out, what failed and why — rows by state
with their last error, which failures are "delivery unknown" and the reason — and a "retry"
action for failures, which asks for confirmation before it re-sends a row that may have arrived
(docs/outbox.md "What operators see").

Rows are read-only here: states move only through appeals/outbox, whose claims keep every email
to one send. The retry and suppress actions go through appeals/actions/operations.py, which
calls it and records who did what.
"""

from __future__ import annotations

from django.contrib import admin, messages
from django.contrib.admin import helpers
from django.db.models import Q, QuerySet
from django.template.response import TemplateResponse
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext

from appeals.actions import operations
from appeals.admin.read_only import ReadOnlyRows
from appeals.models import Notification

N = Notification.State
UNKNOWN = Q(state=N.FAILED, sent_at__isnull=False)


class DeliveryFilter(admin.SimpleListFilter):
    title = _("delivery")
    parameter_name = "delivery"

    def lookups(self, request, model_admin):
        return (
            ("unknown", _("Delivery unknown (may have arrived)")),
            ("refused", _("Failed, not delivered")),
            ("in_flight", _("Being sent now")),
        )

    def queryset(self, request, queryset):
        if self.value() == "unknown":
            return queryset.filter(UNKNOWN)
        if self.value() == "refused":
            return queryset.filter(state=N.FAILED, sent_at__isnull=True)
        if self.value() == "in_flight":
            return queryset.filter(state=N.SENDING)
        return queryset


@admin.register(Notification)
class NotificationAdmin(ReadOnlyRows):
    list_display = (
        "kind",
        "to_email",
        "subject",
        "state",
        "delivery",
        "attempts",
        "send_after",
        "sent_at",
        "short_error",
    )
    list_filter = ("state", DeliveryFilter, "kind")
    search_fields = ("to_email", "dedupe_key", "message_id", "subject")
    date_hierarchy = "created_at"
    actions = ["retry", "suppress"]
    fieldsets = (
        (None, {"fields": ("kind", "state", "to_email", "cc", "recipient", "grievance", "appeal")}),
        (
            _("Delivery"),
            {
                "fields": (
                    "delivery",
                    "send_after",
                    "attempts",
                    "claimed_at",
                    "lease_until",
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

    def get_readonly_fields(self, request, obj=None):
        return [*super().get_readonly_fields(request, obj), "delivery"]

    @admin.display(description=_("delivery"))
    def delivery(self, obj: Notification) -> str:
        if obj.delivery_unknown:
            return _("Unknown: handed to the SMTP server without an answer; it may have arrived.")
        if obj.state == N.FAILED:
            return _("Not delivered.")
        if obj.state == N.SENDING:
            return _("Being sent.")
        return ""

    @admin.display(description=_("last error"))
    def short_error(self, obj: Notification) -> str:
        return obj.last_error[:120]

    @admin.action(description=_("Send the selected failed emails again"))
    def retry(self, request, queryset: QuerySet[Notification]):
        doubtful = list(queryset.filter(UNKNOWN).order_by("pk")[:100])
        if doubtful and request.POST.get("confirm") != "yes":
            return TemplateResponse(
                request,
                "admin/appeals/notification/retry_confirmation.html",
                {
                    **self.admin_site.each_context(request),
                    "title": _("Send emails that may have arrived again?"),
                    "opts": self.model._meta,
                    "doubtful": doubtful,
                    "doubtful_count": queryset.filter(UNKNOWN).count(),
                    "selected": queryset.values_list("pk", flat=True),
                    "action_checkbox_name": helpers.ACTION_CHECKBOX_NAME,
                },
            )
        count = operations.retry_notifications(_pks(queryset), actor=request.user)
        self.message_user(
            request,
            ngettext("%(n)s email queued again.", "%(n)s emails queued again.", count)
            % {"n": count},
            messages.SUCCESS if count else messages.WARNING,
        )
        return None

    @admin.action(description=_("Suppress the selected emails still waiting to be sent"))
    def suppress(self, request, queryset: QuerySet[Notification]) -> None:
        count = operations.suppress_notifications(_pks(queryset), actor=request.user)
        self.message_user(
            request,
            ngettext("%(n)s email suppressed.", "%(n)s emails suppressed.", count) % {"n": count},
            messages.SUCCESS if count else messages.WARNING,
        )


def _pks(queryset: QuerySet) -> list[int]:
    return list(queryset.values_list("pk", flat=True))
