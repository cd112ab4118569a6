"""Staff view of rounds, signatures, member submissions and platform responses.

Read-only on purpose: a round's state, clock and signatures change only through appeals/actions
(the state machine and the follow-ups hang on them), so staff act through the site or the API,
where the actions run. The only admin action, "withdraw", calls the action too.
(Follow-ups and the outbox have their own admin beside this one: schedule.py and outbox.py.)
"""

from __future__ import annotations

from django.contrib import admin, messages
from django.utils.translation import gettext_lazy as _

from appeals.actions import drafting
from appeals.admin.read_only import ReadOnlyAdmin
from appeals.models import Appeal, PlatformResponse, Signature, Submission
from coalition.errors import ActionRefused


class SignatureInline(admin.TabularInline):
    model = Signature
    fields = ("membership", "signed_at", "withdrawn_at", "consent_to_name")
    readonly_fields = fields
    extra = 0
    can_delete = False
    show_change_link = False

    def has_add_permission(self, request, obj=None) -> bool:
        return False


class ResponseInline(admin.StackedInline):
    model = PlatformResponse
    fields = ("received_at", "channel", "classification", "text", "recorded_by")
    readonly_fields = fields
    extra = 0
    can_delete = False

    def has_add_permission(self, request, obj=None) -> bool:
        return False


@admin.register(Appeal)
class AppealAdmin(ReadOnlyAdmin):
    list_display = (
        "grievance",
        "number",
        "state",
        "outcome",
        "channel",
        "submitted_at",
        "response_due_at",
    )
    list_filter = ("state", "outcome", "channel", "grievance__platform")
    search_fields = ("grievance__title", "subject", "case_reference")
    list_select_related = ("grievance",)
    date_hierarchy = "created_at"
    readonly_fields = [f.name for f in Appeal._meta.fields]
    inlines = [ResponseInline, SignatureInline]
    actions = ["withdraw_rounds"]

    @admin.action(description=_("Withdraw the selected rounds (drafts, signing, ready only)"))
    def withdraw_rounds(self, request, queryset) -> None:
        done = 0
        for appeal in queryset:
            try:
                drafting.withdraw_round(
                    appeal, actor=request.user, reason=str(_("withdrawn by staff"))
                )
                done += 1
            except ActionRefused as refused:
                self.message_user(request, f"{appeal}: {refused.message}", messages.WARNING)
        if done:
            self.message_user(
                request, _("%(n)s round(s) withdrawn.") % {"n": done}, messages.SUCCESS
            )


@admin.register(Signature)
class SignatureAdmin(ReadOnlyAdmin):
    list_display = ("appeal", "membership", "signed_at", "withdrawn_at", "consent_to_name")
    list_filter = ("withdrawn_at", "consent_to_name")
    search_fields = ("membership__seller__display_name", "appeal__grievance__title")
    list_select_related = ("appeal__grievance", "membership__seller", "membership__grievance")


@admin.register(Submission)
class SubmissionAdmin(ReadOnlyAdmin):
    list_display = (
        "appeal",
        "membership",
        "submitted_on",
        "ticket_reference",
        "outcome",
        "amount_recovered",
        "currency",
    )
    list_filter = ("outcome", "currency")
    search_fields = (
        "ticket_reference",
        "membership__seller__display_name",
        "appeal__grievance__title",
    )
    list_select_related = ("appeal__grievance", "membership__seller", "membership__grievance")


@admin.register(PlatformResponse)
class PlatformResponseAdmin(ReadOnlyAdmin):
    list_display = ("appeal", "received_at", "channel", "classification")
    list_filter = ("classification", "channel")
    search_fields = ("text", "appeal__grievance__title")
    list_select_related = ("appeal__grievance",)
