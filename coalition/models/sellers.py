"""Sellers (the profile beside Django's user) and their stores."""

from __future__ import annotations

import uuid

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from coalition.models.platforms import Platform


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
    # Where the seller's business is established (ISO 3166-1 alpha-2): decides whether laws that
    # protect only businesses established somewhere (EU P2B) may be cited for them.
    country_of_establishment = models.CharField(
        _("country of establishment"), max_length=2, blank=True
    )
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
