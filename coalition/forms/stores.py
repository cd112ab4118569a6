"""A seller's store."""

from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _

from coalition.models import Platform, Store


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
