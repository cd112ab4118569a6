"""The sign-up form's extra fields and the seller's profile form."""

from __future__ import annotations

import zoneinfo

from django import forms
from django.utils import translation
from django.utils.translation import gettext_lazy as _

from coalition.actions.sellers import ensure_seller
from coalition.models import Seller
from coalition.rules.jurisdictions import country_choices
from coalition.rules.timezones import known_zone

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


def zone_for_language(language: str) -> str:
    """Where a seller who has not said otherwise most likely is: most Chinese-speaking sellers
    work from mainland China."""
    return "Asia/Shanghai" if language == Seller.Language.ZH_HANS else "UTC"


class SignupExtraForm(forms.Form):
    """Extra fields on allauth's sign-up form; allauth calls signup() after creating the user.

    The language starts as the page's own; the time zone is the browser's, filled into a hidden
    field by static/js/app.js (without JavaScript: the usual zone for the chosen language)."""

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
    time_zone = forms.CharField(
        required=False,
        max_length=64,
        widget=forms.HiddenInput(attrs={"data-browser-time-zone": ""}),
    )

    def __init__(self, *args, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        page = translation.get_language() or ""
        codes = {code for code, _label in Seller.Language.choices}
        self.fields["language"].initial = page if page in codes else Seller.Language.EN

    def clean_time_zone(self) -> str:
        # A browser may report a zone this server's tz database lacks: fall back quietly.
        name = (self.cleaned_data.get("time_zone") or "").strip()
        return name if known_zone(name) else ""

    def signup(self, request, user) -> None:
        language = self.cleaned_data["language"]
        ensure_seller(
            user,
            display_name=self.cleaned_data["display_name"],
            language=language,
            time_zone=self.cleaned_data.get("time_zone") or zone_for_language(language),
        )
        # The rest of this request (the "confirm your email" page and the email itself) speaks
        # the language just chosen, not the page's.
        translation.activate(language)
        request.LANGUAGE_CODE = language


def time_zone_choices() -> list:
    """Common zones first, then every other zone the system knows, sorted."""
    common = [(z, z.replace("_", " ")) for z in COMMON_TIME_ZONES]
    rest = sorted(zoneinfo.available_timezones() - set(COMMON_TIME_ZONES))
    return [
        (_("Common"), common),
        (_("All time zones"), [(z, z.replace("_", " ")) for z in rest]),
    ]


def establishment_choices() -> list[tuple[str, str]]:
    return [("", _("Not stated")), *country_choices()]


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
    country_of_establishment = forms.ChoiceField(
        label=_("Country where your business is established"),
        choices=establishment_choices,
        required=False,
        help_text=_(
            "Where your company or sole proprietorship is registered. Some laws protect only "
            "businesses established in certain places (the EU Platform-to-Business Regulation: "
            "the EU), so letters cite them only when such sellers sign."
        ),
    )

    @classmethod
    def initial_from(cls, seller: Seller) -> dict:
        return {
            "display_name": seller.display_name,
            "language": seller.language,
            "time_zone": seller.time_zone,
            "email_notifications": seller.email_notifications,
            "country_of_establishment": seller.country_of_establishment,
        }
