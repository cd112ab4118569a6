"""Writing the timeline (audit) events every action records."""

from __future__ import annotations

from typing import Any

from django.contrib.auth.models import AbstractBaseUser

from coalition.models import AuditEvent, Grievance


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
