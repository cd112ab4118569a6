"""Who is in a grievance and what they bring: platforms, sellers, stores, grievances, members.

Every write goes through coalition/actions.py; this module only holds structure, choices and
small derived properties.
"""

from __future__ import annotations

import secrets
import uuid
from decimal import Decimal

from django.conf import settings
from django.core.validators import MaxValueValidator, MinValueValidator, RegexValidator
from django.db import models
from django.db.models import Q
from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from coalition.categories import Category, EvidenceKind

currency_validator = RegexValidator(
    r"^[A-Z]{3}$", _("Use a three-letter currency code such as USD or CNY.")
)


class Platform(models.Model):
    """A marketplace profile; its clock fields drive appeals/deadlines.py."""

    name = models.CharField(_("name"), max_length=80, unique=True)
    slug = models.SlugField(_("slug"), max_length=80, unique=True)
    appeal_email = models.EmailField(_("appeal email address"), blank=True)
    portal_url = models.URLField(_("appeal portal URL"), blank=True)
    holiday_country = models.CharField(
        _("holiday calendar"),
        max_length=8,
        blank=True,
        help_text=_(
            "Country code for the holidays package, e.g. US, CN, DE. Empty: weekends only."
        ),
    )
    holiday_subdivision = models.CharField(_("holiday subdivision"), max_length=8, blank=True)
    time_zone = models.CharField(_("time zone"), max_length=64, default="UTC")
    response_business_days = models.PositiveSmallIntegerField(
        _("expected response (business days)"),
        default=10,
        validators=[MinValueValidator(1), MaxValueValidator(120)],
    )
    chase_business_days = models.PositiveSmallIntegerField(
        _("chase every (business days)"), default=5, validators=[MaxValueValidator(60)]
    )
    round_cap = models.PositiveSmallIntegerField(
        _("rounds per channel before warning"), default=3, validators=[MinValueValidator(1)]
    )
    appeal_window_days = models.PositiveSmallIntegerField(
        _("appeal window (days after an infraction)"), default=90
    )
    # Suspension thresholds used by the store health check (DESIGN.md §2).
    max_unfulfillable_refund_rate = models.DecimalField(
        _("max refund rate for unfulfillable orders (%)"),
        max_digits=5,
        decimal_places=2,
        default=Decimal("3.00"),
    )
    max_chargeback_rate = models.DecimalField(
        _("chargeback rate treated as high from (%)"),
        max_digits=5,
        decimal_places=2,
        default=Decimal("0.50"),
    )
    min_fulfilment_rate = models.DecimalField(
        _("minimum fulfilment rate (%)"), max_digits=5, decimal_places=2, default=Decimal("90.00")
    )
    notes = models.TextField(_("what this platform accepts"), blank=True)

    class Meta:
        ordering = ["name"]
        verbose_name = _("platform")
        verbose_name_plural = _("platforms")

    def __str__(self) -> str:
        return self.name


class Seller(models.Model):
    """The profile beside Django's user."""

    class Language(models.TextChoices):
        EN = "en", _("English")
        ZH_HANS = "zh-hans", _("Simplified Chinese")

    user = models.OneToOneField(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="seller"
    )
    display_name = models.CharField(_("display name"), max_length=80)
    language = models.CharField(
        _("language"), max_length=10, choices=Language.choices, default=Language.EN
    )
    time_zone = models.CharField(_("time zone"), max_length=64, default="UTC")
    email_notifications = models.BooleanField(_("send me reminder emails"), default=True)
    unsubscribe_token = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("seller")
        verbose_name_plural = _("sellers")

    def __str__(self) -> str:
        return self.display_name


class Store(models.Model):
    class State(models.TextChoices):
        ACTIVE = "active", _("Active")
        SUSPENDED = "suspended", _("Suspended")
        TERMINATED = "terminated", _("Terminated")
        FUNDS_HELD = "funds_held", _("Funds held")

    seller = models.ForeignKey(Seller, on_delete=models.CASCADE, related_name="stores")
    platform = models.ForeignKey(Platform, on_delete=models.PROTECT, related_name="stores")
    name = models.CharField(_("store name"), max_length=120)
    # Sensitive: only the owner and the organisers of a grievance it is part of may see it.
    platform_store_id = models.CharField(_("platform store ID"), max_length=120)
    state = models.CharField(_("state"), max_length=16, choices=State.choices, default=State.ACTIVE)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["name"]
        verbose_name = _("store")
        verbose_name_plural = _("stores")
        constraints = [
            models.UniqueConstraint(
                fields=["seller", "platform", "platform_store_id"],
                name="store_unique_per_seller_platform",
            )
        ]

    def __str__(self) -> str:
        return f"{self.name} ({self.platform})"


def new_share_key() -> str:
    return secrets.token_urlsafe(16)


class Grievance(models.Model):
    class State(models.TextChoices):
        OPEN = "open", _("Open")
        RESOLVED = "resolved", _("Resolved")
        CLOSED = "closed", _("Closed")
        MERGED = "merged", _("Merged")

    class Visibility(models.TextChoices):
        PUBLIC = "public", _("Public: anyone can find it")
        UNLISTED = "unlisted", _("Unlisted: only people with the link")

    class Rung(models.TextChoices):
        # The escalation ladder, from the platform's own process to outside bodies.
        PLATFORM_APPEAL = "platform_appeal", _("Platform appeal")
        INTERNAL_COMPLAINT = "internal_complaint", _("Internal complaint (P2B Art. 11)")
        MEDIATION = "mediation", _("Mediation (P2B Art. 12)")
        OUT_OF_COURT = "out_of_court", _("Out-of-court settlement (DSA Art. 21)")
        REGULATOR = "regulator", _("Regulator complaint")
        COURT = "court", _("Court")

    platform = models.ForeignKey(Platform, on_delete=models.PROTECT, related_name="grievances")
    category = models.CharField(_("what happened"), max_length=32, choices=Category.choices)
    title = models.CharField(_("title"), max_length=160)
    summary = models.TextField(_("summary"), max_length=5000)
    demands = models.TextField(_("what we ask the platform for"), max_length=5000)
    state = models.CharField(_("state"), max_length=16, choices=State.choices, default=State.OPEN)
    rung = models.CharField(
        _("escalation"), max_length=24, choices=Rung.choices, default=Rung.PLATFORM_APPEAL
    )
    visibility = models.CharField(
        _("visibility"), max_length=10, choices=Visibility.choices, default=Visibility.PUBLIC
    )
    auto_rounds = models.BooleanField(
        _("draft the next round automatically"),
        default=False,
        help_text=_(
            "When the platform rejects or partly grants a round, Coalition drafts the next one from "
            "its letter for the organisers to review. Nothing is sent without an organiser."
        ),
    )
    hidden = models.BooleanField(_("hidden by staff"), default=False)
    hidden_reason = models.CharField(_("reason for hiding"), max_length=200, blank=True)
    merged_into = models.ForeignKey(
        "self", null=True, blank=True, on_delete=models.SET_NULL, related_name="merged_from"
    )
    infraction_date = models.DateField(_("date of the platform's action"), null=True, blank=True)
    # Ids are sequential, so "unlisted: only people with the link" needs a secret in the link.
    share_key = models.CharField(max_length=32, default=new_share_key, editable=False)
    created_by = models.ForeignKey(Seller, null=True, on_delete=models.SET_NULL, related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["-created_at"]
        verbose_name = _("grievance")
        verbose_name_plural = _("grievances")
        indexes = [models.Index(fields=["platform", "state"]), models.Index(fields=["category"])]

    def __str__(self) -> str:
        return self.title

    def get_absolute_url(self) -> str:
        return reverse("coalition:grievance_detail", args=[self.pk])

    @property
    def is_open(self) -> bool:
        return self.state == self.State.OPEN and not self.hidden


class MembershipQuerySet(models.QuerySet):
    def active(self) -> MembershipQuerySet:
        return self.exclude(state=Membership.State.WITHDRAWN)

    def organisers(self) -> MembershipQuerySet:
        return self.active().filter(role=Membership.Role.ORGANISER)


class Membership(models.Model):
    """A seller in a grievance. One row per seller and grievance: leaving withdraws it, re-joining
    reactivates it, so "one active membership" is a plain unique constraint."""

    class Role(models.TextChoices):
        ORGANISER = "organiser", _("Organiser")
        MEMBER = "member", _("Member")

    class State(models.TextChoices):
        JOINED = "joined", _("Joined")
        VERIFIED = "verified", _("Verified")
        WITHDRAWN = "withdrawn", _("Withdrawn")

    grievance = models.ForeignKey(Grievance, on_delete=models.CASCADE, related_name="memberships")
    seller = models.ForeignKey(Seller, on_delete=models.CASCADE, related_name="memberships")
    role = models.CharField(_("role"), max_length=10, choices=Role.choices, default=Role.MEMBER)
    state = models.CharField(_("state"), max_length=10, choices=State.choices, default=State.JOINED)
    store = models.ForeignKey(
        Store,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="memberships",
        verbose_name=_("affected store"),
    )
    incident_date = models.DateField(_("incident date"), null=True, blank=True)
    amount_withheld = models.DecimalField(
        _("amount withheld"),
        max_digits=14,
        decimal_places=2,
        default=Decimal("0"),
        validators=[MinValueValidator(0)],
    )
    amount_fined = models.DecimalField(
        _("amount fined"),
        max_digits=14,
        decimal_places=2,
        default=Decimal("0"),
        validators=[MinValueValidator(0)],
    )
    currency = models.CharField(
        _("currency"), max_length=3, default="USD", validators=[currency_validator]
    )
    statement = models.TextField(_("what happened to you"), max_length=3000, blank=True)
    consent_to_name = models.BooleanField(_("I agree to be named to the platform"), default=False)
    joined_at = models.DateTimeField(auto_now_add=True)
    verified_at = models.DateTimeField(null=True, blank=True)
    withdrawn_at = models.DateTimeField(null=True, blank=True)

    objects = MembershipQuerySet.as_manager()

    class Meta:
        ordering = ["joined_at"]
        verbose_name = _("membership")
        verbose_name_plural = _("memberships")
        constraints = [
            models.UniqueConstraint(
                fields=["grievance", "seller"], name="membership_one_per_seller"
            ),
            models.CheckConstraint(
                condition=Q(amount_withheld__gte=0) & Q(amount_fined__gte=0),
                name="membership_amounts_non_negative",
            ),
        ]
        indexes = [models.Index(fields=["grievance", "state"])]

    def __str__(self) -> str:
        return f"{self.seller} in {self.grievance}"

    @property
    def is_active(self) -> bool:
        return self.state != self.State.WITHDRAWN

    @property
    def is_organiser(self) -> bool:
        return self.is_active and self.role == self.Role.ORGANISER

    @property
    def contributed(self) -> bool:
        return bool(self.store_id or self.amount_withheld or self.amount_fined)


class AuditEvent(models.Model):
    """The append-only timeline of a grievance and its rounds.

    It lives in `coalition` (DESIGN.md puts it in `appeals`) because joining, leaving and merging
    must write it too, and `coalition` never imports `appeals`.
    """

    grievance = models.ForeignKey(
        Grievance, null=True, on_delete=models.CASCADE, related_name="events"
    )
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    verb = models.CharField(max_length=48)
    subject = models.CharField(
        max_length=64, blank=True, db_index=True, help_text="e.g. round:2, evidence:17"
    )
    data = models.JSONField(default=dict, blank=True)
    created_at = models.DateTimeField(auto_now_add=True, db_index=True)

    class Meta:
        ordering = ["-created_at", "-id"]
        verbose_name = _("timeline event")
        verbose_name_plural = _("timeline events")

    def __str__(self) -> str:
        return f"{self.verb} @ {self.created_at:%Y-%m-%d %H:%M}"


def evidence_path(instance: Evidence, filename: str) -> str:
    # The stored name never comes from the uploader: a random id under the grievance's folder.
    return f"evidence/{instance.grievance_id}/{uuid.uuid4().hex}"


class Evidence(models.Model):
    """A file a member brings. Never served from a public URL; every view and download is logged
    (AuditEvent with subject "evidence:<id>"). Withdrawing deletes the file but keeps the row."""

    class Visibility(models.TextChoices):
        ORGANISERS = "organisers", _("Organisers only")
        MEMBERS = "members", _("All members")

    grievance = models.ForeignKey(Grievance, on_delete=models.CASCADE, related_name="evidence")
    membership = models.ForeignKey(Membership, on_delete=models.CASCADE, related_name="evidence")
    kind = models.CharField(_("kind"), max_length=24, choices=EvidenceKind.choices)
    description = models.CharField(_("description"), max_length=300, blank=True)
    file = models.FileField(upload_to=evidence_path, max_length=255, blank=True)
    original_name = models.CharField(_("file name"), max_length=255)
    content_type = models.CharField(_("type"), max_length=100)
    size = models.PositiveBigIntegerField(_("size (bytes)"))
    sha256 = models.CharField(_("SHA-256"), max_length=64)
    redacted_of = models.ForeignKey(
        "self",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="redacted_copies",
        verbose_name=_("redacted copy of"),
    )
    visibility = models.CharField(
        _("who can see it"),
        max_length=12,
        choices=Visibility.choices,
        default=Visibility.ORGANISERS,
    )
    uploaded_at = models.DateTimeField(auto_now_add=True)
    withdrawn_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-uploaded_at", "-id"]
        verbose_name = _("evidence")
        verbose_name_plural = _("evidence")
        constraints = [
            # The same file twice in one grievance is recognised, not stored twice.
            models.UniqueConstraint(
                fields=["grievance", "sha256"],
                condition=Q(withdrawn_at__isnull=True),
                name="evidence_unique_file_per_grievance",
            )
        ]
        indexes = [models.Index(fields=["grievance", "kind"])]

    def __str__(self) -> str:
        return f"{self.original_name} ({self.get_kind_display()})"

    @property
    def is_withdrawn(self) -> bool:
        return self.withdrawn_at is not None


from coalition.reports_models import *  # noqa: E402, F403
