"""Store health checks: a seller's figures for one store and period.

Structure only: every write goes through coalition/actions/health.py; the rates and risks come
from the pure rules in coalition/rules/thresholds.py.
"""

from __future__ import annotations

from django.db import models
from django.db.models import F, Q
from django.utils.translation import gettext_lazy as _

from coalition.models.sellers import Store
from coalition.rules.thresholds import Figures, Risk, Thresholds, assess


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

    def figures(self) -> Figures:
        return Figures(
            orders=self.orders,
            unfulfillable_refunds=self.unfulfillable_refunds,
            fulfilled_orders=self.fulfilled_orders,
            chargebacks=self.chargebacks,
            late_shipments=self.late_shipments,
        )

    def risks(self) -> list[Risk]:
        """Each rate against the store's platform thresholds, with a plain explanation."""
        return assess(self.figures(), Thresholds.from_platform(self.store.platform))
