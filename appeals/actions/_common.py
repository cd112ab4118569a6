"""Helpers every action module shares: the round lock, who may act, the timeline entry, and the
checks of submitted values that more than one action makes."""

from __future__ import annotations

from datetime import date, datetime
from typing import Any
from zoneinfo import ZoneInfo

from django.utils import timezone
from django.utils.translation import gettext as _

from appeals.models import Appeal
from coalition.actions.timeline import record_event
from coalition.errors import ActionRefused
from coalition.mail import safe_zone
from coalition.models import Grievance, Membership
from coalition.queries.memberships import can_organise
from coalition.queries.sellers import seller_of

SUBJECT_PREFIX = "round:"


def subject(appeal: Appeal) -> str:
    """The timeline subject of a round's events: "round:<n>"."""
    return f"{SUBJECT_PREFIX}{appeal.number}"


def event(appeal: Appeal, verb: str, actor, **data: Any) -> None:
    """The round's timeline entry, under the subject "round:<n>"."""
    record_event(appeal.grievance, verb, actor=actor, subject=subject(appeal), **data)


def is_user(actor) -> bool:
    return bool(actor is not None and getattr(actor, "is_authenticated", False))


def lock(appeal: Appeal) -> Appeal:
    """The round row, locked for the rest of the transaction, with a fresh state."""
    return (
        Appeal.objects.select_for_update(of=("self",))
        .select_related("grievance__platform")
        .get(pk=appeal.pk)
    )


def require_organiser(grievance: Grievance, actor) -> None:
    if actor is None:
        return  # the system (a follow-up job)
    if not can_organise(actor, grievance):
        raise ActionRefused(_("Only the grievance's organisers can do this."), code="forbidden")


def require_member(grievance: Grievance, actor, message: str) -> Membership:
    seller = seller_of(actor)
    membership = (
        Membership.objects.active().filter(grievance=grievance, seller=seller).first()
        if seller
        else None
    )
    if membership is None:
        raise ActionRefused(message, code="forbidden")
    return membership


def check_choice(value: Any, choices, field: str) -> None:
    if value not in choices.values:
        raise ActionRefused(_("Choose one of the offered options."), field=field)


def check_channel_reaches(platform, channel: str) -> None:
    """Email is a channel only for a platform with an appeal address: refused when drafting or
    editing the round, not at the moment it would be sent."""
    if channel == Appeal.Channel.EMAIL and not platform.appeal_email:
        raise ActionRefused(
            _(
                "%(platform)s has no appeal email address, so Coalition cannot email this round. "
                "Choose the portal: an organiser submits it there and records the case reference."
            )
            % {"platform": platform.name},
            field="channel",
        )


def check_goal(goal: Any) -> None:
    if not isinstance(goal, int) or goal < 1 or goal > 1_000_000:
        raise ActionRefused(
            _("The signature goal must be a whole number of at least 1."), field="signature_goal"
        )


def check_future(value: datetime | None, field: str) -> None:
    """A moment still to come (a signing deadline, an automatic send time), or none."""
    if value is not None and value <= timezone.now():
        raise ActionRefused(_("Choose a moment in the future."), field=field)


def today_for(membership: Membership) -> date:
    """Today on the member's own calendar: a seller in Shanghai logs on their date, not UTC's."""
    zone = ZoneInfo(safe_zone(membership.seller.time_zone))
    return timezone.localdate(timezone=zone)
