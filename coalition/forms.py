"""Forms for the coalition pages. Validation only: saving goes through coalition.actions."""

from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _

from coalition.models import Seller


class SignupExtraForm(forms.Form):
    """Extra fields on allauth's sign-up form; allauth calls signup() after creating the user."""

    display_name = forms.CharField(label=_("Display name"), max_length=80,
                                   help_text=_("Shown to other members of your grievances if you agree to be named."))
    language = forms.ChoiceField(label=_("Language"), choices=Seller.Language.choices, initial=Seller.Language.EN)

    def signup(self, request, user) -> None:
        from coalition.actions import ensure_seller

        ensure_seller(user, display_name=self.cleaned_data["display_name"], language=self.cleaned_data["language"])
