"""Coupon rewards: members fill the pool (offer, withdraw), confirmed watcher reports take one code
each, and the watcher's coupon email is queued once."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date
from typing import Any

from django.db import connection, transaction
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext as _

from coalition.actions.timeline import record_event
from coalition.emails import queue_coupon_email
from coalition.errors import ActionRefused
from coalition.models import (
    Coupon,
    CouponOffer,
    Grievance,
    InfringementReport,
    Membership,
    Seller,
    Store,
)
from coalition.queries.coupons import pool_for
from coalition.queries.reports import coupon_of
from coalition.rules.coupons import MAX_COUPONS_PER_OFFER, clean_codes, new_codes


def take_coupon(report: InfringementReport) -> Coupon | None:
    """Claim one free code for this report (the caller holds the report's lock), soonest-expiring
    first. On PostgreSQL each attempt locks a single row with SKIP LOCKED, so concurrent
    confirmations of different reports pass each other to the next free code; everywhere, the
    conditional UPDATE only takes a code that is still free."""
    now = timezone.now()
    free = pool_for(report).order_by("offer__expires_on", "offer_id", "pk")
    if connection.features.has_select_for_update_skip_locked:
        free = free.select_for_update(skip_locked=True, of=("self",))
    for _attempt in range(5):
        coupon = free.first()
        if coupon is None:
            return None
        taken = Coupon.objects.filter(pk=coupon.pk, issued_to_report__isnull=True).update(
            issued_to_report=report, issued_at=now
        )
        if taken == 1:
            coupon.issued_to_report, coupon.issued_at = report, now
            return coupon
    return None


def award_waiting(
    *, grievance: Grievance | None, seller: Seller | None, platform_id: int, limit: int
) -> int:
    """Confirmed watcher reports that found the pool empty get a code now, oldest first: those
    whose listing is on the platform of the store the new codes are for."""
    waiting = InfringementReport.objects.filter(
        platform_id=platform_id,
        state=InfringementReport.State.CONFIRMED,
        from_watcher=True,
        duplicate_of__isnull=True,
        coupon__isnull=True,
    )
    target = Q(grievance=grievance) if grievance is not None else Q(pk__in=[])
    if seller is not None:
        target |= Q(grievance__isnull=True, brand_owner=seller)
    awarded = 0
    for pk in (
        waiting.filter(target).order_by("reviewed_at", "pk").values_list("pk", flat=True)[:limit]
    ):
        report = InfringementReport.objects.select_for_update().get(pk=pk)
        if coupon_of(report) is not None:
            continue
        coupon = take_coupon(report)
        if coupon is None:
            break
        awarded += 1
        record_event(report.grievance, "coupon.issued", actor=None, subject=f"report:{report.pk}")
        email_coupon(pk)
    return awarded


def email_coupon(report_id: int) -> bool:
    """Queue the watcher's coupon email, once: the report is claimed (coupon_emailed_at set) in
    the caller's transaction as the email is queued, so a second call finds it claimed and the
    outbox's dedupe key stops any copy. The worker sends it after commit and retries it."""
    claimed = InfringementReport.objects.filter(
        pk=report_id, coupon_emailed_at__isnull=True, coupon__isnull=False
    ).update(coupon_emailed_at=timezone.now())
    if not claimed:
        return False
    report = InfringementReport.objects.select_related("grievance", "platform").get(pk=report_id)
    coupon = Coupon.objects.select_related("offer__store__platform").get(issued_to_report=report)
    queue_coupon_email(report, coupon)
    return True


@transaction.atomic
def offer_coupons(
    membership: Membership,
    *,
    actor: Any,
    store: Store,
    discount: str,
    expires_on: date,
    quantity: int | None = None,
    codes: Sequence[str] = (),
) -> CouponOffer:
    """A member adds codes to the reward pool: their own codes, or `quantity` codes made here
    (which they then create in their store). Confirmed watcher reports waiting for a coupon get
    theirs at once."""
    _check_offer(membership, actor, store, discount, expires_on)
    codes = clean_codes(codes)
    if any(len(c) > 64 for c in codes):
        raise ActionRefused(_("A code can be at most 64 characters long."), field="codes")
    if not codes:
        if not quantity or quantity < 1:
            raise ActionRefused(
                _("Say how many coupons you offer, or paste your codes."), field="quantity"
            )
        codes = new_codes(quantity)
    if len(codes) > MAX_COUPONS_PER_OFFER:
        raise ActionRefused(
            _("Offer at most %(n)s coupons at a time.") % {"n": MAX_COUPONS_PER_OFFER},
            field="quantity",
        )
    offer = CouponOffer.objects.create(
        membership=membership,
        store=store,
        discount=discount.strip(),
        quantity=len(codes),
        expires_on=expires_on,
    )
    Coupon.objects.bulk_create([Coupon(offer=offer, code=c) for c in codes])
    record_event(
        membership.grievance,
        "coupons.offered",
        actor=actor,
        subject=f"coupon_offer:{offer.pk}",
        quantity=len(codes),
        expires_on=expires_on.isoformat(),
    )
    award_waiting(
        grievance=membership.grievance,
        seller=membership.seller,
        platform_id=store.platform_id,
        limit=len(codes),
    )
    return offer


def _check_offer(
    membership: Membership, actor: Any, store: Store, discount: str, expires_on: date
) -> None:
    if getattr(actor, "pk", None) != membership.seller.user_id:
        raise ActionRefused(_("You can only offer coupons as yourself."))
    if not membership.is_active:
        raise ActionRefused(_("Only current members can offer coupons."), field="membership")
    if store.seller_id != membership.seller_id:
        raise ActionRefused(_("Choose one of your own stores."), field="store")
    if not discount.strip():
        raise ActionRefused(_("Say what the coupon gives, e.g. “10% off”."), field="discount")
    if expires_on < timezone.localdate():
        raise ActionRefused(_("The expiry date has passed."), field="expires_on")


@transaction.atomic
def withdraw_coupon_offer(offer: CouponOffer, *, actor: Any) -> CouponOffer:
    """Stop issuing an offer's remaining codes; codes already sent stay valid."""
    if getattr(actor, "pk", None) != offer.membership.seller.user_id:
        raise ActionRefused(_("You can only withdraw your own offers."))
    if offer.withdrawn_at is None:
        offer.withdrawn_at = timezone.now()
        offer.save(update_fields=["withdrawn_at"])
        record_event(
            offer.membership.grievance,
            "coupons.withdrawn",
            actor=actor,
            subject=f"coupon_offer:{offer.pk}",
        )
    return offer
