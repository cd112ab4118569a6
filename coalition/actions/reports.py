"""Infringement reports: submitting, the watcher's email confirmation, and review.

- submit_report: a member, or a watcher without an account, reports a listing. A watcher's report
  counts only once its email address is confirmed (confirm_watcher_email).
- review_report: the grievance's organisers (or the brand's owner, or staff) confirm or reject it.
  Confirming turns its screenshots into grievance evidence and gives a watcher one coupon code
  (coalition/actions/coupons.py).

Reports of one listing (same normalised URL, platform and target) are one group: its first
confirmed report is the original, the others point at it (`duplicate_of`), so a listing is counted,
annexed and rewarded once. Every action that changes a group locks all of its rows in id order
first, so two reviews of the same listing serialise and cannot deadlock.
"""

from __future__ import annotations

import os
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from allauth.account.models import EmailAddress
from django.conf import settings
from django.core.files.base import ContentFile
from django.db import IntegrityError, transaction
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from coalition.actions.coupons import email_coupon, take_coupon
from coalition.actions.timeline import record_event
from coalition.categories import EvidenceKind
from coalition.emails import queue_confirmation_email
from coalition.errors import ActionRefused
from coalition.models import (
    CONFIRM_WITHIN,
    Coupon,
    Evidence,
    Grievance,
    InfringementReport,
    Membership,
    Platform,
    ReportScreenshot,
    Seller,
)
from coalition.queries.memberships import membership_of
from coalition.queries.reports import can_review, coupon_of, reportable_grievances, same_listing
from coalition.rules.listings import normalise_listing_url
from coalition.rules.sniffing import ScreenshotInfo, check_screenshots

# --- submitting and confirming -------------------------------------------------------------


@transaction.atomic
def submit_report(
    *,
    actor: Any,
    listing_url: str,
    infringes: str,
    screenshots: Sequence[Any],
    grievance: Grievance | None = None,
    brand_owner: Seller | None = None,
    brand: str = "",
    platform: Platform | None = None,
    store_url: str = "",
    store_name: str = "",
    details: str = "",
    watcher_email: str = "",
    language: str = "",
) -> InfringementReport:
    """Record a report. A member's (or a signed-in user's with a verified email) counts at once;
    a watcher's waits for the email confirmation link, queued in the outbox with the report."""
    infos = check_screenshots(screenshots)
    report = InfringementReport(
        listing_url=listing_url.strip(),
        listing_key=normalise_listing_url(listing_url),
        infringes=infringes,
        store_url=store_url.strip(),
        store_name=store_name.strip(),
        details=details.strip(),
        watcher_language=_language(language),
    )
    _set_target(report, actor, grievance, brand_owner, brand, platform)
    confirmed = _set_reporter(report, actor, watcher_email)
    report.save()
    _save_screenshots(report, screenshots, infos)
    if confirmed:
        _start_counting(report, actor=actor)
    else:
        queue_confirmation_email(report)
    return report


def _language(code: str) -> str:
    code = code or translation.get_language() or settings.LANGUAGE_CODE
    known = {c for c, _n in settings.LANGUAGES}
    return code if code in known else settings.LANGUAGE_CODE


def _set_target(report, actor, grievance, brand_owner, brand, platform) -> None:
    if grievance is not None:
        if not reportable_grievances(actor).filter(pk=grievance.pk).exists():
            raise ActionRefused(
                _("Choose an open grievance against counterfeits."), field="grievance"
            )
        report.grievance, report.platform = grievance, grievance.platform
        return
    if brand_owner is None:
        raise ActionRefused(_("Choose the grievance this listing infringes."), field="grievance")
    if platform is None:
        raise ActionRefused(_("Choose the platform the listing is on."), field="platform")
    report.brand_owner, report.brand, report.platform = brand_owner, brand.strip()[:120], platform


def _set_reporter(report: InfringementReport, actor: Any, watcher_email: str) -> bool:
    """Who reports, and whether the report counts at once (True) or needs its email confirmed."""
    if getattr(actor, "is_authenticated", False):
        report.reporter_user = actor
        membership = membership_of(actor, report.grievance) if report.grievance_id else None
        if membership is not None:
            report.reporter_membership, report.from_watcher = membership, False
            return True
        report.watcher_email = actor.email
        if report.brand_owner_id is not None and report.brand_owner.user_id == actor.pk:
            report.from_watcher = False
            return True
        if (
            actor.email
            and EmailAddress.objects.filter(
                user=actor, email__iexact=actor.email, verified=True
            ).exists()
        ):
            return True
        if not actor.email:
            raise ActionRefused(
                _("Add an email address to your account first."), field="watcher_email"
            )
        return False
    if not watcher_email.strip():
        raise ActionRefused(
            _("Give your email address: we send you a link to confirm the report."),
            field="watcher_email",
        )
    report.watcher_email = watcher_email.strip()
    return False


def _save_screenshots(
    report: InfringementReport, files: Sequence[Any], infos: list[ScreenshotInfo]
) -> None:
    seen: set[str] = set()
    for uploaded, info in zip(files, infos, strict=True):
        if info.sha256 in seen:  # the same picture twice in one report: keep one
            continue
        seen.add(info.sha256)
        shot = ReportScreenshot(
            report=report,
            original_name=os.path.basename(uploaded.name or "screenshot")[:255],
            content_type=info.content_type,
            size=info.size,
            sha256=info.sha256,
        )
        uploaded.seek(0)
        shot.file.save("screenshot", uploaded, save=False)
        shot.save()


def _start_counting(report: InfringementReport, *, actor: Any) -> None:
    report.email_confirmed_at = report.email_confirmed_at or timezone.now()
    report.save(update_fields=["email_confirmed_at"])
    _relink(lock_group(report))
    record_event(
        report.grievance,
        "report.received",
        actor=actor,
        subject=f"report:{report.pk}",
        listing=report.listing_url,
    )


def confirm_watcher_email(token: str) -> InfringementReport:
    """The watcher followed the email's link: the report counts from now. Following it again
    changes nothing."""
    found = InfringementReport.objects.filter(confirm_token=token).only("pk").first()
    if found is None or not token:
        raise ActionRefused(_("This confirmation link is not valid."), code="not_found")
    with transaction.atomic():
        group = lock_group(found)
        report = next(r for r in group if r.pk == found.pk)
        if report.email_confirmed_at is not None:
            return report
        if report.created_at < timezone.now() - CONFIRM_WITHIN:
            raise ActionRefused(
                _("This confirmation link has expired. Please report the listing again."),
                code="expired",
            )
        report.email_confirmed_at = timezone.now()
        report.save(update_fields=["email_confirmed_at"])
        _relink(group)
        record_event(
            report.grievance,
            "report.received",
            actor=None,
            subject=f"report:{report.pk}",
            listing=report.listing_url,
        )
    return report


# --- duplicates ----------------------------------------------------------------------------


def lock_group(report: InfringementReport) -> list[InfringementReport]:
    # Every report of the listing, locked in id order: the one lock order all actions share.
    return list(same_listing(report).select_for_update().order_by("pk"))


def _relink(group: list[InfringementReport]) -> None:
    """Point every counting, unrejected report of the listing at its original: the first one
    confirmed (by review time), else the first one reported. Once confirmed, an original stays
    the original, so a listing is rewarded once."""
    live = [r for r in group if r.counts and r.state != InfringementReport.State.REJECTED]
    confirmed = sorted(
        (r for r in live if r.state == InfringementReport.State.CONFIRMED),
        key=lambda r: (r.reviewed_at, r.pk),
    )
    original = confirmed[0] if confirmed else (live[0] if live else None)
    for r in live:
        want = None if r is original else original.pk
        if r.duplicate_of_id != want:
            r.duplicate_of_id = want
            r.save(update_fields=["duplicate_of"])


# --- review --------------------------------------------------------------------------------


@dataclass(frozen=True)
class ReviewResult:
    report: InfringementReport
    coupon: Coupon | None = None
    coupon_owed: bool = False  # a watcher earned a coupon but the pool is empty
    evidence: tuple[Evidence, ...] = ()


class Decision:
    CONFIRM = "confirm"
    REJECT = "reject"


def review_report(
    report: InfringementReport, *, actor: Any, decision: str, reason: str = ""
) -> ReviewResult:
    """Confirm or reject. The same decision twice changes nothing (and issues nothing twice);
    the opposite decision after one is refused."""
    if decision not in (Decision.CONFIRM, Decision.REJECT):
        raise ActionRefused(_("Confirm or reject the report."), field="decision")
    reason = reason.strip()
    if decision == Decision.REJECT and not reason:
        raise ActionRefused(
            _("Say why you reject it: the watcher sees the reason."), field="reason"
        )
    with transaction.atomic():
        # Locks the report and every other report of its listing: two organisers confirming at
        # the same moment run one after the other, and the second finds it already confirmed.
        group = lock_group(report)
        report = next(r for r in group if r.pk == report.pk)
        _check_reviewable(report, actor, decision)
        if report.state != InfringementReport.State.NEW:
            return ReviewResult(report, coupon_of(report))
        report.state = (
            InfringementReport.State.CONFIRMED
            if decision == Decision.CONFIRM
            else InfringementReport.State.REJECTED
        )
        report.reason, report.reviewed_by, report.reviewed_at = reason, actor, timezone.now()
        report.save(update_fields=["state", "reason", "reviewed_by", "reviewed_at"])
        _relink(group)
        if decision == Decision.REJECT:
            record_event(
                report.grievance,
                "report.rejected",
                actor=actor,
                subject=f"report:{report.pk}",
                listing=report.listing_url,
                reason=reason,
            )
            return ReviewResult(report)
        return _confirm(report, actor)


def _check_reviewable(report: InfringementReport, actor: Any, decision: str) -> None:
    if not can_review(actor, report):
        raise ActionRefused(_("Only the grievance's organisers can review its reports."))
    if not report.counts:
        raise ActionRefused(_("The watcher has not confirmed their email address yet."))
    done = {
        InfringementReport.State.CONFIRMED: Decision.CONFIRM,
        InfringementReport.State.REJECTED: Decision.REJECT,
    }
    if report.state in done and done[report.state] != decision:
        already = {
            InfringementReport.State.CONFIRMED: _("This report was already confirmed."),
            InfringementReport.State.REJECTED: _("This report was already rejected."),
        }
        raise ActionRefused(already[report.state], field="decision")


def _confirm(report: InfringementReport, actor: Any) -> ReviewResult:
    evidence = tuple(screenshots_to_evidence(report, actor=actor)) if report.grievance_id else ()
    coupon, owed = None, False
    if report.from_watcher and report.duplicate_of_id is None:
        coupon = take_coupon(report)
        owed = coupon is None
        if coupon is not None:
            email_coupon(report.pk)
    record_event(
        report.grievance,
        "report.confirmed",
        actor=actor,
        subject=f"report:{report.pk}",
        listing=report.listing_url,
        duplicate_of=report.duplicate_of_id,
        evidence=[e.pk for e in evidence],
        coupon_issued=coupon is not None,
    )
    return ReviewResult(report, coupon, owed, evidence)


def screenshots_to_evidence(report: InfringementReport, *, actor: Any) -> list[Evidence]:
    """Each screenshot becomes a screenshot in the grievance's evidence (organisers only: a
    watcher's screenshot may show their own account). A file the grievance already holds is
    linked, not stored twice."""
    grievance = report.grievance
    owner = _evidence_owner(report, actor)
    made = []
    for shot in report.screenshots.filter(evidence__isnull=True):
        held = grievance.evidence.filter(sha256=shot.sha256, withdrawn_at__isnull=True)
        evidence = held.first()
        if evidence is None:
            try:
                with transaction.atomic():
                    evidence = _copy_to_evidence(shot, grievance, owner, report)
                    # The evidence custody log (coalition/actions/evidence.py) starts with this event.
                    record_event(
                        grievance,
                        "evidence.uploaded",
                        actor=actor,
                        subject=f"evidence:{evidence.pk}",
                        sha256=evidence.sha256,
                        name=evidence.original_name,
                        kind=evidence.kind,
                        size=evidence.size,
                        content_type=evidence.content_type,
                        visibility=evidence.visibility,
                        redacted_of=None,
                        report=report.pk,
                    )
                made.append(evidence)
            except IntegrityError:  # the same picture confirmed in another report at this moment
                evidence = held.get()
        shot.evidence = evidence
        shot.save(update_fields=["evidence"])
    return made


def _evidence_owner(report: InfringementReport, actor: Any) -> Membership:
    """Whose evidence it is: the reporting member's, else the confirming organiser's, else (staff
    confirmed) the grievance's first organiser's."""
    if report.reporter_membership_id and report.reporter_membership.is_active:
        return report.reporter_membership
    return (
        membership_of(actor, report.grievance)
        or report.grievance.memberships.organisers().order_by("joined_at").first()
    )


def _copy_to_evidence(
    shot: ReportScreenshot, grievance: Grievance, owner: Membership, report: InfringementReport
) -> Evidence:
    evidence = Evidence(
        grievance=grievance,
        membership=owner,
        kind=EvidenceKind.SCREENSHOT,
        description=(_("Infringing listing: %(url)s") % {"url": report.listing_url})[:300],
        original_name=shot.original_name,
        content_type=shot.content_type,
        size=shot.size,
        sha256=shot.sha256,
        visibility=Evidence.Visibility.ORGANISERS,
    )
    with shot.file.open("rb") as fh:
        evidence.file.save("screenshot", ContentFile(fh.read()), save=False)
    try:
        evidence.save()
    except IntegrityError:
        evidence.file.delete(save=False)
        raise
    return evidence
