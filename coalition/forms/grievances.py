"""The grievance list's filters; registering, editing, merging and hiding a grievance."""

from __future__ import annotations

from django import forms
from django.urls import reverse_lazy
from django.utils.translation import gettext_lazy as _

from coalition.categories import Category
from coalition.forms.fields import plausible_date_field
from coalition.models import Grievance, Platform


class GrievanceFilterForm(forms.Form):
    """The search and filter bar of the grievance list (GET)."""

    q = forms.CharField(
        label=_("Search"),
        required=False,
        max_length=2000,  # coalition/rules/search.py keeps only the first terms of a long query
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
    infraction_date = plausible_date_field(
        _("When did the platform act?"),
        help_text=_(
            "The date of the suspension, the withheld payout or the notice. Appeal windows count from it."
        ),
    )


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
