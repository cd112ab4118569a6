"""The filters of a grievance's timeline page (GET)."""

from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _

from coalition.rules.verbs import VERB_KINDS


class TimelineFilterForm(forms.Form):
    round = forms.IntegerField(label=_("Round"), required=False, min_value=1, max_value=999)
    kind = forms.ChoiceField(
        label=_("What"),
        required=False,
        choices=[("", _("Everything")), *VERB_KINDS.items()],
    )
