"""Forms for the round pages. Validation only: every write goes through appeals.actions.

Plain forms, not ModelForms (as in coalition/forms.py): the actions decide what changed and refuse
wrong moves; a form only turns the posted text into typed values. Dates and times are read and
shown in the viewer's time zone, which the middleware activates.
"""

from __future__ import annotations

from django import forms
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from appeals.models import Appeal, PlatformResponse, Submission
from coalition.forms.fields import amount_field, currency_field
from coalition.rules.dates import validate_plausible_date

MAX_SIGNATURE_GOAL = 100_000


def _date_input() -> forms.DateInput:
    return forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")


def _datetime_input() -> forms.DateTimeInput:
    # The browser's native picker; Django parses "2025-03-01T14:30" and, the value being naive,
    # reads it in the active (viewer's) time zone.
    return forms.DateTimeInput(attrs={"type": "datetime-local"}, format="%Y-%m-%dT%H:%M")


def _goal_field() -> forms.IntegerField:
    return forms.IntegerField(
        label=_("Signature goal"),
        min_value=1,
        max_value=MAX_SIGNATURE_GOAL,
        help_text=_("How many members should co-sign before the letter goes out."),
        widget=forms.NumberInput(attrs={"min": "1", "inputmode": "numeric"}),
    )


def _not_in_future(value, message):
    if value and value > timezone.localdate():
        raise forms.ValidationError(message)
    return value


# --- organisers: drafting and running a round --------------------------------------------------


def offer_channels(form: forms.Form, platform) -> None:
    """Offer email only for a platform with an appeal address (the action refuses it too)."""
    if platform is not None and not platform.appeal_email:
        form.fields["channel"].choices = [
            (value, label)
            for value, label in Appeal.Channel.choices
            if value != Appeal.Channel.EMAIL
        ]
        form.fields["channel"].help_text = _(
            "%(platform)s has no appeal email address: rounds go through its portal."
        ) % {"platform": platform.name}


class RoundDraftForm(forms.Form):
    """Start a round. The reason field appears only once the action asked for a confirmation
    (nothing new since the last round, or the platform's round cap reached)."""

    channel = forms.ChoiceField(
        label=_("How it reaches the platform"),
        choices=Appeal.Channel.choices,
        initial=Appeal.Channel.PORTAL,
        widget=forms.RadioSelect,
    )
    language = forms.ChoiceField(
        label=_("Letter language"),
        choices=Appeal.Language.choices,
        initial=Appeal.Language.EN,
        help_text=_("Letters to platforms are usually in English."),
    )
    signature_goal = _goal_field()
    reason = forms.CharField(
        label=_("Why send this round anyway?"),
        max_length=2000,
        required=False,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=_("Your reason is kept on the grievance's timeline."),
    )

    def __init__(self, *args, ask_reason: bool = False, platform=None, **kwargs):
        super().__init__(*args, **kwargs)
        offer_channels(self, platform)
        # Not required here: an empty reason goes to the action, which explains again why one
        # is needed (the page shows that explanation next to the field).
        self.ask_reason = ask_reason
        if not ask_reason:
            del self.fields["reason"]

    def draft_kwargs(self) -> dict:
        data = self.cleaned_data
        kwargs = {
            "channel": data["channel"],
            "language": data["language"],
            "signature_goal": data["signature_goal"],
        }
        if self.ask_reason:
            kwargs["reason"] = (data.get("reason") or "").strip()
        return kwargs


class RoundEditForm(forms.Form):
    """Everything an organiser may change while the round is a draft."""

    subject = forms.CharField(label=_("Subject"), max_length=200)
    letter = forms.CharField(
        label=_("Letter"),
        max_length=30000,
        widget=forms.Textarea(attrs={"rows": 22, "class": "letter-input"}),
        help_text=_("The signer list is added below the letter when it is sent."),
    )
    translation_subject = forms.CharField(
        label=_("Subject of the translation for signers"), max_length=200, required=False
    )
    translation = forms.CharField(
        label=_("Translation for signers"),
        max_length=30000,
        required=False,
        widget=forms.Textarea(attrs={"rows": 22, "class": "letter-input"}),
        help_text=_(
            "Signers who read the other language see this beside the letter. It is never sent "
            "to the platform: keep it saying the same as the letter."
        ),
    )
    language = forms.ChoiceField(label=_("Letter language"), choices=Appeal.Language.choices)
    channel = forms.ChoiceField(
        label=_("How it reaches the platform"),
        choices=Appeal.Channel.choices,
        widget=forms.RadioSelect,
    )
    signature_goal = _goal_field()
    signing_deadline = forms.DateTimeField(
        label=_("Signing closes"),
        required=False,
        widget=_datetime_input(),
        help_text=_("In your time zone. Members who have not signed are reminded the day before."),
    )
    scheduled_submit_at = forms.DateTimeField(
        label=_("Send automatically at"),
        required=False,
        widget=_datetime_input(),
        help_text=_(
            "Email rounds only: once signing is closed, Coalition sends the letter at this time."
        ),
    )

    def __init__(self, *args, platform=None, **kwargs):
        super().__init__(*args, **kwargs)
        offer_channels(self, platform)

    FIELDS = (
        "subject",
        "letter",
        "translation_subject",
        "translation",
        "language",
        "channel",
        "signature_goal",
        "signing_deadline",
        "scheduled_submit_at",
    )

    @classmethod
    def initial_from(cls, appeal: Appeal) -> dict:
        return {name: getattr(appeal, name) for name in cls.FIELDS}

    def changed_fields(self) -> dict:
        """Only what the organiser changed, so the timeline records real edits."""
        return {name: self.cleaned_data[name] for name in self.changed_data if name in self.FIELDS}


class OpenSigningForm(forms.Form):
    deadline = forms.DateTimeField(
        label=_("Signing closes"),
        required=False,
        widget=_datetime_input(),
        help_text=_("Optional, in your time zone."),
    )

    def clean_deadline(self):
        value = self.cleaned_data.get("deadline")
        if value and value <= timezone.now():
            raise forms.ValidationError(_("Choose a moment in the future."))
        return value


class SubmitRoundForm(forms.Form):
    case_reference = forms.CharField(
        label=_("Platform case reference"),
        max_length=120,
        required=False,
        help_text=_("The case or ticket number the portal gave you."),
    )

    def __init__(self, *args, appeal: Appeal | None = None, **kwargs):
        super().__init__(*args, **kwargs)
        if appeal is not None and appeal.channel == Appeal.Channel.PORTAL:
            self.fields["case_reference"].required = True
        elif appeal is not None:
            self.fields["case_reference"].help_text = _(
                "Optional: Coalition emails the letter with its signer list to the platform now."
            )

    def clean_case_reference(self) -> str:
        return self.cleaned_data["case_reference"].strip()


class ResponseForm(forms.Form):
    received_at = forms.DateTimeField(label=_("Received at"), widget=_datetime_input())
    channel = forms.ChoiceField(
        label=_("Came by"),
        choices=PlatformResponse.Channel.choices,
        initial=PlatformResponse.Channel.EMAIL,
    )
    classification = forms.ChoiceField(
        label=_("What it says"),
        choices=[("", _("Choose…")), *PlatformResponse.Classification.choices],
        help_text=_(
            "“Asks for more information” pauses the clock until you mark the information as sent."
        ),
    )
    text = forms.CharField(
        label=_("What the platform said"),
        max_length=30000,
        widget=forms.Textarea(attrs={"rows": 6}),
        help_text=_("Paste the message as received."),
    )

    def clean_received_at(self):
        value = self.cleaned_data["received_at"]
        if value > timezone.now():
            raise forms.ValidationError(_("The time cannot be in the future."))
        return value


class WithdrawRoundForm(forms.Form):
    reason = forms.CharField(
        label=_("Why withdraw it?"),
        max_length=2000,
        required=False,
        widget=forms.Textarea(attrs={"rows": 2}),
        help_text=_("Members see this on the round page."),
    )


# --- members: signing and their own submissions -----------------------------------------------


class SignForm(forms.Form):
    consent_to_name = forms.BooleanField(
        label=_("Name me in the signer list sent to the platform"),
        required=False,
        help_text=_("Your display name and store name. Unticked, you are counted but not named."),
    )
    consent_to_store_id = forms.BooleanField(
        label=_("Also give the platform my store ID"),
        required=False,
        help_text=_(
            "Only with your name. The store ID lets the platform find and act on your store; "
            "otherwise only organisers see it."
        ),
    )


class LogSubmissionForm(forms.Form):
    submitted_on = forms.DateField(
        label=_("Date you filed it"), widget=_date_input(), validators=[validate_plausible_date]
    )
    ticket_reference = forms.CharField(
        label=_("Ticket or case number"),
        max_length=120,
        required=False,
        help_text=_("Only you and the organisers see it."),
    )

    def clean_submitted_on(self):
        return _not_in_future(
            self.cleaned_data.get("submitted_on"), _("The date cannot be in the future.")
        )

    def clean_ticket_reference(self) -> str:
        return self.cleaned_data["ticket_reference"].strip()


class OutcomeForm(forms.Form):
    outcome = forms.ChoiceField(
        label=_("Outcome of your appeal"),
        choices=[
            (value, label)
            for value, label in Submission.Outcome.choices
            if value != Submission.Outcome.PENDING
        ],
        widget=forms.RadioSelect,
    )
    outcome_on = forms.DateField(
        label=_("When"), required=False, widget=_date_input(), validators=[validate_plausible_date]
    )
    amount_recovered = amount_field(_("Amount recovered"))
    currency = currency_field()

    def clean_outcome_on(self):
        return _not_in_future(
            self.cleaned_data.get("outcome_on"), _("The date cannot be in the future.")
        )

    def outcome_kwargs(self) -> dict:
        data = self.cleaned_data
        return {
            "outcome": data["outcome"],
            "outcome_on": data.get("outcome_on"),
            "amount_recovered": data.get("amount_recovered"),
            "currency": data.get("currency") or None,
        }
