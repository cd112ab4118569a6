"""The organiser's classification of a platform reply the inbound reader took."""

from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _

from appeals.models import PlatformResponse


class ClassifyForm(forms.Form):
    classification = forms.ChoiceField(
        label=_("What it says"),
        choices=[("", _("Choose…")), *PlatformResponse.Classification.choices],
        help_text=_(
            "“Asks for more information” pauses the clock until you mark the information as sent."
        ),
    )
