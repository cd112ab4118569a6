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
    """Every event of the grievance, newest first (the API's timeline)."""
    return (
        AuditEvent.objects.filter(grievance=grievance)
        .select_related("actor__seller")
        .order_by("-created_at", "-id")
    )


def named_user_ids(grievance: Grievance) -> frozenset[int]:
    """Users whose names members may see on the timeline: organisers, and members who agreed to
    be named (the same people visible_members shows them)."""
    named = grievance.memberships.active().filter(
        Q(consent_to_name=True) | Q(role=Membership.Role.ORGANISER)
    )
    return frozenset(named.values_list("seller__user_id", flat=True))
