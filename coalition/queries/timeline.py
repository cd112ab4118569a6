"""A grievance's timeline as its viewers may read it."""

from __future__ import annotations

from django.db.models import Q, QuerySet

from coalition.models import AuditEvent, Grievance, Membership
from coalition.rules.verbs import PRIVATE_VERBS


def grievance_timeline(grievance: Grievance):
    """The grievance's shared timeline, newest first."""
    return (
        grievance.events.exclude(verb__in=PRIVATE_VERBS)
        .select_related("actor__seller")
        .order_by("-created_at", "-id")
    )


def grievance_events(grievance: Grievance) -> QuerySet[AuditEvent]:
    """The API's timeline: the same events as the page's (grievance_timeline), newest first. The
    evidence custody log (PRIVATE_VERBS) is read per file by its owner and the organisers."""
    return grievance_timeline(grievance)


def named_user_ids(grievance: Grievance) -> frozenset[int]:
    """Users whose names members may see on the timeline: organisers, and members who agreed to
    be named (the same people visible_members shows them)."""
    named = grievance.memberships.active().filter(
        Q(consent_to_name=True) | Q(role=Membership.Role.ORGANISER)
    )
    return frozenset(named.values_list("seller__user_id", flat=True))


def filtered_timeline(
    grievance: Grievance, *, round_number: int | None = None, kind: str = ""
) -> QuerySet[AuditEvent]:
    """The shared timeline narrowed to one round ("round:<n>" events) and/or one kind of event
    (the verb's prefix, coalition/rules/verbs.py VERB_KINDS)."""
    qs = grievance_timeline(grievance)
    if round_number is not None:
        qs = qs.filter(subject=f"round:{round_number}")
    if kind:
        qs = qs.filter(verb__startswith=f"{kind}.")
    return qs
