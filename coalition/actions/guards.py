"""Checks and helpers the sellers', grievances' and memberships' actions share."""

from __future__ import annotations

from decimal import Decimal

from django.utils.translation import gettext as _

from coalition.errors import ActionRefused
from coalition.models import Grievance, Seller
from coalition.queries.memberships import can_organise


def require_owner(seller: Seller, actor) -> None:
    if getattr(actor, "pk", None) != seller.user_id:
        raise ActionRefused(_("You can only change your own details."))


def require_organiser(grievance: Grievance, actor) -> None:
    if not can_organise(actor, grievance):
        raise ActionRefused(_("Only the grievance's organisers can do this."))


def assign(obj, fields: dict, allowed: set[str]) -> list[str]:
    """Set allowed fields that differ; return the names changed (for update_fields)."""
    changed = []
    for name, value in fields.items():
        if name not in allowed:
            raise TypeError(f"{name} cannot be set here")
        if value is None and name in {"amount_withheld", "amount_fined"}:
            value = Decimal("0")
        if getattr(obj, name) != value:
            setattr(obj, name, value)
            changed.append(name)
    return changed
