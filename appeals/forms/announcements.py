"""Organisers writing to their members (the action, appeals.actions.announcements, decides)."""

from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _

from appeals.actions.announcements import MAX_SUBJECT_LENGTH
from appeals.models import Announcement
from appeals.models.announcements import MAX_ANNOUNCEMENT_LENGTH


class AnnouncementForm(forms.Form):
    audience = forms.ChoiceField(
        label=_("Who receives it"),
        choices=Announcement.Audience.choices,
        initial=Announcement.Audience.ALL,
        widget=forms.RadioSelect,
    )
    subject = forms.CharField(label=_("Subject"), max_length=MAX_SUBJECT_LENGTH)
    text = forms.CharField(
        label=_("Message"),
        max_length=MAX_ANNOUNCEMENT_LENGTH,
        widget=forms.Textarea(attrs={"rows": 10}),
        help_text=_(
            "Plain text, at most 5,000 characters. Members get it by email in their own inbox, "
            "and it is shown on the grievance page for two weeks."
        ),
    )
    lift_limit = forms.BooleanField(
        label=_("Send even though the members had an announcement in the last 24 hours (staff)"),
        required=False,
    )

    def __init__(self, *args, staff: bool = False, **kwargs):
        super().__init__(*args, **kwargs)
        if not staff:
            del self.fields["lift_limit"]

    def announce_kwargs(self) -> dict:
        data = self.cleaned_data
        return {
            "audience": data["audience"],
            "subject": data["subject"],
            "text": data["text"],
            "lift_limit": bool(data.get("lift_limit")),
        }
