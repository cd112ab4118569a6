"""The parts of `manage.py demo_data` that make the watcher and health-check journeys work on a
fresh install: the counterfeit coalition's coupon pool and a store's health-check history.

Like the rest of the demo, each part goes through coalition.actions and only creates what is
missing. The appeal rounds of the demo belong to the appeals app: `manage.py demo_rounds`
(appeals/management/commands/demo_rounds.py), which `make run` calls after this command, since
coalition never imports appeals (docs/architecture.md).
"""

from __future__ import annotations

from datetime import date, timedelta

from django.utils import timezone

from coalition.actions.coupons import offer_coupons
from coalition.actions.health import record_health_check
from coalition.models import CouponOffer, Grievance, HealthCheck, Membership, Store
from coalition.rules.thresholds import Figures

COUPON_CODES = tuple(f"BRIGHT-DEMO-{n:02d}" for n in range(1, 7))

# Rivera Kitchen Supply's last three months before its suspension: refunds for orders it could
# not fulfil rise past the platform's threshold.
HEALTH_HISTORY = (
    (
        date(2026, 6, 1),
        date(2026, 6, 30),
        Figures(orders=1840, unfulfillable_refunds=9, chargebacks=2, late_shipments=31),
    ),
    (
        date(2026, 7, 1),
        date(2026, 7, 31),
        Figures(orders=1912, unfulfillable_refunds=27, chargebacks=4, late_shipments=58),
    ),
    (
        date(2026, 8, 1),
        date(2026, 8, 31),
        Figures(orders=1766, unfulfillable_refunds=61, chargebacks=7, late_shipments=122),
    ),
)


def coupon_pool(grievance: Grievance, store: Store, created: list[str]) -> None:
    """The store's owner, a member of the counterfeit coalition, fills its reward pool."""
    membership = Membership.objects.get(grievance=grievance, seller=store.seller)
    if CouponOffer.objects.filter(membership=membership).exists():
        return
    offer_coupons(
        membership,
        actor=store.seller.user,
        store=store,
        discount="15% off any lamp",
        codes=COUPON_CODES,
        expires_on=timezone.localdate() + timedelta(days=365),
    )
    created.append("coupon offer")


def health_history(store: Store, created: list[str]) -> None:
    for start, end, figures in HEALTH_HISTORY:
        if HealthCheck.objects.filter(store=store, period_start=start, period_end=end).exists():
            continue
        record_health_check(
            store, actor=store.seller.user, period_start=start, period_end=end, figures=figures
        )
        created.append("health check")
