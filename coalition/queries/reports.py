"""Infringement reports: which grievances take them, who may review which, a listing's other
reports, the watcher's status link, and the listings a round's annex lists."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from django.core import signing
from django.db.models import Q, QuerySet

from coalition.models import Coupon, Grievance, InfringementReport, Membership, Seller
from coalition.queries.grievances import listed_grievances
from coalition.queries.memberships import can_organise
from coalition.queries.sellers import is_staff, seller_of
from coalition.rules.listings import REPORTABLE_CATEGORIES

BRAND_LINK_SALT = "coalition.reports.brand-link"


def reportable_grievances(user: Any) -> QuerySet[Grievance]:
    """Open coalitions a watcher may report listings to (from the lists this user may see)."""
    return (
        listed_grievances(user)
        .filter(state=Grievance.State.OPEN, hidden=False, category__in=REPORTABLE_CATEGORIES)
        .order_by("platform__name", "title")
    )


def reviewable_reports(user: Any) -> QuerySet[InfringementReport]:
    """Reports this user may review: those of grievances they organise and of their own brand
    (staff: all). A report whose email is unconfirmed does not count yet, so nobody sees it."""
    qs = InfringementReport.objects.filter(email_confirmed_at__isnull=False)
    if is_staff(user):
        return qs
    seller = seller_of(user)
    if seller is None:
        return qs.none()
    organised = Membership.objects.organisers().filter(seller=seller).values("grievance_id")
    return qs.filter(Q(grievance_id__in=organised) | Q(brand_owner=seller))


def can_review(user: Any, report: InfringementReport) -> bool:
    if is_staff(user):
        return True
    if report.grievance_id is not None and can_organise(user, report.grievance):
        return True
    seller = seller_of(user)
    return seller is not None and report.brand_owner_id == seller.pk


def brand_link_token(seller: Seller, brand: str) -> str:
    """A token for a member's "report copies of my brand" link; signed, so it cannot be forged."""
    return signing.dumps(
        {"s": seller.pk, "b": brand.strip()[:120]}, salt=BRAND_LINK_SALT, compress=True
    )


def read_brand_token(token: str) -> tuple[Seller, str] | None:
    try:
        data = signing.loads(token, salt=BRAND_LINK_SALT)
    except signing.BadSignature:
        return None
    seller = Seller.objects.filter(pk=data.get("s")).first()
    return (seller, data.get("b", "")) if seller is not None else None


def same_listing(report: InfringementReport) -> QuerySet[InfringementReport]:
    """Every report of this report's listing (same normalised URL, platform and target)."""
    qs = InfringementReport.objects.filter(
        platform_id=report.platform_id, listing_key=report.listing_key
    )
    if report.grievance_id is not None:
        return qs.filter(grievance_id=report.grievance_id)
    return qs.filter(grievance__isnull=True, brand_owner_id=report.brand_owner_id)


def duplicates_of(report: InfringementReport) -> QuerySet[InfringementReport]:
    """Other counting reports of the same listing (for the reviewer)."""
    return (
        same_listing(report)
        .exclude(pk=report.pk)
        .filter(email_confirmed_at__isnull=False)
        .order_by("created_at")
    )


def coupon_of(report: InfringementReport) -> Coupon | None:
    return Coupon.objects.select_related("offer__store").filter(issued_to_report=report).first()


def waiting_reports(grievance: Grievance) -> QuerySet[InfringementReport]:
    """The grievance's counting reports nobody has reviewed yet."""
    return grievance.infringement_reports.filter(
        state=InfringementReport.State.NEW, email_confirmed_at__isnull=False
    )


# --- the watcher's status link -------------------------------------------------------------


@dataclass(frozen=True)
class ReportStatus:
    report: InfringementReport
    coupon: Coupon | None
    awaiting_email: bool
    duplicate: bool
    coupon_owed: bool  # confirmed, rewarded, but the pool was empty

    @property
    def step(self) -> str:
        if self.awaiting_email:
            return "unconfirmed"
        return self.report.state


def report_status(token: str) -> ReportStatus | None:
    report = (
        InfringementReport.objects.select_related("grievance", "platform", "brand_owner")
        .filter(status_token=token)
        .first()
        if token
        else None
    )
    if report is None:
        return None
    coupon = coupon_of(report)
    confirmed = report.state == InfringementReport.State.CONFIRMED
    rewarded = confirmed and report.from_watcher and report.duplicate_of_id is None
    return ReportStatus(
        report=report,
        coupon=coupon,
        awaiting_email=not report.counts,
        duplicate=report.duplicate_of_id is not None,
        coupon_owed=rewarded and coupon is None,
    )


def confirmed_listings(grievance: Grievance, *, since: Any = None) -> QuerySet[InfringementReport]:
    """The infringing listings for a round's annex: confirmed, each listing once, oldest first.
    `since` (a datetime) keeps only those confirmed after it, e.g. the previous round."""
    qs = grievance.infringement_reports.filter(
        state=InfringementReport.State.CONFIRMED, duplicate_of__isnull=True
    )
    if since is not None:
        qs = qs.filter(reviewed_at__gt=since)
    return qs.select_related("platform").order_by("reviewed_at", "pk")
