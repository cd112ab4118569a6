"""A round's clock as pages show it: where it stands, in words, and the legal windows."""

from __future__ import annotations

from datetime import date, datetime

from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from appeals import deadlines
from appeals.models import Appeal
from coalition.models import Grievance, Membership
from coalition.rules.jurisdictions import applicable_regimes

S = Appeal.State


def clock_of(appeal: Appeal, now: datetime | None = None) -> deadlines.ClockStatus:
    """The round's clock; none unless it is waiting for the platform (a paused round has none)."""
    if appeal.state != S.SUBMITTED:
        return deadlines.ClockStatus("none")
    return deadlines.clock_status(
        appeal.response_due_at,
        appeal.very_overdue_at,
        now or timezone.now(),
        appeal.grievance.platform,
    )


def clock_label(appeal: Appeal, clock: deadlines.ClockStatus) -> str:
    """ "due in 3 business days", "overdue by 5", "paused: 4 business days left", …"""
    n = clock.business_days
    if appeal.state == S.INFO_REQUESTED:
        left = appeal.paused_remaining_days or 0
        return ngettext(
            "paused: %(n)s business day left once the information is sent",
            "paused: %(n)s business days left once the information is sent",
            left,
        ) % {"n": left}
    if clock.state == "on_time":
        return ngettext("due in %(n)s business day", "due in %(n)s business days", n) % {"n": n}
    if clock.state == "due_today":
        return _("due today")
    if clock.state == "overdue":
        return ngettext("overdue by %(n)s business day", "overdue by %(n)s business days", n) % {
            "n": n
        }
    if clock.state == "very_overdue":
        return ngettext(
            "very overdue: late by %(n)s business day",
            "very overdue: late by %(n)s business days",
            n,
        ) % {"n": n}
    return ""


def regimes_for(grievance: Grievance) -> list[str]:
    """The platform's legal regimes that apply to this grievance's verified sellers: a regime bound
    to where sellers are established (EU P2B) applies once one verified seller is established
    there (coalition/rules/jurisdictions.py)."""
    countries = grievance.memberships.filter(state=Membership.State.VERIFIED).values_list(
        "seller__country_of_establishment", flat=True
    )
    return applicable_regimes(grievance.platform.legal_regimes or [], countries)


def legal_windows_for(
    grievance: Grievance, decision_date: date | None = None
) -> list[deadlines.Window]:
    """The platform's appeal window and the legal windows that apply, as dates. The grievance's
    date of the platform's action is its decision unless another decision date is given (e.g. a
    rejection)."""
    infraction = grievance.infraction_date
    return deadlines.legal_windows(
        grievance.platform, infraction, decision_date or infraction, regimes_for(grievance)
    )
