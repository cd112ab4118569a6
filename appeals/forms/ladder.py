"""The organisers' form to climb a rung of the escalation ladder."""

from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _

from appeals import ladder


class ClimbForm(forms.Form):
    rung = forms.ChoiceField(label=_("Step"), choices=[(r.key, r.label) for r in ladder.RUNGS])
    reference = forms.CharField(
        label=_("Reference or body"),
        max_length=200,
        required=False,
        help_text=_("E.g. the complaint number, the mediator or the authority you turned to."),
    )
    note = forms.CharField(
        label=_("Note to members"),
        max_length=5000,
        required=False,
        widget=forms.Textarea(attrs={"rows": 4}),
        help_text=_("Sent to every member with the news, in the language you write it in."),
    )
