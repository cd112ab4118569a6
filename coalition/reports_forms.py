"""Forms for infringement reports, coupon offers and store health checks. Validation only:
saving goes through coalition/reports.py and coalition/health.py."""

from __future__ import annotations

from typing import Any

from django import forms
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from coalition import health, reports
from coalition.errors import ActionRefused
from coalition.models import Grievance, InfringementReport, Membership, Platform, Seller, Store
from coalition.queries import own_stores, seller_of


def _date_input() -> forms.DateInput:
    return forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")


class MultipleFileInput(forms.ClearableFileInput):
    allow_multiple_selected = True


class MultipleFileField(forms.FileField):
    """Several files in one input; cleans to a list."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        kwargs.setdefault("widget", MultipleFileInput())
        super().__init__(*args, **kwargs)

    def clean(self, data: Any, initial: Any = None) -> list:
        files = [f for f in (data if isinstance(data, list | tuple) else [data]) if f]
        if not files:
            if self.required:
                raise forms.ValidationError(self.error_messages["required"], code="required")
            return []
        return [super(MultipleFileField, self).clean(f, initial) for f in files]


# --- reports -------------------------------------------------------------------------------


class ReportForm(forms.Form):
    """The public report form. A watcher reports against a counterfeit grievance, or, when they
    came through a member's brand link, against that member's brand."""

    grievance = forms.ModelChoiceField(
        label=_("Which coalition is this for?"),
        queryset=Grievance.objects.none(),
        required=False,
        empty_label=_("Choose a grievance"),
    )
    platform = forms.ModelChoiceField(
        label=_("Platform"),
        queryset=Platform.objects.all(),
        required=False,
        empty_label=_("Choose the platform"),
    )
    listing_url = forms.URLField(
        label=_("Link to the listing"),
        max_length=1000,
        assume_scheme="https",
        help_text=_("Copy it from your browser's address bar or the app's “Share” button."),
        widget=forms.URLInput(attrs={"placeholder": "https://", "autocomplete": "off"}),
    )
    store_name = forms.CharField(
        label=_("Name of the store selling it"), max_length=200, required=False
    )
    store_url = forms.URLField(
        label=_("Link to that store"),
        max_length=1000,
        required=False,
        assume_scheme="https",
        widget=forms.URLInput(attrs={"placeholder": "https://"}),
    )
    infringes = forms.ChoiceField(
        label=_("What does it copy?"),
        choices=InfringementReport.Infringes.choices,
        widget=forms.RadioSelect,
    )
    details = forms.CharField(
        label=_("Anything else we should know"),
        required=False,
        max_length=3000,
        widget=forms.Textarea(attrs={"rows": 4}),
        help_text=_("For example: which product it copies, or how you can tell it is fake."),
    )
    screenshots = MultipleFileField(
        label=_("Screenshots"),
        help_text=_(
            "PNG, JPEG or WebP pictures of the listing, up to 5, 10 MB each. Show the price, the photos and "
            "the store's name."
        ),
        widget=MultipleFileInput(attrs={"accept": "image/png,image/jpeg,image/webp"}),
    )
    watcher_email = forms.EmailField(
        label=_("Your email address"),
        required=False,
        help_text=_(
            "We send you a link to confirm the report, and your coupon if it is confirmed. We never show "
            "your address to the sellers."
        ),
    )

    def __init__(
        self, *args: Any, user: Any, brand: tuple[Seller, str] | None = None, **kwargs: Any
    ) -> None:
        super().__init__(*args, **kwargs)
        self.user, self.brand = user, brand
        if brand is not None:
            del self.fields["grievance"]
            self.fields["platform"].required = True
        else:
            del self.fields["platform"]
            self.fields["grievance"].queryset = reports.reportable_grievances(user)
            self.fields["grievance"].required = True
            self.fields["grievance"].label_from_instance = lambda g: (
                f"{g.title} ({g.platform.name})"
            )
        if getattr(user, "is_authenticated", False):
            del self.fields["watcher_email"]
        else:
            self.fields["watcher_email"].required = True

    def clean_screenshots(self) -> list:
        files = self.cleaned_data["screenshots"]
        try:
            reports.check_screenshots(files)
        except ActionRefused as exc:
            raise forms.ValidationError(str(exc.message)) from exc
        return files

    def report_fields(self) -> dict[str, Any]:
        data = self.cleaned_data
        fields = {
            k: data.get(k, "") or ""
            for k in (
                "listing_url",
                "store_name",
                "store_url",
                "infringes",
                "details",
                "watcher_email",
            )
        }
        fields["screenshots"] = data["screenshots"]
        if self.brand is not None:
            fields.update(brand_owner=self.brand[0], brand=self.brand[1], platform=data["platform"])
        else:
            fields["grievance"] = data["grievance"]
        return fields


class ReviewForm(forms.Form):
    reason = forms.CharField(
        label=_("Reason"),
        required=False,
        max_length=2000,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=_("Needed to reject. The watcher sees it on their status page."),
    )


class ReviewFilterForm(forms.Form):
    state = forms.ChoiceField(
        label=_("State"),
        required=False,
        choices=[("", _("Any state")), *InfringementReport.State.choices],
    )
    grievance = forms.IntegerField(required=False, widget=forms.HiddenInput)


# --- coupons -------------------------------------------------------------------------------


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
    expires_on = forms.DateField(label=_("Expires on"), widget=_date_input())
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
        max_value=reports.MAX_COUPONS_PER_OFFER,
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
        data["codes"] = reports.clean_codes(data.get("codes") or "")
        if not data["codes"] and not data.get("quantity"):
            self.add_error("quantity", _("Say how many coupons you offer, or paste your codes."))
        return data


class BrandLinkForm(forms.Form):
    brand = forms.CharField(
        label=_("Your brand"),
        max_length=120,
        help_text=_("We make a link buyers can use to report copies of it to you."),
    )


# --- health checks -------------------------------------------------------------------------


class _StoreAndPeriod(forms.Form):
    store = forms.ModelChoiceField(
        label=_("Store"), queryset=Store.objects.none(), empty_label=None
    )
    period_start = forms.DateField(label=_("From"), widget=_date_input())
    period_end = forms.DateField(label=_("To"), widget=_date_input())

    def __init__(self, *args: Any, user: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["store"].queryset = own_stores(user).order_by("platform__name", "name")
        self.fields["store"].label_from_instance = lambda s: f"{s.name} ({s.platform.name})"

    def clean(self) -> dict[str, Any]:
        data = super().clean()
        start, end = data.get("period_start"), data.get("period_end")
        if start and end and end < start:
            self.add_error("period_end", _("The period must end on or after the day it starts."))
        return data


def _count(label: Any, help_text: Any = "", required: bool = False) -> forms.IntegerField:
    return forms.IntegerField(
        label=label, min_value=0, max_value=health.MAX_COUNT, required=required, help_text=help_text
    )


class HealthCheckForm(_StoreAndPeriod):
    orders = _count(_("Orders received"), required=True)
    unfulfillable_refunds = _count(
        _("Orders refunded because you could not fulfil them"),
        _("Out of stock, could not ship, and the like. Leave empty if you do not know."),
    )
    fulfilled_orders = _count(
        _("Orders fulfilled"), _("Shipped or delivered. Leave empty if you do not know.")
    )
    chargebacks = _count(_("Chargebacks"), _("Leave empty if you do not know."))
    late_shipments = _count(_("Late shipments"), _("Leave empty if you do not know."))

    def clean(self) -> dict[str, Any]:
        data = super().clean()
        if data.get("orders") is not None:
            for name, message in health.figure_errors(self.figures()).items():
                self.add_error(name, message)
        return data

    def figures(self) -> health.Figures:
        d = self.cleaned_data
        return health.Figures(orders=d["orders"], **{f: d.get(f) for f in health.PART_FIELDS})


class HealthImportForm(_StoreAndPeriod):
    file = forms.FileField(
        label=_("Order export (CSV)"),
        help_text=_("The CSV file of orders your platform lets you download, UTF-8 or GB18030."),
        widget=forms.ClearableFileInput(attrs={"accept": ".csv,text/csv"}),
    )
    order_id = forms.CharField(
        label=_("Column with the order ID"), max_length=100, initial="Order ID"
    )
    status = forms.CharField(
        label=_("Column with the order status"),
        max_length=100,
        required=False,
        widget=forms.TextInput(attrs={"placeholder": _("e.g. Status")}),
    )
    fulfilled_values = forms.CharField(
        label=_("Statuses that mean fulfilled"),
        max_length=300,
        required=False,
        initial=health.DEFAULT_FULFILLED_VALUES,
        help_text=_("Separated by commas; upper or lower case does not matter."),
    )
    refund = forms.CharField(
        label=_("Column that shows a refund because you could not fulfil the order"),
        max_length=100,
        required=False,
        widget=forms.TextInput(attrs={"placeholder": _("e.g. Refund reason")}),
        help_text=_("A yes/no column, or the refund reason."),
    )
    refund_words = forms.CharField(
        label=_("Refund reasons that mean you could not fulfil it"),
        max_length=300,
        required=False,
        initial=health.DEFAULT_REFUND_WORDS,
        help_text=_("Separated by commas; a reason containing one of them counts."),
    )
    chargeback = forms.CharField(
        label=_("Column that flags a chargeback"),
        max_length=100,
        required=False,
        widget=forms.TextInput(attrs={"placeholder": _("e.g. Chargeback")}),
    )
    late = forms.CharField(
        label=_("Column that flags a late shipment"),
        max_length=100,
        required=False,
        widget=forms.TextInput(attrs={"placeholder": _("e.g. Shipped late")}),
    )

    MAPPING_FIELDS = (
        "order_id",
        "status",
        "fulfilled_values",
        "refund",
        "refund_words",
        "chargeback",
        "late",
    )

    def clean(self) -> dict[str, Any]:
        data = super().clean()
        if data.get("order_id") and not any(
            data.get(k) for k in ("status", "refund", "chargeback", "late")
        ):
            self.add_error(
                "status", _("Name at least one column besides the order ID, e.g. the order status.")
            )
        return data

    def mapping(self) -> health.ColumnMapping:
        d = self.cleaned_data
        return health.ColumnMapping(
            order_id=d["order_id"],
            status=d.get("status", ""),
            refund=d.get("refund", ""),
            chargeback=d.get("chargeback", ""),
            late=d.get("late", ""),
            fulfilled_values=health.split_values(
                d.get("fulfilled_values") or health.DEFAULT_FULFILLED_VALUES
            ),
            refund_words=health.split_values(d.get("refund_words") or ""),
        )

    def saved_mapping(self) -> dict[str, str]:
        return {k: self.cleaned_data.get(k) or "" for k in self.MAPPING_FIELDS}
