"""Infringement reports, coupon offers and health checks (staff handle abuse here).

Reviews go through the review pages (coalition/actions/reports.py), not the admin: the admin only
lets staff find and look at rows; decisions, coupons and evidence are made by the actions."""

from __future__ import annotations

from django.contrib import admin

from coalition.models import Coupon, CouponOffer, HealthCheck, InfringementReport, ReportScreenshot


class ScreenshotInline(admin.TabularInline):
    model = ReportScreenshot
    extra = 0
    fields = ("original_name", "content_type", "size", "sha256", "evidence")
    readonly_fields = fields
    can_delete = False


@admin.register(InfringementReport)
class InfringementReportAdmin(admin.ModelAdmin):
    list_display = (
        "listing_url",
        "platform",
        "grievance",
        "brand",
        "state",
        "from_watcher",
        "email_confirmed_at",
        "created_at",
    )
    list_filter = ("state", "from_watcher", "platform")
    search_fields = ("listing_url", "store_name", "watcher_email", "grievance__title", "brand")
    raw_id_fields = (
        "grievance",
        "brand_owner",
        "reporter_membership",
        "reporter_user",
        "reviewed_by",
        "duplicate_of",
    )
    readonly_fields = (
        "listing_key",
        "state",
        "reviewed_by",
        "reviewed_at",
        "email_confirmed_at",
        "coupon_emailed_at",
        "duplicate_of",
        "created_at",
    )
    exclude = ("confirm_token", "status_token")
    inlines = [ScreenshotInline]


class CouponInline(admin.TabularInline):
    model = Coupon
    extra = 0
    fields = ("code", "issued_to_report", "issued_at")
    readonly_fields = fields
    can_delete = False


@admin.register(CouponOffer)
class CouponOfferAdmin(admin.ModelAdmin):
    list_display = ("discount", "store", "membership", "quantity", "expires_on", "withdrawn_at")
    list_filter = ("expires_on",)
    raw_id_fields = ("membership", "store")
    inlines = [CouponInline]


@admin.register(HealthCheck)
class HealthCheckAdmin(admin.ModelAdmin):
    list_display = ("store", "period_start", "period_end", "orders", "source", "created_at")
    list_filter = ("source",)
    raw_id_fields = ("store",)
