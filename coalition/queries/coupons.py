"""Coupon offers and the reward pool: the codes still free to give."""

from __future__ import annotations

from typing import Any

from django.db.models import QuerySet
from django.utils import timezone

from coalition.models import (
    Coupon,
    CouponOffer,
    Grievance,
    InfringementReport,
    Membership,
    Platform,
    Seller,
)
from coalition.queries.sellers import seller_of


def free_coupons(
    *,
    grievance: Grievance | None = None,
    seller: Seller | None = None,
    platform: Platform | int | None = None,
) -> QuerySet[Coupon]:
    """Codes still in the pool: not issued, offer neither withdrawn nor expired, offered by a
    current member. A grievance's pool is its members' offers; a brand's is its owner's. With
    `platform`, only codes for stores on that platform."""
    qs = Coupon.objects.filter(
        issued_to_report__isnull=True,
        offer__withdrawn_at__isnull=True,
        offer__expires_on__gte=timezone.localdate(),
    ).exclude(offer__membership__state=Membership.State.WITHDRAWN)
    if platform is not None:
        qs = qs.filter(offer__store__platform=platform)
    if grievance is not None:
        return qs.filter(offer__membership__grievance=grievance)
    if seller is not None:
        return qs.filter(offer__membership__seller=seller)
    return qs.none()


def pool_for(report: InfringementReport) -> QuerySet[Coupon]:
    """The codes a watcher may get for this report: from the grievance's members (or the brand's
    owner), and only for a store on the platform of the reported listing, so a watcher who
    reported an Amazon listing never gets a code for a Wish store."""
    if report.grievance_id is not None:
        return free_coupons(grievance=report.grievance, platform=report.platform_id)
    return free_coupons(seller=report.brand_owner, platform=report.platform_id)


def own_offers(user: Any) -> QuerySet[CouponOffer]:
    """The coupon offers this user made (nobody else's)."""
    return CouponOffer.objects.filter(membership__seller=seller_of(user))
