"""Coupon offers and the reward pool: the codes still free to give."""

from __future__ import annotations

from typing import Any

from django.db.models import QuerySet
from django.utils import timezone

from coalition.models import Coupon, CouponOffer, Grievance, InfringementReport, Membership, Seller
from coalition.queries.sellers import seller_of


def free_coupons(
    *, grievance: Grievance | None = None, seller: Seller | None = None
) -> QuerySet[Coupon]:
    """Codes still in the pool: not issued, offer neither withdrawn nor expired, offered by a
    current member. A grievance's pool is its members' offers; a brand's is its owner's."""
    qs = Coupon.objects.filter(
        issued_to_report__isnull=True,
        offer__withdrawn_at__isnull=True,
        offer__expires_on__gte=timezone.localdate(),
    ).exclude(offer__membership__state=Membership.State.WITHDRAWN)
    if grievance is not None:
        return qs.filter(offer__membership__grievance=grievance)
    if seller is not None:
        return qs.filter(offer__membership__seller=seller)
    return qs.none()


def pool_for(report: InfringementReport) -> QuerySet[Coupon]:
    if report.grievance_id is not None:
        return free_coupons(grievance=report.grievance)
    return free_coupons(seller=report.brand_owner)


def own_offers(user: Any) -> QuerySet[CouponOffer]:
    """The coupon offers this user made (nobody else's)."""
    return CouponOffer.objects.filter(membership__seller=seller_of(user))
