"""Infringement reports and their coupon rewards: every write, and the questions views ask.

- submit_report: a member, or a watcher without an account, reports a listing. A watcher's report
  counts only once its email address is confirmed (confirm_watcher_email).
- review_report: the grievance's organisers (or the brand's owner, or staff) confirm or reject it.
  Confirming turns its screenshots into grievance evidence and gives a watcher one coupon code.
- offer_coupons / withdraw_coupon_offer: members fill the reward pool.
- report_status: what the watcher's private status link shows.

Reports of one listing (same normalised URL, platform and target) are one group: its first
confirmed report is the original, the others point at it (`duplicate_of`), so a listing is counted,
annexed and rewarded once. Every action that changes a group locks all of its rows in id order
first, so two reviews of the same listing serialise and cannot deadlock.
"""

from __future__ import annotations

import hashlib
import logging
import os
import re
import secrets
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import date
from typing import Any
from urllib.parse import parse_qsl, unquote, urlencode, urlsplit

import filetype
from allauth.account.models import EmailAddress
from django.conf import settings
from django.core import signing
from django.core.files.base import ContentFile
from django.db import IntegrityError, connection, transaction
from django.db.models import Q, QuerySet
from django.utils import timezone, translation
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from coalition.categories import Category, EvidenceKind
from coalition.errors import ActionRefused
from coalition.models import (
    Coupon,
    CouponOffer,
    Evidence,
    Grievance,
    InfringementReport,
    Membership,
    Platform,
    ReportScreenshot,
    Seller,
    Store,
)
from coalition.queries import can_organise, is_staff, listed_grievances, membership_of, seller_of
from coalition.reports_emails import send_confirmation_email, send_coupon_email
from coalition.reports_models import CONFIRM_WITHIN
from coalition.timeline import record_event, register_verbs

logger = logging.getLogger(__name__)

# Watchers report against coalitions fighting counterfeits, or against a member's own brand.
REPORTABLE_CATEGORIES = (Category.COUNTERFEIT_INFRINGER,)
SCREENSHOT_TYPES = {"image/png", "image/jpeg", "image/webp"}
MAX_SCREENSHOTS = 5
MAX_SCREENSHOT_BYTES = 10 * 1024 * 1024
MAX_COUPONS_PER_OFFER = 1000
CODE_ALPHABET = "ABCDEFGHJKMNPQRSTUVWXYZ23456789"  # no 0/O, 1/I/L: codes are typed by hand
BRAND_LINK_SALT = "coalition.reports.brand-link"

register_verbs(
    {
        "report.received": gettext_lazy("received an infringement report"),
        "report.confirmed": gettext_lazy("confirmed an infringement report"),
        "report.rejected": gettext_lazy("rejected an infringement report"),
        "coupons.offered": gettext_lazy("offered coupon rewards for watchers"),
        "coupons.withdrawn": gettext_lazy("withdrew a coupon offer"),
        "coupon.issued": gettext_lazy("sent a watcher a coupon"),
        "health.recorded": gettext_lazy("saved a store health check"),
        "health.deleted": gettext_lazy("deleted a store health check"),
    }
)


# --- listing URLs ----------------------------------------------------------------------------

TRACKING_PARAMS = {
    "spm",
    "scm",
    "ref",
    "ref_",
    "source",
    "from",
    "share",
    "share_id",
    "social_share",
    "gclid",
    "fbclid",
    "igshid",
    "pvid",
    "sk",
    "tt",
    "th",
    "psc",
    "qid",
    "sr",
    "keywords",
    "crid",
    "sprefix",
    "_t",
    "srsltid",
}
TRACKING_PREFIXES = ("utm_", "aff_", "algo_", "pd_rd_", "pf_rd_", "mc_", "_branch")
AMAZON_ITEM = re.compile(r"/(?:dp|gp/product|gp/aw/d)/([A-Za-z0-9]{10})(?:/|$)")


def normalise_listing_url(url: str) -> str:
    """The listing's identity: host without "www."/"m.", path without trailing slash or Amazon's
    "/ref=…" tail, and the query without tracking parameters, sorted. The scheme is ignored."""
    parts = urlsplit(url.strip())
    host = (parts.hostname or "").lower()
    for prefix in ("www.", "m.", "mobile."):
        if host.startswith(prefix):
            host = host[len(prefix) :]
            break
    path = re.sub(r"/+", "/", unquote(parts.path))
    path = re.sub(r"/ref=[^/]*$", "", path).rstrip("/")
    if (item := AMAZON_ITEM.search(path + "/")) and "amazon." in host:
        path = f"/dp/{item.group(1).upper()}"
    query = sorted(
        (k, v)
        for k, v in parse_qsl(parts.query, keep_blank_values=False)
        if k.lower() not in TRACKING_PARAMS and not k.lower().startswith(TRACKING_PREFIXES)
    )
    return (host + path + (f"?{urlencode(query)}" if query else ""))[:1000]


# --- who may see what ----------------------------------------------------------------------


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


# --- screenshots ---------------------------------------------------------------------------


@dataclass(frozen=True)
class ScreenshotInfo:
    content_type: str
    size: int
    sha256: str


def check_screenshot(uploaded: Any) -> ScreenshotInfo:
    """PNG, JPEG or WebP, judged by the file's bytes, never its name or the browser's word."""
    name = os.path.basename(getattr(uploaded, "name", "") or "")
    size = uploaded.size
    if not size:
        raise ActionRefused(_("“%(name)s” is empty.") % {"name": name}, field="screenshots")
    if size > MAX_SCREENSHOT_BYTES:
        raise ActionRefused(
            _("“%(name)s” is larger than 10 MB.") % {"name": name}, field="screenshots"
        )
    uploaded.seek(0)
    kind = filetype.guess(uploaded.read(261))
    if kind is None or kind.mime not in SCREENSHOT_TYPES:
        raise ActionRefused(
            _("“%(name)s” is not a PNG, JPEG or WebP image. Send screenshots as pictures.")
            % {"name": name},
            field="screenshots",
        )
    uploaded.seek(0)
    digest = hashlib.sha256()
    for chunk in uploaded.chunks():
        digest.update(chunk)
    uploaded.seek(0)
    return ScreenshotInfo(kind.mime, size, digest.hexdigest())


def check_screenshots(files: Sequence[Any]) -> list[ScreenshotInfo]:
    if not files:
        raise ActionRefused(_("Add at least one screenshot of the listing."), field="screenshots")
    if len(files) > MAX_SCREENSHOTS:
        raise ActionRefused(
            _("Send at most %(n)s screenshots.") % {"n": MAX_SCREENSHOTS}, field="screenshots"
        )
    return [check_screenshot(f) for f in files]


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
    a watcher's waits for the email confirmation link, sent after commit."""
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
        transaction.on_commit(lambda: send_confirmation_email(report.pk))
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
    _relink(_lock_group(report))
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
        group = _lock_group(found)
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


def _same_listing(report: InfringementReport) -> QuerySet[InfringementReport]:
    qs = InfringementReport.objects.filter(
        platform_id=report.platform_id, listing_key=report.listing_key
    )
    if report.grievance_id is not None:
        return qs.filter(grievance_id=report.grievance_id)
    return qs.filter(grievance__isnull=True, brand_owner_id=report.brand_owner_id)


def _lock_group(report: InfringementReport) -> list[InfringementReport]:
    # Every report of the listing, locked in id order: the one lock order all actions share.
    return list(_same_listing(report).select_for_update().order_by("pk"))


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


def duplicates_of(report: InfringementReport) -> QuerySet[InfringementReport]:
    """Other counting reports of the same listing (for the reviewer)."""
    return (
        _same_listing(report)
        .exclude(pk=report.pk)
        .filter(email_confirmed_at__isnull=False)
        .order_by("created_at")
    )


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
        group = _lock_group(report)
        report = next(r for r in group if r.pk == report.pk)
        _check_reviewable(report, actor, decision)
        if report.state != InfringementReport.State.NEW:
            return ReviewResult(report, _coupon_of(report))
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
        coupon = _take_coupon(report)
        owed = coupon is None
        if coupon is not None:
            transaction.on_commit(lambda: send_coupon_email(report.pk))
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
                    # The evidence custody log (coalition/evidence.py) starts with this event.
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


# --- coupons -------------------------------------------------------------------------------


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


def _take_coupon(report: InfringementReport) -> Coupon | None:
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


def _coupon_of(report: InfringementReport) -> Coupon | None:
    return Coupon.objects.select_related("offer__store").filter(issued_to_report=report).first()


def _award_waiting(*, grievance: Grievance | None, seller: Seller | None, limit: int) -> int:
    """Confirmed watcher reports that found the pool empty get a code now, oldest first."""
    waiting = InfringementReport.objects.filter(
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
        if _coupon_of(report) is not None:
            continue
        coupon = _take_coupon(report)
        if coupon is None:
            break
        awarded += 1
        record_event(report.grievance, "coupon.issued", actor=None, subject=f"report:{report.pk}")
        transaction.on_commit(lambda pk=pk: send_coupon_email(pk))
    return awarded


def _new_codes(n: int) -> list[str]:
    codes: set[str] = set()
    while len(codes) < n:
        codes.add("".join(secrets.choice(CODE_ALPHABET) for _i in range(10)))
    return sorted(codes)


def clean_codes(text_or_codes: str | Iterable[str]) -> list[str]:
    """One code per line (or comma); blanks and repeats dropped, order kept."""
    items = (
        text_or_codes.replace(",", "\n").splitlines()
        if isinstance(text_or_codes, str)
        else text_or_codes
    )
    seen: dict[str, None] = {}
    for item in items:
        code = item.strip()
        if code:
            seen.setdefault(code, None)
    return list(seen)


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
        codes = _new_codes(quantity)
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
    _award_waiting(grievance=membership.grievance, seller=membership.seller, limit=len(codes))
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
    coupon = _coupon_of(report)
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
