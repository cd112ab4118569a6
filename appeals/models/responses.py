"""What the platform said about a round: recorded by an organiser, or taken from the platform's
reply by the inbound reader (then *unclassified* until an organiser classifies it)."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from appeals.models.inbound import InboundMessage
from appeals.models.rounds import Appeal

# The classification of a reply the inbound reader took and no organiser has classified yet. It
# is not one of the choices: nobody records a response as "unclassified".
UNCLASSIFIED = ""


class PlatformResponse(models.Model):
    class Channel(models.TextChoices):
        EMAIL = "email", _("Email")
        PORTAL = "portal", _("Portal message")
        PHONE = "phone", _("Phone call")
        OTHER = "other", _("Other")

    class Classification(models.TextChoices):
        ACKNOWLEDGED = "acknowledged", _("Acknowledged, no decision yet")
        INFO_REQUESTED = "info_requested", _("Asks for more information")
        GRANTED = "granted", _("Granted")
        PARTIAL = "partial", _("Partly granted")
        REJECTED = "rejected", _("Rejected")

    appeal = models.ForeignKey(Appeal, on_delete=models.CASCADE, related_name="responses")
    received_at = models.DateTimeField(_("received at"))
    channel = models.CharField(
        _("channel"), max_length=10, choices=Channel.choices, default=Channel.EMAIL
    )
    text = models.TextField(_("what the platform said"), max_length=30000)
    classification = models.CharField(
        _("classification"), max_length=16, choices=Classification.choices, blank=True
    )
    # From the inbound reader: who wrote, what the plain rules suggest, and the message itself.
    sender = models.CharField(_("sender"), max_length=320, blank=True)
    suggested_classification = models.CharField(
        _("suggested classification"), max_length=16, choices=Classification.choices, blank=True
    )
    inbound_message = models.OneToOneField(
        InboundMessage,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="response",
    )
    classified_at = models.DateTimeField(null=True, blank=True)
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["received_at", "id"]
        verbose_name = _("platform response")
        verbose_name_plural = _("platform responses")

    def __str__(self) -> str:
        return f"{self.classification or 'unclassified'} @ {self.received_at:%Y-%m-%d}"

    @property
    def is_unclassified(self) -> bool:
        return self.classification == UNCLASSIFIED
