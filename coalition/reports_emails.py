"""Emails to watchers: "confirm your report" and "your coupon". coalition never imports
appeals (DESIGN.md §3), so these do not go through the appeals outbox: each is sent with
django.core.mail after the action's commit, rendered from templates/emails/watchers/<name>
(.subject.txt, .txt, .html) in the watcher's language. The coupon email is claimed in the
database before it is sent, so it goes out once."""

from __future__ import annotations

import logging
from typing import Any

from django.conf import settings
from django.core.mail import EmailMultiAlternatives
from django.db import transaction
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone, translation

from coalition.models import Coupon, InfringementReport
from coalition.reports_models import CONFIRM_WITHIN

logger = logging.getLogger(__name__)


def send_confirmation_email(report_id: int) -> bool:
    report = (
        InfringementReport.objects.select_related("grievance", "platform")
        .filter(pk=report_id)
        .first()
    )
    if report is None or report.counts or not report.watcher_email:
        return False
    _send(
        report,
        "confirm_report",
        {
            "confirm_url": _absolute(
                reverse("coalition:report_confirm", args=[report.confirm_token])
            ),
            "valid_days": CONFIRM_WITHIN.days,
        },
    )
    return True


def send_coupon_email(report_id: int) -> bool:
    """Send the coupon once: the row is claimed (coupon_emailed_at set) in its own transaction
    before sending, so a second call finds it claimed. A failed send releases the claim."""
    with transaction.atomic():
        claimed = InfringementReport.objects.filter(
            pk=report_id, coupon_emailed_at__isnull=True, coupon__isnull=False
        ).update(coupon_emailed_at=timezone.now())
    if not claimed:
        return False
    report = InfringementReport.objects.select_related("grievance", "platform").get(pk=report_id)
    coupon = Coupon.objects.select_related("offer__store__platform").get(issued_to_report=report)
    try:
        _send(
            report, "coupon", {"coupon": coupon, "offer": coupon.offer, "store": coupon.offer.store}
        )
    except Exception:
        InfringementReport.objects.filter(pk=report_id).update(coupon_emailed_at=None)
        logger.exception("coupon email for report %s failed", report_id)
        return False
    return True


def _absolute(path: str) -> str:
    return f"{settings.SITE_URL}{path}"


def _send(report: InfringementReport, name: str, extra: dict[str, Any]) -> None:
    """Render emails/watchers/<name>.subject.txt, .txt and .html in the watcher's language."""
    context = {
        "report": report,
        "status_url": _absolute(reverse("coalition:report_status", args=[report.status_token])),
        "site_url": settings.SITE_URL,
        **extra,
    }
    with translation.override(report.watcher_language):
        subject = " ".join(render_to_string(f"emails/watchers/{name}.subject.txt", context).split())
        text = render_to_string(f"emails/watchers/{name}.txt", context)
        html = render_to_string(f"emails/watchers/{name}.html", context)
    message = EmailMultiAlternatives(subject, text, to=[report.watcher_email])
    message.attach_alternative(html, "text/html")
    message.send()
