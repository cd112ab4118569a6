"""Grievances and their members (read-only inline); hiding goes through the action."""

from __future__ import annotations

from django.contrib import admin, messages
from django.utils.translation import gettext_lazy as _

from coalition.actions.grievances import (
    EDITABLE_GRIEVANCE_FIELDS,
    hide_grievance,
    update_grievance,
)
from coalition.errors import ActionRefused
from coalition.models import Grievance, Membership


class MembershipInline(admin.TabularInline):
    model = Membership
    extra = 0
    raw_id_fields = ("seller", "store")
    fields = (
        "seller",
        "role",
        "state",
        "store",
        "amount_withheld",
        "amount_fined",
        "currency",
        "consent_to_name",
    )
    readonly_fields = fields
    can_delete = False

    def has_add_permission(self, request, obj=None) -> bool:
        return False  # members join through the site, with their consent and case details


@admin.register(Grievance)
class GrievanceAdmin(admin.ModelAdmin):
    list_display = ("title", "platform", "category", "state", "visibility", "hidden", "created_at")
    list_filter = ("platform", "category", "state", "visibility", "hidden")
    search_fields = ("title", "summary")
    readonly_fields = (
        "created_by",
        "created_at",
        "updated_at",
        "merged_into",
        "state",
        "hidden",
        "hidden_reason",
    )
    inlines = [MembershipInline]
    actions = ["hide", "unhide"]

    @admin.action(description=_("Hide selected grievances (abuse)"))
    def hide(self, request, queryset):
        for g in queryset:
            hide_grievance(g, actor=request.user, reason=str(_("Hidden by staff from the admin")))
        self.message_user(request, _("Hidden."), messages.SUCCESS)

    @admin.action(description=_("Make selected grievances visible again"))
    def unhide(self, request, queryset):
        for g in queryset:
            hide_grievance(g, actor=request.user, reason="", hidden=False)

    def has_add_permission(self, request) -> bool:
        # Grievances are registered on the site (similar ones offered first, the creator its
        # first organiser) by coalition.actions.grievances.create_grievance; staff moderate them.
        return False

    def save_model(self, request, obj, form, change):
        fields = {
            k: form.cleaned_data[k] for k in form.changed_data if k in EDITABLE_GRIEVANCE_FIELDS
        }
        try:
            update_grievance(Grievance.objects.get(pk=obj.pk), actor=request.user, **fields)
        except ActionRefused as exc:
            self.message_user(request, exc.message, messages.ERROR)
