"""Email preferences: a seller's unsubscribes, from one grievance's emails or from all of them.

The outbox honours them at send time (appeals.outbox.service.suppress_opted_out), so an
unsubscribe also stops emails already waiting for the morning."""

from __future__ import annotations

from django.db import transaction

from appeals.models import Unsubscribe
from coalition.actions.sellers import update_profile
from coalition.models import Grievance, Seller


@transaction.atomic
def unsubscribe(seller: Seller, grievance: Grievance | None = None) -> bool:
    """Stop emails to `seller` about `grievance`, or all emails when None. True if it changed.

    Stopping everything also unticks "send me reminder emails" on the seller's profile, so the
    two switches never disagree."""
    _row, created = Unsubscribe.objects.get_or_create(seller=seller, grievance=grievance)
    if grievance is None and seller.email_notifications:
        update_profile(seller, actor=seller.user, email_notifications=False)
        return True
    return created


@transaction.atomic
def resubscribe(seller: Seller, grievance: Grievance | None = None) -> bool:
    """Undo `unsubscribe`. Resubscribing to everything also turns reminder emails back on."""
    deleted, _counts = Unsubscribe.objects.filter(seller=seller, grievance=grievance).delete()
    if grievance is None and not seller.email_notifications:
        update_profile(seller, actor=seller.user, email_notifications=True)
        return True
    return bool(deleted)
