"""The sign-up form's extra fields and the seller's profile form."""

from __future__ import annotations

import zoneinfo

from django import forms
from django.utils.translation import gettext_lazy as _

from coalition.actions.sellers import ensure_seller
from coalition.models import Seller

# Offered first in the time-zone list: where most sellers are.
COMMON_TIME_ZONES = (
    "Asia/Shanghai",
    "Asia/Hong_Kong",
    "Asia/Taipei",
    "Asia/Singapore",
    "America/Los_Angeles",
    "America/New_York",
    "Europe/London",
    "Europe/Berlin",
    "UTC",
)


class SignupExtraForm(forms.Form):
    """Extra fields on allauth's sign-up form; allauth calls signup() after creating the user."""

    display_name = forms.CharField(
        label=_("Display name"),
        max_length=80,
        help_text=_("Shown to other members of your grievances if you agree to be named."),
    )
    language = forms.ChoiceField(
        label=_("Language"), choices=Seller.Language.choices, initial=Seller.Language.EN
    )

    def signup(self, request, user) -> None:
        ensure_seller(
            user,
            display_name=self.cleaned_data["display_name"],
            language=self.cleaned_data["language"],
        )


def time_zone_choices() -> list:
    """Common zones first, then every other zone the system knows, sorted."""
    common = [(z, z.replace("_", " ")) for z in COMMON_TIME_ZONES]
    rest = sorted(zoneinfo.available_timezones() - set(COMMON_TIME_ZONES))
    return [
        (_("Common"), common),
        (_("All time zones"), [(z, z.replace("_", " ")) for z in rest]),
    ]


class ProfileForm(forms.Form):
    display_name = forms.CharField(
        label=_("Display name"),
        max_length=80,
        help_text=_("Shown to other members of your grievances if you agree to be named."),
    )
    language = forms.ChoiceField(
        label=_("Language"),
        choices=Seller.Language.choices,
        help_text=_("Pages and emails are shown in this language."),
    )
    time_zone = forms.ChoiceField(
        label=_("Time zone"),
        choices=time_zone_choices,
        help_text=_(
            "Dates and deadlines are shown in this time zone; reminders arrive in your daytime."
        ),
    )
    email_notifications = forms.BooleanField(
        label=_("Send me reminder emails"),
        required=False,
        help_text=_("Reminders to sign appeal rounds and log your own submissions."),
    )

    @classmethod
    def initial_from(cls, seller: Seller) -> dict:
        return {
            "display_name": seller.display_name,
            "language": seller.language,
            "time_zone": seller.time_zone,
            "email_notifications": seller.email_notifications,
        }
