"""Offering coupons, and making a brand's report link."""

from __future__ import annotations

from typing import Any

from django import forms
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from coalition.forms.fields import date_input
from coalition.models import Membership, Store
from coalition.queries.sellers import own_stores, seller_of
from coalition.rules.coupons import MAX_COUPONS_PER_OFFER, clean_codes


class CouponOfferForm(forms.Form):
    membership = forms.ModelChoiceField(
        label=_("Reward reports for"),
        queryset=Membership.objects.none(),
        empty_label=None,
        help_text=_("Watchers whose report to this grievance is confirmed get one of your codes."),
    )
    store = forms.ModelChoiceField(
        label=_("Store the coupon is for"), queryset=Store.objects.none(), empty_label=None
    )
    discount = forms.CharField(
        label=_("What the coupon gives"),
        max_length=200,
        widget=forms.TextInput(attrs={"placeholder": _("e.g. 10% off any order over $20")}),
    )
    expires_on = forms.DateField(label=_("Expires on"), widget=date_input())
    codes = forms.CharField(
        label=_("Your coupon codes"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 4}),
        help_text=_(
            "One per line, as created in your store. Leave empty to have codes made for you; then create "
            "the same codes in your store."
        ),
    )
    quantity = forms.IntegerField(
        label=_("Number of coupons"),
        required=False,
        min_value=1,
        max_value=MAX_COUPONS_PER_OFFER,
        help_text=_("Only when you leave the codes empty."),
    )

    def __init__(self, *args: Any, user: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        seller = seller_of(user)
        memberships = (
            Membership.objects.active().filter(seller=seller).select_related("grievance__platform")
        )
        self.fields["membership"].queryset = memberships.order_by("grievance__title")
        self.fields["membership"].label_from_instance = lambda m: (
            f"{m.grievance.title} ({m.grievance.platform.name})"
        )
        self.fields["store"].queryset = own_stores(user).order_by("name")
        self.fields["store"].label_from_instance = lambda s: f"{s.name} ({s.platform.name})"
        self.fields["expires_on"].widget.attrs["min"] = timezone.localdate().isoformat()

    def clean(self) -> dict[str, Any]:
        data = super().clean()
        data["codes"] = clean_codes(data.get("codes") or "")
        if not data["codes"] and not data.get("quantity"):
            self.add_error("quantity", _("Say how many coupons you offer, or paste your codes."))
        return data


class BrandLinkForm(forms.Form):
    brand = forms.CharField(
        label=_("Your brand"),
        max_length=120,
        help_text=_("We make a link buyers can use to report copies of it to you."),
    )
