"""Email preferences, as a seller sets them on the settings page."""

from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy

from coalition.models import Grievance, Membership


class PreferencesForm(forms.Form):
    """Which emails a seller gets: everything on or off, then grievance by grievance."""

    everything = forms.BooleanField(
        label=gettext_lazy("Send me emails from Coalition"),
        required=False,
        help_text=gettext_lazy(
            "Reminders to sign and to file your own appeal, and news about your rounds."
        ),
    )
    grievances = forms.ModelMultipleChoiceField(
        label=gettext_lazy("Grievances I want emails about"),
        queryset=Grievance.objects.none(),
        required=False,
        widget=forms.CheckboxSelectMultiple,
    )

    def __init__(self, *args, memberships: list[Membership], **kwargs) -> None:
        super().__init__(*args, **kwargs)
        ids = [m.grievance_id for m in memberships]
        self.fields["grievances"].queryset = Grievance.objects.filter(pk__in=ids).order_by("title")
