"""Marketplace profiles: their appeal channels, clocks and the suspension thresholds the store
health check compares a store's figures with."""

from __future__ import annotations

from decimal import Decimal

from django.core.exceptions import ValidationError
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.utils.translation import gettext_lazy as _

from coalition.rules.jurisdictions import unknown_regimes


def validate_regimes(value) -> None:
    """A list of regime keys from coalition/rules/jurisdictions.py."""
    if not isinstance(value, list) or not all(isinstance(v, str) for v in value):
        raise ValidationError(_("Give a list of legal regime keys."))
    unknown = unknown_regimes(value)
    if unknown:
        raise ValidationError(_("Unknown legal regime: %(keys)s.") % {"keys": ", ".join(unknown)})


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
    # Suspension thresholds used by the store health check (coalition/rules/thresholds.py).
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
    # Which laws letters and the escalation ladder may cite (coalition/rules/jurisdictions.py).
    legal_regimes = models.JSONField(
        _("legal regimes"),
        default=list,
        blank=True,
        validators=[validate_regimes],
        help_text=_(
            "The laws this platform operates under, e.g. eu_p2b, eu_dsa, cn_ecommerce, us_ftc. "
            "Letters cite only these."
        ),
    )

    class Meta:
        ordering = ["name"]
        verbose_name = _("platform")
        verbose_name_plural = _("platforms")

    def __str__(self) -> str:
        return self.name
