"""Helpers of the loop tests: run the dispatcher at a moment, read what left the outbox."""

from __future__ import annotations

from datetime import datetime

from django.core import mail

from appeals.dispatch import service as dispatch
from appeals.models import Notification
from appeals.outbox import service as outbox
from coalition.models import Membership
from tests.factories import MembershipFactory, SellerFactory, UserFactory


def run_due(clock, when: datetime, capture) -> int:
    """Travel to `when` and run every due follow-up; returns how many send callbacks queued."""
    clock.move_to(when)
    with capture() as callbacks:
        dispatch.dispatch_due()
    return len(callbacks)


def sent(kind: str) -> list:
    """The emails of `kind` that left the outbox (sending every due row first)."""
    outbox.send_pending()
    ids = set(
        Notification.objects.filter(kind=kind, state="sent").values_list("message_id", flat=True)
    )
    return [m for m in mail.outbox if m.extra_headers.get("Message-ID") in ids]


def addressees(kind: str) -> list[str]:
    return sorted(Notification.objects.filter(kind=kind).values_list("to_email", flat=True))


def html_of(message) -> str:
    ((html, mime),) = message.alternatives
    assert mime == "text/html"
    return html


def verified(grievance, **seller) -> Membership:
    return MembershipFactory(
        grievance=grievance, state=Membership.State.VERIFIED, seller=SellerFactory(**seller)
    )


def joined(grievance, **seller) -> Membership:
    return MembershipFactory(
        grievance=grievance, state=Membership.State.JOINED, seller=SellerFactory(**seller)
    )


def unconfirmed(grievance) -> Membership:
    return MembershipFactory(
        grievance=grievance,
        state=Membership.State.VERIFIED,
        seller=SellerFactory(user=UserFactory(verified=False)),
    )
