"""Forms for the coalition pages. Validation only: saving goes through coalition.actions.

These are plain forms, not ModelForms: a ModelForm copies the cleaned values onto its instance
while validating, and the actions decide what changed by comparing against that instance.
"""

from __future__ import annotations

import zoneinfo
from decimal import Decimal

from django import forms
from django.urls import reverse_lazy
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from coalition.categories import Category
from coalition.models import Grievance, Membership, Platform, Seller, Store

# Offered first in the time-zone list and as currency suggestions: where most sellers are.
COMMON_TIME_ZONES = (
    "Asia/Shanghai",
    "Asia/Hong_Kong",
    "Asia/Taipei",
    "Asia/Singapore",
    "America/Los_Angeles",
    "America/New_York",
    "Europe/London",
    "Europe/Berlin",
    "UTC",
)
COMMON_CURRENCIES = ("USD", "CNY", "EUR", "GBP", "HKD")


def amount_field(label) -> forms.DecimalField:
    """A non-negative money amount, as the models store it (14 digits, 2 decimals)."""
    return forms.DecimalField(
        label=label,
        required=False,
        min_value=Decimal("0"),
        max_digits=14,
        decimal_places=2,
        widget=forms.NumberInput(attrs={"step": "0.01", "min": "0", "inputmode": "decimal"}),
    )


def currency_field(*, required: bool = False, datalist: str = "", **kwargs) -> forms.CharField:
    """A three-letter currency code (the models validate the format)."""
    attrs = {"size": 4, "autocomplete": "off", "class": "input-currency"}
    if datalist:
        attrs["list"] = datalist
    return forms.CharField(
        label=_("Currency"),
        max_length=3,
        required=required,
        help_text=_("Three letters, e.g. USD, CNY, EUR."),
        widget=forms.TextInput(attrs=attrs),
        **kwargs,
    )


def _date_input() -> forms.DateInput:
    return forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")


class SignupExtraForm(forms.Form):
    """Extra fields on allauth's sign-up form; allauth calls signup() after creating the user."""

    display_name = forms.CharField(
        label=_("Display name"),
        max_length=80,
        help_text=_("Shown to other members of your grievances if you agree to be named."),
    )
    language = forms.ChoiceField(
        label=_("Language"), choices=Seller.Language.choices, initial=Seller.Language.EN
    )

    def signup(self, request, user) -> None:
        from coalition.actions import ensure_seller

        ensure_seller(
            user,
            display_name=self.cleaned_data["display_name"],
            language=self.cleaned_data["language"],
        )


# --- grievances ----------------------------------------------------------------------------


class GrievanceFilterForm(forms.Form):
    """The search and filter bar of the grievance list (GET)."""

    q = forms.CharField(
        label=_("Search"),
        required=False,
        max_length=200,
        widget=forms.TextInput(
            attrs={"type": "search", "placeholder": _("e.g. funds frozen, IP complaint")}
        ),
    )
    platform = forms.ModelChoiceField(
        label=_("Platform"),
        queryset=Platform.objects.all(),
        required=False,
        to_field_name="slug",
        empty_label=_("All platforms"),
    )
    category = forms.ChoiceField(
        label=_("What happened"),
        required=False,
        choices=[("", _("Anything")), *list(Category.choices)],
    )
    state = forms.ChoiceField(
        label=_("State"),
        required=False,
        choices=[
            ("", _("Any state")),
            (Grievance.State.OPEN, _("Open")),
            (Grievance.State.RESOLVED, _("Resolved")),
            (Grievance.State.CLOSED, _("Closed")),
        ],
    )


class GrievanceFieldsMixin(forms.Form):
    category = forms.ChoiceField(
        label=_("What happened"),
        choices=[("", _("Choose what the platform did")), *Category.choices],
    )
    title = forms.CharField(
        label=_("Title"),
        max_length=160,
        help_text=_(
            "One line other sellers will recognise, e.g. “Payouts frozen after the March policy change”."
        ),
        widget=forms.TextInput(
            attrs={
                "autocomplete": "off",
                "data-similar-url": reverse_lazy("coalition:similar"),
                "data-similar-target": "#similar-live",
            }
        ),
    )
    summary = forms.CharField(
        label=_("What happened, in a few sentences"),
        max_length=5000,
        widget=forms.Textarea(attrs={"rows": 5}),
    )
    demands = forms.CharField(
        label=_("What we ask the platform for"),
        max_length=5000,
        help_text=_(
            "e.g. release the withheld funds, reinstate the stores, give a statement of reasons."
        ),
        widget=forms.Textarea(attrs={"rows": 4}),
    )
    visibility = forms.ChoiceField(
        label=_("Who can find it"),
        choices=Grievance.Visibility.choices,
        initial=Grievance.Visibility.PUBLIC,
        widget=forms.RadioSelect,
    )
    infraction_date = forms.DateField(
        label=_("When did the platform act?"),
        required=False,
        widget=_date_input(),
        help_text=_(
            "The date of the suspension, the withheld payout or the notice. Appeal windows count from it."
        ),
    )

    def clean_infraction_date(self):
        value = self.cleaned_data.get("infraction_date")
        if value and value > timezone.localdate():
            raise forms.ValidationError(_("The date cannot be in the future."))
        return value


class GrievanceCreateForm(GrievanceFieldsMixin):
    platform = forms.ModelChoiceField(
        label=_("Platform"),
        queryset=Platform.objects.all(),
        empty_label=_("Choose the marketplace"),
    )
    # Ticked when the seller has seen the similar grievances and still wants a new one.
    confirm_new = forms.BooleanField(
        label=_("None of these is my case — create a new one"), required=False
    )

    field_order = [
        "platform",
        "category",
        "title",
        "summary",
        "demands",
        "visibility",
        "infraction_date",
    ]


class GrievanceEditForm(GrievanceFieldsMixin):
    rung = forms.ChoiceField(
        label=_("Escalation"),
        choices=Grievance.Rung.choices,
        help_text=_(
            "Where the coalition stands on the ladder from the platform's own appeal to outside bodies."
        ),
    )

    auto_rounds = forms.BooleanField(
        label=Grievance._meta.get_field("auto_rounds").verbose_name.capitalize(),
        help_text=Grievance._meta.get_field("auto_rounds").help_text,
        required=False,
    )

    field_order = [
        "category",
        "title",
        "summary",
        "demands",
        "rung",
        "visibility",
        "infraction_date",
        "auto_rounds",
    ]

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["title"].widget.attrs.pop("data-similar-url", None)


class MergeForm(forms.Form):
    into = forms.ModelChoiceField(
        label=_("Merge into"),
        queryset=Grievance.objects.none(),
        widget=forms.RadioSelect,
        empty_label=None,
    )
    confirm = forms.BooleanField(
        label=_(
            "I understand: the members move to the other grievance and this one closes for good."
        ),
    )

    def __init__(self, *args, candidates=None, **kwargs):
        super().__init__(*args, **kwargs)
        if candidates is not None:
            self.fields["into"].queryset = candidates
        self.fields["into"].label_from_instance = _candidate_label

    @property
    def has_candidates(self) -> bool:
        return self.fields["into"].queryset.exists()


def _candidate_label(grievance: Grievance) -> str:
    count = getattr(grievance, "member_count", None)
    if count is None:
        return grievance.title
    return _("%(title)s (%(count)s members)") % {"title": grievance.title, "count": count}


class HideForm(forms.Form):
    reason = forms.CharField(
        label=_("Reason (shown to its members)"), max_length=200, required=False
    )


# --- membership ----------------------------------------------------------------------------


class CaseForm(forms.Form):
    """A member's case: joining and "update my case" share it."""

    store = forms.ModelChoiceField(
        label=_("Affected store"),
        queryset=Store.objects.none(),
        required=False,
        empty_label=_("No store / not listed"),
        help_text=_("Only organisers see its store ID."),
    )
    incident_date = forms.DateField(
        label=_("When did it happen to you?"), required=False, widget=_date_input()
    )
    amount_withheld = amount_field(_("Amount withheld"))
    amount_fined = amount_field(_("Amount fined"))
    currency = currency_field(
        required=True, min_length=3, initial="USD", datalist="currency-options"
    )
    statement = forms.CharField(
        label=_("What happened to you"),
        max_length=3000,
        required=False,
        widget=forms.Textarea(attrs={"rows": 4}),
        help_text=_("A few sentences in your own words. Organisers use it in the appeal letter."),
    )
    consent_to_name = forms.BooleanField(
        label=_("I agree to be named to the platform"),
        required=False,
        help_text=_(
            "Your display name appears in the letter's list of signers and to other members. "
            "Your store ID and amounts are only ever shown to organisers."
        ),
    )

    def __init__(self, *args, stores=None, **kwargs):
        super().__init__(*args, **kwargs)
        if stores is not None:
            self.fields["store"].queryset = stores
        self.fields["store"].label_from_instance = lambda s: f"{s.name} ({s.platform_store_id})"

    def clean_currency(self) -> str:
        value = (self.cleaned_data.get("currency") or "").strip().upper()
        if not (len(value) == 3 and value.isascii() and value.isalpha()):
            raise forms.ValidationError(_("Use a three-letter currency code such as USD or CNY."))
        return value

    def case(self) -> dict:
        """The cleaned values as keyword arguments for join_grievance / update_case."""
        data = self.cleaned_data
        return {
            "store": data.get("store"),
            "incident_date": data.get("incident_date"),
            "amount_withheld": data.get("amount_withheld") or Decimal("0"),
            "amount_fined": data.get("amount_fined") or Decimal("0"),
            "currency": data["currency"],
            "statement": (data.get("statement") or "").strip(),
            "consent_to_name": bool(data.get("consent_to_name")),
        }

    @classmethod
    def initial_from(cls, membership: Membership) -> dict:
        return {
            "store": membership.store_id,
            "incident_date": membership.incident_date,
            "amount_withheld": membership.amount_withheld,
            "amount_fined": membership.amount_fined,
            "currency": membership.currency,
            "statement": membership.statement,
            "consent_to_name": membership.consent_to_name,
        }


# --- stores and profile --------------------------------------------------------------------


class StoreForm(forms.Form):
    platform = forms.ModelChoiceField(
        label=_("Platform"),
        queryset=Platform.objects.all(),
        empty_label=_("Choose the marketplace"),
    )
    name = forms.CharField(label=_("Store name"), max_length=120)
    platform_store_id = forms.CharField(
        label=_("Platform store ID"),
        max_length=120,
        help_text=_(
            "The ID the platform gives your store (merchant ID, seller ID). Only you and the organisers of grievances you join with this store see it."
        ),
    )
    state = forms.ChoiceField(
        label=_("State"), choices=Store.State.choices, initial=Store.State.ACTIVE
    )

    def clean_platform_store_id(self) -> str:
        return self.cleaned_data["platform_store_id"].strip()

    @classmethod
    def initial_from(cls, store: Store) -> dict:
        return {
            "platform": store.platform_id,
            "name": store.name,
            "platform_store_id": store.platform_store_id,
            "state": store.state,
        }


def time_zone_choices() -> list:
    """Common zones first, then every other zone the system knows, sorted."""
    common = [(z, z.replace("_", " ")) for z in COMMON_TIME_ZONES]
    rest = sorted(zoneinfo.available_timezones() - set(COMMON_TIME_ZONES))
    return [
        (_("Common"), common),
        (_("All time zones"), [(z, z.replace("_", " ")) for z in rest]),
    ]


class ProfileForm(forms.Form):
    display_name = forms.CharField(
        label=_("Display name"),
        max_length=80,
        help_text=_("Shown to other members of your grievances if you agree to be named."),
    )
    language = forms.ChoiceField(
        label=_("Language"),
        choices=Seller.Language.choices,
        help_text=_("Pages and emails are shown in this language."),
    )
    time_zone = forms.ChoiceField(
        label=_("Time zone"),
        choices=time_zone_choices,
        help_text=_(
            "Dates and deadlines are shown in this time zone; reminders arrive in your daytime."
        ),
    )
    email_notifications = forms.BooleanField(
        label=_("Send me reminder emails"),
        required=False,
        help_text=_("Reminders to sign appeal rounds and log your own submissions."),
    )

    @classmethod
    def initial_from(cls, seller: Seller) -> dict:
        return {
            "display_name": seller.display_name,
            "language": seller.language,
            "time_zone": seller.time_zone,
            "email_notifications": seller.email_notifications,
        }
