"""Watchers' infringement reports and their screenshots (docs/domain.md, reports).

Structure only: every write goes through coalition/actions/reports.py.
"""

from __future__ import annotations

import secrets
import uuid
from datetime import timedelta

from django.conf import settings
from django.db import models
from django.db.models import F, Q
from django.utils.translation import gettext_lazy as _

from coalition.models.grievances import Grievance, Membership
from coalition.models.platforms import Platform
from coalition.models.sellers import Seller

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
