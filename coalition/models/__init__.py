"""Who is in a grievance and what they bring: one module per domain, all re-exported here so
Django (app label `coalition`) and callers find every model as `coalition.models.<Name>`.

Every write goes through coalition/actions/; these modules only hold structure, choices and
small derived properties (docs/architecture.md).
"""

from coalition.models.coupons import Coupon, CouponOffer
from coalition.models.evidence import Evidence, evidence_path
from coalition.models.grievances import (
    Grievance,
    Membership,
    MembershipQuerySet,
    currency_validator,
    new_share_key,
)
from coalition.models.health import HealthCheck
from coalition.models.platforms import Platform
from coalition.models.rates import RateWindow
from coalition.models.reports import (
    CONFIRM_WITHIN,
    InfringementReport,
    ReportScreenshot,
    new_token,
    screenshot_path,
)
from coalition.models.sellers import Seller, Store
from coalition.models.tallies import TALLY_SHARDS, GrievanceTally
from coalition.models.timeline import AuditEvent

__all__ = [
    "CONFIRM_WITHIN",
    "TALLY_SHARDS",
    "AuditEvent",
    "Coupon",
    "CouponOffer",
    "Evidence",
    "Grievance",
    "GrievanceTally",
    "HealthCheck",
    "InfringementReport",
    "Membership",
    "MembershipQuerySet",
    "Platform",
    "RateWindow",
    "ReportScreenshot",
    "Seller",
    "Store",
    "currency_validator",
    "evidence_path",
    "new_share_key",
    "new_token",
    "screenshot_path",
]
