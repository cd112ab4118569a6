"""The email outbox (appeals/outbox, docs/outbox.md) and sellers' opt-outs from it."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from appeals.models.rounds import Appeal
from coalition.models import Grievance, Seller


class Notification(models.Model):
    """The email outbox. Rows are written first (unique dedupe_key), sent after commit by a task
    that claims the row, so nothing is lost and nothing is sent twice."""

    class State(models.TextChoices):
        PENDING = "pending", _("Pending")
        SENDING = "sending", _("Sending")
        SENT = "sent", _("Sent")
        FAILED = "failed", _("Failed")
        SUPPRESSED = "suppressed", _("Suppressed (unsubscribed)")

    recipient = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    to_email = models.EmailField()
    cc = models.JSONField(default=list, blank=True)
    kind = models.CharField(max_length=40)
    dedupe_key = models.CharField(max_length=160, unique=True)
    grievance = models.ForeignKey(
        Grievance, null=True, blank=True, on_delete=models.CASCADE, related_name="+"
    )
    appeal = models.ForeignKey(
        Appeal, null=True, blank=True, on_delete=models.CASCADE, related_name="notifications"
    )
    subject = models.CharField(max_length=255)
    body_text = models.TextField()
    body_html = models.TextField(blank=True)
    headers = models.JSONField(default=dict, blank=True)
    state = models.CharField(max_length=12, choices=State.choices, default=State.PENDING)
    send_after = models.DateTimeField(
        null=True, blank=True, help_text="held until the recipient's daytime"
    )
    attempts = models.PositiveSmallIntegerField(default=0)
    claimed_at = models.DateTimeField(null=True, blank=True)
    # Until when the sender that claimed the row owns it (renewed while its batch is sent); once
    # it has passed, the sweeper takes the row over (docs/outbox.md "Leases").
    lease_until = models.DateTimeField(null=True, blank=True)
    sent_at = models.DateTimeField(null=True, blank=True)
    message_id = models.CharField(max_length=255, blank=True)
    last_error = models.TextField(blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-created_at", "-id"]
        verbose_name = _("notification")
        verbose_name_plural = _("notifications")
        indexes = [models.Index(fields=["state", "send_after"])]

    def __str__(self) -> str:
        return f"{self.kind} → {self.to_email} ({self.state})"

    @property
    def delivery_unknown(self) -> bool:
        """Failed after it was handed to the SMTP server without an answer: it may have arrived
        (the only failure that keeps `sent_at`)."""
        return self.state == self.State.FAILED and self.sent_at is not None


class Unsubscribe(models.Model):
    """A seller's opt-out from one grievance's emails (grievance set) or from all (grievance null)."""

    seller = models.ForeignKey(Seller, on_delete=models.CASCADE, related_name="unsubscribes")
    grievance = models.ForeignKey(
        Grievance, null=True, blank=True, on_delete=models.CASCADE, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("unsubscribe")
        verbose_name_plural = _("unsubscribes")
        constraints = [
            models.UniqueConstraint(
                fields=["seller", "grievance"], name="unsubscribe_once_per_grievance"
            ),
            models.UniqueConstraint(
                fields=["seller"],
                condition=Q(grievance__isnull=True),
                name="unsubscribe_once_globally",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.seller} - {self.grievance or _('all emails')}"
