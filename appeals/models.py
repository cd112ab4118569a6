"""What is sent to the platform and what comes back: rounds, signatures, members' own submissions,
platform responses; and the durable schedule (FollowUp) and email outbox (Notification).

Every write goes through appeals/actions.py. State moves are defined once, in appeals/states.py.
"""

from __future__ import annotations

from decimal import Decimal

from django.conf import settings
from django.core.validators import MinValueValidator
from django.db import models
from django.db.models import Q
from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from coalition.models import Grievance, Membership, Seller, currency_validator


class Appeal(models.Model):
    """One round of the collective appeal."""

    class State(models.TextChoices):
        DRAFT = "draft", _("Draft")
        SIGNING = "signing", _("Open for signing")
        READY = "ready", _("Ready to submit")
        SUBMITTED = "submitted", _("Submitted")
        INFO_REQUESTED = "info_requested", _("Information requested")
        RESPONDED = "responded", _("Responded")
        WITHDRAWN = "withdrawn", _("Withdrawn")

    class Outcome(models.TextChoices):
        NONE = "", _("No outcome yet")
        GRANTED = "granted", _("Granted")
        PARTIAL = "partial", _("Partly granted")
        REJECTED = "rejected", _("Rejected")

    class Channel(models.TextChoices):
        EMAIL = "email", _("Email (Coalition sends it)")
        PORTAL = "portal", _("Portal (an organiser submits it by hand)")

    # The languages letters are written in are the languages sellers use the site in.
    Language = Seller.Language

    grievance = models.ForeignKey(Grievance, on_delete=models.CASCADE, related_name="rounds")
    number = models.PositiveIntegerField(_("round"))
    previous = models.OneToOneField(
        "self", null=True, blank=True, on_delete=models.SET_NULL, related_name="next_round"
    )
    subject = models.CharField(_("subject"), max_length=200)
    letter = models.TextField(_("letter"), max_length=30000)
    language = models.CharField(
        _("letter language"), max_length=10, choices=Language.choices, default=Language.EN
    )
    channel = models.CharField(
        _("channel"), max_length=10, choices=Channel.choices, default=Channel.PORTAL
    )
    state = models.CharField(_("state"), max_length=16, choices=State.choices, default=State.DRAFT)
    outcome = models.CharField(
        _("outcome"), max_length=10, choices=Outcome.choices, default=Outcome.NONE, blank=True
    )
    signature_goal = models.PositiveIntegerField(
        _("signature goal"), default=10, validators=[MinValueValidator(1)]
    )
    signing_opened_at = models.DateTimeField(null=True, blank=True)
    signing_deadline = models.DateTimeField(_("signing deadline"), null=True, blank=True)
    scheduled_submit_at = models.DateTimeField(_("send automatically at"), null=True, blank=True)
    submitted_at = models.DateTimeField(null=True, blank=True)
    case_reference = models.CharField(_("platform case reference"), max_length=120, blank=True)
    message_id = models.CharField(
        max_length=255, blank=True, help_text="Message-ID of the emailed submission"
    )
    # The clock: due moments are computed by appeals/deadlines.py at submission and adjusted when an
    # info request pauses the clock; overdue / very overdue are derived from them, never stored.
    response_due_at = models.DateTimeField(null=True, blank=True)
    very_overdue_at = models.DateTimeField(null=True, blank=True)
    paused_at = models.DateTimeField(null=True, blank=True)
    paused_remaining_days = models.PositiveSmallIntegerField(null=True, blank=True)
    chases_sent = models.PositiveSmallIntegerField(default=0)
    responded_at = models.DateTimeField(null=True, blank=True)
    new_round_reason = models.TextField(
        _("why this round goes out without anything new"), blank=True
    )
    packet_sha256 = models.CharField(max_length=64, blank=True)
    packet_evidence = models.ManyToManyField(
        "coalition.Evidence", blank=True, related_name="+", verbose_name=_("evidence in the packet")
    )
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["grievance_id", "number"]
        verbose_name = _("appeal round")
        verbose_name_plural = _("appeal rounds")
        constraints = [
            models.UniqueConstraint(
                fields=["grievance", "number"], name="appeal_round_unique_per_grievance"
            )
        ]
        indexes = [models.Index(fields=["state", "response_due_at"])]

    def __str__(self) -> str:
        return f"{self.grievance} — round {self.number}"

    def get_absolute_url(self) -> str:
        return reverse("appeals:round_detail", args=[self.pk])


class SignatureQuerySet(models.QuerySet):
    def counted(self) -> SignatureQuerySet:
        """Signatures that count: not withdrawn, by an active member whose email is verified."""
        return self.filter(
            withdrawn_at__isnull=True,
            membership__state__in=[Membership.State.JOINED, Membership.State.VERIFIED],
            membership__seller__user__emailaddress__verified=True,
        ).distinct()


class Signature(models.Model):
    """A member co-signing one round. One row per member and round; withdrawing sets
    withdrawn_at and signing again clears it."""

    appeal = models.ForeignKey(Appeal, on_delete=models.CASCADE, related_name="signatures")
    membership = models.ForeignKey(Membership, on_delete=models.CASCADE, related_name="signatures")
    consent_to_name = models.BooleanField(_("name me in the signer list"), default=False)
    signed_at = models.DateTimeField(auto_now_add=True)
    withdrawn_at = models.DateTimeField(null=True, blank=True)

    objects = SignatureQuerySet.as_manager()

    class Meta:
        ordering = ["signed_at"]
        verbose_name = _("signature")
        verbose_name_plural = _("signatures")
        constraints = [
            models.UniqueConstraint(
                fields=["appeal", "membership"], name="signature_one_per_member"
            )
        ]

    def __str__(self) -> str:
        return f"signature {self.pk} on appeal {self.appeal_id}"


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
    submitted_on = models.DateField(_("date submitted"))
    ticket_reference = models.CharField(_("platform ticket reference"), max_length=120, blank=True)
    outcome = models.CharField(
        _("outcome"), max_length=16, choices=Outcome.choices, default=Outcome.PENDING
    )
    outcome_on = models.DateField(_("outcome date"), null=True, blank=True)
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
        _("classification"), max_length=16, choices=Classification.choices
    )
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["received_at", "id"]
        verbose_name = _("platform response")
        verbose_name_plural = _("platform responses")

    def __str__(self) -> str:
        return f"{self.classification} @ {self.received_at:%Y-%m-%d}"


class FollowUp(models.Model):
    """One scheduled job. The database, not the broker, is the schedule (DESIGN.md)."""

    class Kind(models.TextChoices):
        SIGNING_REMINDER = "signing_reminder", _("Signing reminder")
        AUTO_SUBMIT = "auto_submit", _("Automatic submission")
        MEMBER_SUBMIT_REMINDER = "member_submit_reminder", _("Reminder to file own appeal")
        RESPONSE_CHASE = "response_chase", _("Chase the platform")
        OVERDUE_ALERT = "overdue_alert", _("Overdue alert")
        OUTCOME_CHECK = "outcome_check", _("Ask for the outcome")
        NEXT_ROUND = "next_round", _("Prepare the next round")

    class State(models.TextChoices):
        SCHEDULED = "scheduled", _("Scheduled")
        RUNNING = "running", _("Running")
        DONE = "done", _("Done")
        CANCELLED = "cancelled", _("Cancelled")
        FAILED = "failed", _("Failed")

    kind = models.CharField(max_length=32, choices=Kind.choices)
    # Unique per occurrence, e.g. "signing_reminder:12:opened+2d": scheduling twice changes nothing.
    key = models.CharField(max_length=120, unique=True)
    appeal = models.ForeignKey(
        Appeal, null=True, blank=True, on_delete=models.CASCADE, related_name="follow_ups"
    )
    submission = models.ForeignKey(
        Submission, null=True, blank=True, on_delete=models.CASCADE, related_name="follow_ups"
    )
    due_at = models.DateTimeField()
    state = models.CharField(max_length=10, choices=State.choices, default=State.SCHEDULED)
    attempts = models.PositiveSmallIntegerField(default=0)
    claimed_at = models.DateTimeField(null=True, blank=True)
    finished_at = models.DateTimeField(null=True, blank=True)
    last_error = models.TextField(blank=True)
    data = models.JSONField(default=dict, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["due_at", "id"]
        verbose_name = _("follow-up")
        verbose_name_plural = _("follow-ups")
        indexes = [models.Index(fields=["state", "due_at"])]

    def __str__(self) -> str:
        return f"{self.kind} @ {self.due_at:%Y-%m-%d %H:%M}"


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
