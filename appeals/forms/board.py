"""The organiser board's search and filters (GET)."""

from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _

from appeals.models import Appeal
from coalition.models import Platform


class BoardFilterForm(forms.Form):
    q = forms.CharField(
        label=_("Search"),
        required=False,
        max_length=120,
        widget=forms.TextInput(attrs={"type": "search", "placeholder": _("Grievance title")}),
    )
    platform = forms.ModelChoiceField(
        label=_("Platform"),
        queryset=Platform.objects.order_by("name"),
        required=False,
        to_field_name="slug",
        empty_label=_("All platforms"),
    )
    state = forms.ChoiceField(
        label=_("State"), required=False, choices=[("", _("Any")), *Appeal.State.choices]
    )
    overdue = forms.BooleanField(label=_("Overdue only"), required=False)
    mine = forms.BooleanField(label=_("Assigned to me"), required=False)


class AssignForm(forms.Form):
    """Who of the grievance's organisers looks after a round (empty: nobody in particular)."""

    assignee = forms.TypedChoiceField(
        label=_("Assigned to"), required=False, coerce=int, empty_value=None
    )

    def __init__(self, *args, organisers: list, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.fields["assignee"].choices = [
            ("", _("Nobody in particular")),
            *[(m.seller.user_id, m.seller.display_name) for m in organisers],
        ]


class NoteForm(forms.Form):
    body = forms.CharField(
        label=_("Internal note"),
        max_length=5000,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=_("Only the grievance's organisers and staff read these notes."),
    )
