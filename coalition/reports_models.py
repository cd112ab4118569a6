"""Watchers' infringement reports, their coupon rewards, and store health checks (DESIGN.md §3).

Imported at the end of coalition/models.py, so these belong to the coalition app. Structure only:
every write goes through coalition/reports.py (reports, coupons) and coalition/health.py (health
checks); the rates and risks are computed by the pure functions in coalition/health.py.
"""

from __future__ import annotations

import secrets
import uuid
from datetime import timedelta

from django.conf import settings
from django.db import models
from django.db.models import F, Q
from django.utils.translation import gettext_lazy as _

from coalition.models import Grievance, Membership, Platform, Seller, Store

__all__ = ["Coupon", "CouponOffer", "HealthCheck", "InfringementReport", "ReportScreenshot"]


# A watcher has this long to confirm their email address; after that the report lapses.
CONFIRM_WITHIN = timedelta(days=7)


def new_token() -> str:
    """A private, unguessable token for links sent by email (43 URL-safe characters)."""
    return secrets.token_urlsafe(32)


class InfringementReport(models.Model):
    """An infringing listing or store, reported by a member or by a watcher without an account.

    It targets a grievance (the counterfeit coalition) or a member's brand (`brand_owner`, from the
    link that member shared). A watcher's report counts only once its email is confirmed. Several
    reports of one listing (same normalised URL, platform and target) are linked to the first one
    that was confirmed (`duplicate_of`), so a listing is counted, annexed and rewarded once.
    """

    class State(models.TextChoices):
        NEW = "new", _("New")
        CONFIRMED = "confirmed", _("Confirmed")
        REJECTED = "rejected", _("Rejected")

    class Infringes(models.TextChoices):
        TRADEMARK = "trademark", _("Brand name or logo")
        COPYRIGHT = "copyright", _("Copied photos or text")
        DESIGN = "design", _("Product design or patent")
        COUNTERFEIT = "counterfeit", _("Fake copy of the product")
        OTHER = "other", _("Something else")

    grievance = models.ForeignKey(
        Grievance,
        null=True,
        blank=True,
        on_delete=models.CASCADE,
        related_name="infringement_reports",
    )
    brand_owner = models.ForeignKey(
        Seller,
        null=True,
        blank=True,
        on_delete=models.CASCADE,
        related_name="brand_reports",
        verbose_name=_("brand owner"),
    )
    brand = models.CharField(_("brand"), max_length=120, blank=True)
    platform = models.ForeignKey(
        Platform, on_delete=models.PROTECT, related_name="infringement_reports"
    )
    listing_url = models.URLField(_("listing URL"), max_length=1000)
    # The listing URL without tracking parameters, "www." and the like: how duplicates are found.
    listing_key = models.CharField(max_length=1000, editable=False)
    store_url = models.URLField(_("store URL"), max_length=1000, blank=True)
    store_name = models.CharField(_("store name"), max_length=200, blank=True)
    infringes = models.CharField(_("what is infringed"), max_length=16, choices=Infringes.choices)
    details = models.TextField(_("details"), max_length=3000, blank=True)

    # Who reported: a member of the grievance, or a watcher known only by an email address.
    reporter_membership = models.ForeignKey(
        Membership,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="infringement_reports",
    )
    reporter_user = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    # A watcher (not a member of the grievance, not the brand's owner): may earn a coupon.
    from_watcher = models.BooleanField(default=True, editable=False)
    watcher_email = models.EmailField(_("email address"), blank=True)
    watcher_language = models.CharField(_("language"), max_length=10, default="en")
    email_confirmed_at = models.DateTimeField(null=True, blank=True)
    confirm_token = models.CharField(max_length=64, unique=True, default=new_token, editable=False)
    status_token = models.CharField(max_length=64, unique=True, default=new_token, editable=False)

    state = models.CharField(_("state"), max_length=10, choices=State.choices, default=State.NEW)
    reason = models.TextField(_("reason"), max_length=2000, blank=True)
    reviewed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    reviewed_at = models.DateTimeField(null=True, blank=True)
    duplicate_of = models.ForeignKey(
        "self",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="duplicates",
        verbose_name=_("duplicate of"),
    )
    # Set in the transaction that claims the coupon email, so it is sent once.
    coupon_emailed_at = models.DateTimeField(null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-created_at", "-id"]
        verbose_name = _("infringement report")
        verbose_name_plural = _("infringement reports")
        constraints = [
            models.CheckConstraint(
                condition=Q(grievance__isnull=False) | Q(brand_owner__isnull=False),
                name="report_has_a_target",
            ),
            models.CheckConstraint(
                condition=~Q(duplicate_of=F("pk")), name="report_not_duplicate_of_itself"
            ),
        ]
        indexes = [
            models.Index(fields=["grievance", "state"]),
            models.Index(fields=["platform", "listing_key"]),
        ]

    def __str__(self) -> str:
        return self.listing_url

    @property
    def counts(self) -> bool:
        """Whether the report is real yet: a watcher's counts once its email is confirmed."""
        return self.email_confirmed_at is not None

    @property
    def target_label(self) -> str:
        if self.grievance_id:
            return self.grievance.title
        return self.brand or (self.brand_owner.display_name if self.brand_owner_id else "")


def screenshot_path(instance: ReportScreenshot, filename: str) -> str:
    # Never the uploader's name: a random id under the report's folder, in private storage.
    return f"reports/{instance.report_id}/{uuid.uuid4().hex}"


class ReportScreenshot(models.Model):
    """A screenshot sent with a report: PNG, JPEG or WebP, its type sniffed from its bytes."""

    report = models.ForeignKey(
        InfringementReport, on_delete=models.CASCADE, related_name="screenshots"
    )
    file = models.FileField(upload_to=screenshot_path, max_length=255)
    original_name = models.CharField(_("file name"), max_length=255)
    content_type = models.CharField(_("type"), max_length=32)
    size = models.PositiveBigIntegerField(_("size (bytes)"))
    sha256 = models.CharField(_("SHA-256"), max_length=64)
    # The grievance evidence this screenshot became when the report was confirmed.
    evidence = models.ForeignKey(
        "coalition.Evidence", null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    uploaded_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["id"]
        verbose_name = _("report screenshot")
        verbose_name_plural = _("report screenshots")
        constraints = [
            models.UniqueConstraint(
                fields=["report", "sha256"], name="screenshot_unique_per_report"
            )
        ]

    def __str__(self) -> str:
        return self.original_name


class CouponOffer(models.Model):
    """Coupons a member offers as rewards for confirmed watcher reports of their grievance (or of
    their brand): one code per confirmed report, while codes last and the offer has not expired."""

    membership = models.ForeignKey(
        Membership, on_delete=models.CASCADE, related_name="coupon_offers"
    )
    store = models.ForeignKey(
        Store, on_delete=models.CASCADE, related_name="coupon_offers", verbose_name=_("store")
    )
    discount = models.CharField(_("discount"), max_length=200)
    quantity = models.PositiveIntegerField(_("number available"))
    expires_on = models.DateField(_("expires on"))
    created_at = models.DateTimeField(auto_now_add=True)
    withdrawn_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at", "-id"]
        verbose_name = _("coupon offer")
        verbose_name_plural = _("coupon offers")

    def __str__(self) -> str:
        return f"{self.discount} ({self.store})"


class Coupon(models.Model):
    """One code of an offer. `issued_to_report` is one-to-one: a report gets at most one code,
    and a code goes to at most one report."""

    offer = models.ForeignKey(CouponOffer, on_delete=models.CASCADE, related_name="coupons")
    code = models.CharField(_("code"), max_length=64)
    issued_to_report = models.OneToOneField(
        InfringementReport, null=True, blank=True, on_delete=models.SET_NULL, related_name="coupon"
    )
    issued_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["id"]
        verbose_name = _("coupon")
        verbose_name_plural = _("coupons")
        constraints = [
            models.UniqueConstraint(fields=["offer", "code"], name="coupon_code_unique_per_offer")
        ]
        indexes = [models.Index(fields=["offer", "issued_at"])]

    def __str__(self) -> str:
        return self.code


class HealthCheck(models.Model):
    """A seller's figures for one store and period. Figures left empty are unknown, not zero:
    a rate needs both its figure and at least one order."""

    class Source(models.TextChoices):
        MANUAL = "manual", _("Entered by hand")
        CSV = "csv", _("Imported from a CSV order export")

    store = models.ForeignKey(Store, on_delete=models.CASCADE, related_name="health_checks")
    period_start = models.DateField(_("from"))
    period_end = models.DateField(_("to"))
    orders = models.PositiveIntegerField(_("orders received"))
    unfulfillable_refunds = models.PositiveIntegerField(
        _("orders refunded because you could not fulfil them"), null=True, blank=True
    )
    fulfilled_orders = models.PositiveIntegerField(_("orders fulfilled"), null=True, blank=True)
    chargebacks = models.PositiveIntegerField(_("chargebacks"), null=True, blank=True)
    late_shipments = models.PositiveIntegerField(_("late shipments"), null=True, blank=True)
    source = models.CharField(
        _("source"), max_length=8, choices=Source.choices, default=Source.MANUAL
    )
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["-period_end", "-id"]
        verbose_name = _("health check")
        verbose_name_plural = _("health checks")
        constraints = [
            models.UniqueConstraint(
                fields=["store", "period_start", "period_end"], name="health_check_one_per_period"
            ),
            models.CheckConstraint(
                condition=Q(period_end__gte=F("period_start")), name="health_check_period_order"
            ),
            *[
                models.CheckConstraint(
                    condition=Q(**{f"{f}__isnull": True}) | Q(**{f"{f}__lte": F("orders")}),
                    name=f"health_check_{f}_within_orders",
                )
                for f in (
                    "unfulfillable_refunds",
                    "fulfilled_orders",
                    "chargebacks",
                    "late_shipments",
                )
            ],
        ]

    def __str__(self) -> str:
        return f"{self.store} {self.period_start} to {self.period_end}"

    def figures(self):
        from coalition.health import Figures

        return Figures(
            orders=self.orders,
            unfulfillable_refunds=self.unfulfillable_refunds,
            fulfilled_orders=self.fulfilled_orders,
            chargebacks=self.chargebacks,
            late_shipments=self.late_shipments,
        )

    def risks(self):
        """Each rate against the store's platform thresholds, with a plain explanation."""
        from coalition.health import Thresholds, assess

        return assess(self.figures(), Thresholds.from_platform(self.store.platform))
