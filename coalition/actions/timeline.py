"""Writing the timeline (audit) events every action records."""

from __future__ import annotations

from typing import Any

from django.contrib.auth.models import AbstractBaseUser

from coalition.cache import bump
from coalition.models import AuditEvent, Grievance

# Changes that no list, total or public grievance answer shows: they make only their own
# grievance's cached answers stale (coalition/cache.py), not every list.
NOT_LISTED = frozenset({"round.signed", "round.signature_withdrawn"})


def record_event(
    grievance: Grievance | None,
    verb: str,
    *,
    actor: AbstractBaseUser | None,
    subject: str = "",
    **data: Any,
) -> AuditEvent:
    """Append one timeline entry; call inside the action's transaction. Every action records
    one, so this is also where the public answers it changes go stale (coalition/cache.py)."""
    user = actor if actor is not None and getattr(actor, "is_authenticated", False) else None
    recorded(grievance.pk if grievance is not None else None, verb)
    return AuditEvent.objects.create(
        grievance=grievance, actor=user, verb=verb, subject=subject, data=data
    )


def recorded(grievance_id: int | None, verb: str, *, committed: bool = False) -> None:
    """What follows an event being written: the answers it changes go stale. `record_event`
    calls it; an action that writes its event in its own statement (the co-sign on PostgreSQL,
    appeals/actions/signing.py) calls it after that statement has committed (`committed`)."""
    bump(grievance_id, lists=verb not in NOT_LISTED, committed=committed)
