"""Writing and describing timeline (audit) events. Appeals registers its own verb labels here."""

from __future__ import annotations

from typing import Any

from django.contrib.auth.models import AbstractBaseUser
from django.utils.translation import gettext_lazy as _

from coalition.models import AuditEvent, Grievance

VERB_LABELS: dict[str, Any] = {
    "grievance.created": _("registered the grievance"),
    "grievance.edited": _("edited the grievance"),
    "grievance.hidden": _("hid the grievance"),
    "grievance.unhidden": _("made the grievance visible again"),
    "grievance.state_changed": _("changed the grievance's state"),
    "grievance.merged_into": _("merged this grievance into another"),
    "grievance.merged_from": _("merged another grievance into this one"),
    "membership.joined": _("joined"),
    "membership.rejoined": _("joined again"),
    "membership.updated": _("updated their case details"),
    "membership.left": _("left"),
    "membership.verified": _("verified a member"),
    "membership.promoted": _("made a member co-organiser"),
    "membership.stepped_down": _("stepped down as organiser"),
}


# Verbs kept off the grievance's shared timeline: the evidence custody log (views, downloads, file
# names) is shown per file, to its owner and the organisers only.
PRIVATE_VERBS: set[str] = set()


def register_verbs(labels: dict[str, Any], *, private: bool = False) -> None:
    VERB_LABELS.update(labels)
    if private:
        PRIVATE_VERBS.update(labels)


def grievance_timeline(grievance: Grievance):
    """The grievance's shared timeline, newest first."""
    return (
        grievance.events.exclude(verb__in=PRIVATE_VERBS)
        .select_related("actor__seller")
        .order_by("-created_at", "-id")
    )


def record_event(
    grievance: Grievance | None,
    verb: str,
    *,
    actor: AbstractBaseUser | None,
    subject: str = "",
    **data: Any,
) -> AuditEvent:
    """Append one timeline entry; call inside the action's transaction."""
    user = actor if actor is not None and getattr(actor, "is_authenticated", False) else None
    return AuditEvent.objects.create(
        grievance=grievance, actor=user, verb=verb, subject=subject, data=data
    )


def describe(event: AuditEvent) -> str:
    return str(VERB_LABELS.get(event.verb, event.verb))
