"""Emails of the coalition app: to watchers ("confirm your report", "your coupon") and the account
emails allauth renders (docs/outbox.md).

Each is rendered by `coalition.mail.render` from templates/emails/watchers/<name> (.subject.txt,
.txt, .html) in the watcher's language and handed to the outbox inside the action's transaction:
a rolled-back action queues nothing, the worker sends the email after commit and retries it, and
its dedupe key stores it once however often it is queued. Watchers have no account settings, so
these are neither held for daytime nor suppressed by an unsubscribe.
"""

from __future__ import annotations

import uuid
from typing import Any

from django.urls import reverse

from coalition import mail
from coalition.models import CONFIRM_WITHIN, Coupon, InfringementReport


def queue_confirmation_email(report: InfringementReport) -> bool:
    """Queue "confirm your report" for a watcher's report that does not count yet."""
    if report.counts or not report.watcher_email:
        return False
    confirm_url = mail.absolute(reverse("coalition:report_confirm", args=[report.confirm_token]))
    email = _email(
        report,
        "confirm_report",
        kind="watcher.confirm",
        dedupe_key=f"watcher.confirm:{report.pk}:{report.confirm_token}",
        context={"confirm_url": confirm_url, "valid_days": CONFIRM_WITHIN.days},
    )
    mail.enqueue([email])
    return True


def queue_coupon_email(report: InfringementReport, coupon: Coupon) -> None:
    """Queue "your coupon". The caller claims the report first (coalition/actions/coupons.py)."""
    email = _email(
        report,
        "coupon",
        kind="watcher.coupon",
        dedupe_key=f"watcher.coupon:{report.pk}",
        context={"coupon": coupon, "offer": coupon.offer, "store": coupon.offer.store},
    )
    mail.enqueue([email])


def _email(
    report: InfringementReport, name: str, *, kind: str, dedupe_key: str, context: dict[str, Any]
) -> mail.Email:
    status_url = mail.absolute(reverse("coalition:report_status", args=[report.status_token]))
    rendered = mail.render(
        f"watchers/{name}",
        {"report": report, "status_url": status_url, **context},
        language=report.watcher_language,
    )
    return mail.Email(
        kind=kind,
        dedupe_key=dedupe_key,
        to=report.watcher_email,
        rendered=rendered,
        grievance_id=report.grievance_id,
    )


def queue_account_email(name: str, *, to: str, subject: str, text: str, html: str) -> None:
    """Queue an account email allauth rendered (confirm your address, reset your password …).
    Each one is its own row — asking for a second confirmation link sends a second email — and
    none is held for daytime or suppressed by an unsubscribe: the person is waiting for it."""
    email = mail.Email(
        kind=f"account.{name}",
        dedupe_key=f"account.{name}:{uuid.uuid4().hex}",
        to=to,
        rendered=mail.Rendered(subject[:255], mail.tidy(text), html),
    )
    mail.enqueue([email])
