from django.contrib import admin, messages
from django.utils.translation import gettext_lazy as _

from coalition import actions
from coalition.errors import ActionRefused
from coalition.models import AuditEvent, Grievance, Membership, Platform, Seller, Store


@admin.register(Platform)
class PlatformAdmin(admin.ModelAdmin):
    list_display = (
        "name",
        "holiday_country",
        "time_zone",
        "response_business_days",
        "chase_business_days",
        "round_cap",
        "appeal_window_days",
    )
    prepopulated_fields = {"slug": ("name",)}
    search_fields = ("name",)


@admin.register(Seller)
class SellerAdmin(admin.ModelAdmin):
    list_display = ("display_name", "user", "language", "time_zone", "email_notifications")
    search_fields = ("display_name", "user__email")
    raw_id_fields = ("user",)


@admin.register(Store)
class StoreAdmin(admin.ModelAdmin):
    list_display = ("name", "platform", "seller", "state")
    list_filter = ("platform", "state")
    search_fields = ("name", "platform_store_id", "seller__display_name")
    raw_id_fields = ("seller",)


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
            actions.hide_grievance(
                g, actor=request.user, reason=str(_("Hidden by staff from the admin"))
            )
        self.message_user(request, _("Hidden."), messages.SUCCESS)

    @admin.action(description=_("Make selected grievances visible again"))
    def unhide(self, request, queryset):
        for g in queryset:
            actions.hide_grievance(g, actor=request.user, reason="", hidden=False)

    def save_model(self, request, obj, form, change):
        if not change:
            return super().save_model(request, obj, form, change)
        fields = {
            k: form.cleaned_data[k]
            for k in form.changed_data
            if k in actions.EDITABLE_GRIEVANCE_FIELDS
        }
        try:
            actions.update_grievance(Grievance.objects.get(pk=obj.pk), actor=request.user, **fields)
        except ActionRefused as exc:
            self.message_user(request, exc.message, messages.ERROR)


@admin.register(AuditEvent)
class AuditEventAdmin(admin.ModelAdmin):
    list_display = ("created_at", "grievance", "actor", "verb", "subject")
    list_filter = ("verb",)
    search_fields = ("verb", "subject")
    raw_id_fields = ("grievance", "actor")

    def has_change_permission(self, request, obj=None):
        return False  # append-only

    def has_delete_permission(self, request, obj=None):
        return False


from coalition import reports_admin  # noqa: E402,F401  (infringement reports, coupons, health checks)
