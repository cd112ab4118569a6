"""Platforms, sellers and stores."""

from __future__ import annotations

from django.contrib import admin

from coalition.models import Platform, Seller, Store


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
