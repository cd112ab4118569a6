"""Members' own portal appeals, logged against a round: how "ten, a hundred, a thousand appeals" is
counted. Their amounts are private (docs/privacy.md)."""

from __future__ import annotations

from decimal import Decimal

from django.core.validators import MinValueValidator
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from appeals.models.rounds import Appeal
from coalition.models import Membership, currency_validator
from coalition.rules.dates import validate_plausible_date


class Submission(models.Model):
    """A member's own portal appeal in a round: how "ten, a hundred, a thousand appeals" is counted."""

    class Outcome(models.TextChoices):
        PENDING = "pending", _("Pending")
        REINSTATED = "reinstated", _("Store reinstated")
        FUNDS_RELEASED = "funds_released", _("Funds released")
        PARTIAL = "partial", _("Partly successful")
        DENIED = "denied", _("Denied")
        NO_RESPONSE = "no_response", _("No response")

    appeal = models.ForeignKey(Appeal, on_delete=models.CASCADE, related_name="submissions")
    membership = models.ForeignKey(Membership, on_delete=models.CASCADE, related_name="submissions")
    submitted_on = models.DateField(_("date submitted"), validators=[validate_plausible_date])
    ticket_reference = models.CharField(_("platform ticket reference"), max_length=120, blank=True)
    outcome = models.CharField(
        _("outcome"), max_length=16, choices=Outcome.choices, default=Outcome.PENDING
    )
    outcome_on = models.DateField(
        _("outcome date"), null=True, blank=True, validators=[validate_plausible_date]
    )
    amount_recovered = models.DecimalField(
        _("amount recovered"),
        max_digits=14,
        decimal_places=2,
        default=Decimal("0"),
        validators=[MinValueValidator(0)],
    )
    currency = models.CharField(
        _("currency"), max_length=3, default="USD", validators=[currency_validator]
    )
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["submitted_on", "id"]
        verbose_name = _("member submission")
        verbose_name_plural = _("member submissions")
        constraints = [
            models.UniqueConstraint(
                fields=["appeal", "membership"], name="submission_one_per_member_and_round"
            ),
            models.CheckConstraint(
                condition=Q(amount_recovered__gte=0), name="submission_amount_non_negative"
            ),
        ]

    def __str__(self) -> str:
        return f"submission {self.pk} on appeal {self.appeal_id} ({self.outcome})"
