"""The public report form and the reviewers' forms."""

from __future__ import annotations

from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from coalition.errors import ActionRefused
from coalition.forms.fields import MultipleFileField, MultipleFileInput
from coalition.models import Grievance, InfringementReport, Platform, Seller
from coalition.queries.reports import reportable_grievances
from coalition.rules.sniffing import check_screenshots


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
            self.fields["grievance"].queryset = reportable_grievances(user)
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
            check_screenshots(files)
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
