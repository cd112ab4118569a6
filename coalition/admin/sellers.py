"""Platforms, sellers and stores."""

from __future__ import annotations

from django import forms
from django.contrib import admin
from django.utils.translation import gettext_lazy as _

from coalition.models import Platform, Seller, Store
from coalition.rules.jurisdictions import REGIME_CHOICES


class PlatformAdminForm(forms.ModelForm):
    """Legal regimes as checkboxes, not a JSON text box."""

    legal_regimes = forms.MultipleChoiceField(
        label=_("legal regimes"),
        choices=REGIME_CHOICES,
        required=False,
        widget=forms.CheckboxSelectMultiple,
        help_text=_("Letters and the escalation ladder cite only these laws for this platform."),
    )

    class Meta:
        model = Platform
        fields = "__all__"  # noqa: DJ007  (the admin shows every field of a platform profile)


@admin.register(Platform)
class PlatformAdmin(admin.ModelAdmin):
    form = PlatformAdminForm
    list_display = (
        "name",
        "holiday_country",
        "time_zone",
        "response_business_days",
        "chase_business_days",
        "round_cap",
        "appeal_window_days",
        "legal_regimes",
    )
    prepopulated_fields = {"slug": ("name",)}
    search_fields = ("name",)


@admin.register(Seller)
class SellerAdmin(admin.ModelAdmin):
    list_display = (
        "display_name",
        "user",
        "language",
        "time_zone",
        "email_notifications",
        "country_of_establishment",
    )
    search_fields = ("display_name", "user__email")
    raw_id_fields = ("user",)


@admin.register(Store)
class StoreAdmin(admin.ModelAdmin):
    list_display = ("name", "platform", "seller", "state")
    list_filter = ("platform", "state")
    search_fields = ("name", "platform_store_id", "seller__display_name")
    raw_id_fields = ("seller",)
