"""The report pages' view-models: what the organisers are told after a review, and the grievance
page's block of confirmed listings and coupons left."""

from __future__ import annotations

from typing import Any

from django.http import HttpRequest
from django.utils.translation import gettext as _

from coalition.actions.reports import Decision, ReviewResult
from coalition.queries.coupons import free_coupons
from coalition.queries.reports import confirmed_listings, waiting_reports
from coalition.rules.listings import REPORTABLE_CATEGORIES


def review_message(result: ReviewResult, decision: str) -> str:
    if decision == Decision.REJECT:
        return _("The report is rejected. The watcher sees your reason on their status page.")
    parts = [_("The report is confirmed.")]
    if result.report.duplicate_of_id:
        parts.append(
            _(
                "Its listing was already reported, so it is linked to that report and not counted twice."
            )
        )
    if result.evidence:
        parts.append(_("Its screenshots are now in the grievance's evidence."))
    if result.coupon is not None:
        parts.append(_("The watcher gets a coupon by email."))
    elif result.coupon_owed:
        parts.append(
            _(
                "The reward pool has no coupon for a store on %(platform)s, where the listing is, "
                "so the watcher gets none until a member offers one."
            )
            % {"platform": result.report.platform.name}
        )
    return " ".join(parts)


def grievance_section(
    request: HttpRequest, *, grievance, membership, organiser: bool
) -> dict[str, Any] | None:
    """Context for templates/coalition/reports/_grievance_section.html, shown on grievances that
    collect reports (registered with coalition.pages.sections.register_grievance_section)."""
    if grievance.category not in REPORTABLE_CATEGORIES:
        return None
    context: dict[str, Any] = {"reports_confirmed": confirmed_listings(grievance).count()}
    if organiser:
        waiting = waiting_reports(grievance)
        context.update(
            reports_waiting=waiting.count(),
            coupons_left=free_coupons(grievance=grievance, platform=grievance.platform_id).count(),
        )
    return context
