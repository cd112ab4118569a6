"""Grievances and the sellers in them (memberships)."""

from __future__ import annotations

import secrets
from decimal import Decimal

from django.core.validators import MinValueValidator
from django.db import models
from django.db.models import Q
from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from coalition.categories import Category
from coalition.models.platforms import Platform
from coalition.models.sellers import Seller, Store
from coalition.rules.dates import validate_plausible_date
from coalition.rules.money import validate_currency

# An ISO 4217 code in use today (coalition/rules/money.py): three capital letters are not enough.
currency_validator = validate_currency


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
        REPRESENTATIVE_ACTION = "representative_action", _("Representative action (P2B Art. 14)")
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
    infraction_date = models.DateField(
        _("date of the platform's action"),
        null=True,
        blank=True,
        validators=[validate_plausible_date],
    )
    # Ids are sequential, so "unlisted: only people with the link" needs a secret in the link.
    share_key = models.CharField(max_length=32, default=new_share_key, editable=False)
    created_by = models.ForeignKey(Seller, null=True, on_delete=models.SET_NULL, related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)
    # The stored search document (coalition/rules/search.py terms), written by the grievance
    # actions through coalition/actions/search.py. PostgreSQL derives a weighted tsvector from it
    # (GIN) and indexes the title terms by trigrams; SQLite copies it into an FTS5 table.
    search_title = models.TextField(default="", editable=False)
    search_body = models.TextField(default="", editable=False)
    # What anyone but organisers reads of the store count and amounts: the disclosure rule's
    # answer (coalition.queries.memberships.aggregates), stored by the membership actions in the
    # same transaction (coalition/actions/tallies.py) so a read never sums every member. Empty
    # until first written: readers then compute it.
    released_figures = models.JSONField(default=dict, blank=True, editable=False)

    class Meta:
        ordering = ["-created_at"]
        verbose_name = _("grievance")
        verbose_name_plural = _("grievances")
        indexes = [
            models.Index(fields=["platform", "state"]),
            models.Index(fields=["category"]),
            # The list's order (newest first) over what it lists, so a page is an index range.
            models.Index(
                fields=["-created_at", "-id"],
                name="grievance_listed_newest",
                condition=Q(hidden=False) & ~Q(state="merged"),
            ),
        ]

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
    incident_date = models.DateField(
        _("incident date"), null=True, blank=True, validators=[validate_plausible_date]
    )
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
