"""The member list's search and filters (GET) and its bulk actions (POST); the same filters
choose what the members export holds."""

from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _

from appeals.models import Submission
from coalition.actions.memberships import BULK_LIMIT


class MemberFilterForm(forms.Form):
    q = forms.CharField(
        label=_("Search"),
        required=False,
        max_length=120,
        widget=forms.TextInput(attrs={"type": "search", "placeholder": _("Name, store or email")}),
    )
    state = forms.ChoiceField(
        label=_("State"),
        required=False,
        choices=[
            ("", _("Any")),
            ("joined", _("Waiting for verification")),
            ("verified", _("Verified")),
            ("organiser", _("Organisers")),
        ],
    )
    signed = forms.IntegerField(label=_("Signed round"), required=False, min_value=1, max_value=999)
    not_signed = forms.IntegerField(
        label=_("Has not signed round"), required=False, min_value=1, max_value=999
    )
    filed = forms.ChoiceField(
        label=_("Own appeal"),
        required=False,
        choices=[("", _("Any")), ("yes", _("Filed")), ("no", _("Not filed"))],
    )
    outcome = forms.ChoiceField(
        label=_("Outcome of own appeal"),
        required=False,
        choices=[("", _("Any")), *Submission.Outcome.choices],
    )


class BulkMembersForm(forms.Form):
    action = forms.ChoiceField(choices=[("verify", _("Verify")), ("remind", _("Remind to sign"))])
    members = forms.TypedMultipleChoiceField(
        label=_("Members"),
        coerce=int,
        error_messages={"required": _("Choose at least one member.")},
    )

    def __init__(self, *args, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        # Any id is acceptable here; the action keeps to the grievance's own members.
        self.fields["members"].valid_value = lambda value: str(value).isdigit()

    def clean_members(self) -> list[int]:
        members = self.cleaned_data["members"]
        if len(members) > BULK_LIMIT:
            raise forms.ValidationError(
                _("Choose at most %(n)s members at a time."), params={"n": BULK_LIMIT}
            )
        return members


class SignerFilterForm(forms.Form):
    state = forms.ChoiceField(
        label=_("Members"),
        required=False,
        choices=[
            ("", _("Any")),
            ("verified", _("Verified")),
            ("joined", _("Waiting for verification")),
        ],
    )


class OutcomeFilterForm(forms.Form):
    round = forms.IntegerField(label=_("Round"), required=False, min_value=1, max_value=999)
    outcome = MemberFilterForm.base_fields["outcome"]
