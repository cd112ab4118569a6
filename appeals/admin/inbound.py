"""Staff view of inbound mail: every message the reader took, and the queue of those it could not
match ("Not matched: waiting for staff"), with an "attach to round" action.

Rows are read-only: what a message is and where it belongs change only through
appeals/actions/inbound.py, which keeps its custody log.
"""

from __future__ import annotations

from django import forms
from django.contrib import admin, messages
from django.contrib.admin import helpers
from django.db.models import QuerySet
from django.template.response import TemplateResponse
from django.urls import reverse
from django.utils.html import format_html
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext

from appeals.actions import inbound
from appeals.admin.read_only import ReadOnlyRows
from appeals.models import Appeal, InboundAttachment, InboundMessage
from coalition.errors import ActionRefused


class AttachmentInline(admin.TabularInline):
    model = InboundAttachment
    extra = 0
    can_delete = False
    fields = readonly_fields = ("filename", "content_type", "size", "sha256", "note")

    def has_add_permission(self, request, obj=None) -> bool:
        return False

    def has_change_permission(self, request, obj=None) -> bool:
        return False


class AttachForm(forms.Form):
    appeal = forms.ModelChoiceField(
        label=_("Round"),
        queryset=Appeal.objects.exclude(state=Appeal.State.DRAFT).select_related("grievance"),
        help_text=_("The round whose reply this is. Its organisers are told and classify it."),
    )


@admin.register(InboundMessage)
class InboundMessageAdmin(ReadOnlyRows):
    list_display = ("received_at", "from_address", "subject", "outcome", "matched_by", "appeal")
    list_filter = ("outcome", "matched_by")
    search_fields = ("from_address", "subject", "message_id", "sha256")
    date_hierarchy = "received_at"
    inlines = [AttachmentInline]
    actions = ["attach"]
    exclude = ("raw",)

    def get_readonly_fields(self, request, obj=None):
        # The raw file is private storage with no URL: it is downloaded through "original".
        fields = [f for f in super().get_readonly_fields(request, obj) if f != "raw"]
        return [*fields, "original"]

    @admin.display(description=_("original message"))
    def original(self, obj: InboundMessage) -> str:
        return format_html(
            '<a href="{}">{}</a>', reverse("appeals:inbound_raw", args=[obj.pk]), _("Download")
        )

    @admin.action(description=_("Attach the selected unmatched messages to a round"))
    def attach(self, request, queryset: QuerySet[InboundMessage]):
        waiting = queryset.filter(appeal__isnull=True)
        form = AttachForm(request.POST if "apply" in request.POST else None)
        if not form.is_valid():
            return TemplateResponse(
                request,
                "admin/appeals/inboundmessage/attach.html",
                {
                    **self.admin_site.each_context(request),
                    "title": _("Attach to a round"),
                    "opts": self.model._meta,
                    "form": form,
                    "waiting": waiting[:100],
                    "selected": queryset.values_list("pk", flat=True),
                    "action_checkbox_name": helpers.ACTION_CHECKBOX_NAME,
                },
            )
        attached = 0
        for message in waiting[:100]:
            try:
                inbound.attach_to_round(message, form.cleaned_data["appeal"], actor=request.user)
            except ActionRefused as exc:
                self.message_user(request, exc.message, messages.WARNING)
            else:
                attached += 1
        self.message_user(
            request,
            ngettext("%(n)s message attached.", "%(n)s messages attached.", attached)
            % {"n": attached},
            messages.SUCCESS if attached else messages.WARNING,
        )
        return None
