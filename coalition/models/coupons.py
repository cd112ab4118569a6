"""Coupon rewards members offer for confirmed watcher reports.

Structure only: every write goes through coalition/actions/coupons.py.
"""

from __future__ import annotations

from django.db import models
from django.utils.translation import gettext_lazy as _

from coalition.models.grievances import Membership
from coalition.models.reports import InfringementReport
from coalition.models.sellers import Store


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
