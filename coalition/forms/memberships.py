"""A member's case: joining and "update my case" share it."""

from __future__ import annotations

from decimal import Decimal

from django import forms
from django.utils.translation import gettext_lazy as _

from coalition.forms.fields import amount_field, currency_field, plausible_date_field
from coalition.models import Membership, Store


class CaseForm(forms.Form):
    """A member's case: joining and "update my case" share it."""

    store = forms.ModelChoiceField(
        label=_("Affected store"),
        queryset=Store.objects.none(),
        required=False,
        empty_label=_("No store / not listed"),
        help_text=_("Only organisers see its store ID."),
    )
    incident_date = plausible_date_field(_("When did it happen to you?"))
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
