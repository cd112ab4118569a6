"""Appeal rounds and the signatures members put on them.

Every write goes through appeals/actions; state moves are defined once, in appeals/states.py
(docs/domain.md).
"""

from __future__ import annotations

import secrets

from django.conf import settings
from django.core.validators import MinValueValidator
from django.db import models
from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from coalition.models import Grievance, Membership, Seller


def new_reply_token() -> str:
    """The per-round token of the reply address (`appeals+<token>@…`): random, unguessable, and
    short enough to survive a mail client's line wrapping."""
    return secrets.token_hex(10)


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
    # Every email to the platform about this round carries Reply-To: appeals+<token>@… so the
    # platform's answer finds its way back here (appeals/inbound).
    reply_token = models.CharField(
        max_length=32, unique=True, default=new_reply_token, editable=False
    )
    letter = models.TextField(_("letter"), max_length=30000)
    # The same letter in the other language, for signers who read it (never sent to the platform).
    translation_subject = models.CharField(_("subject (translation)"), max_length=200, blank=True)
    translation = models.TextField(_("letter (translation)"), max_length=30000, blank=True)
    # What the coalition asked for when this round was drafted: round N+1 says what changed.
    demands = models.TextField(_("demands in this round"), max_length=5000, blank=True)
    # Set on drafts written before letters carried released figures only: re-draft before signing.
    needs_redraft = models.BooleanField(default=False)
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

    @property
    def translation_language(self) -> str:
        """The language of `translation`: the other one of the two the site speaks."""
        return (
            Seller.Language.ZH_HANS if self.language == Seller.Language.EN else Seller.Language.EN
        )

    @property
    def reply_address(self) -> str:
        """Where the platform's answer to this round goes: INBOUND_ADDRESS plus-addressed with the
        round's token (appeals+<token>@example.org), or "" when no inbound address is set."""
        return reply_address_for(self.reply_token)


def reply_address_for(token: str) -> str:
    inbound = getattr(settings, "INBOUND_ADDRESS", "")
    if not inbound or "@" not in inbound:
        return ""
    local, domain = inbound.rsplit("@", 1)
    return f"{local}+{token}@{domain}"


# Only members the organisers verified count toward a round's goal and into its annex: anyone can
# join, so 300 throwaway accounts must not make a letter say "302 sellers".
COUNTED_MEMBERSHIP_STATES = [Membership.State.VERIFIED]


class SignatureQuerySet(models.QuerySet):
    def counted(self) -> SignatureQuerySet:
        """Signatures that count: not withdrawn, by a verified member whose email is verified."""
        return self.filter(
            withdrawn_at__isnull=True,
            membership__state__in=COUNTED_MEMBERSHIP_STATES,
            membership__seller__user__emailaddress__verified=True,
        ).distinct()


class Signature(models.Model):
    """A member co-signing one round. One row per member and round; withdrawing sets
    withdrawn_at and signing again clears it."""

    # No index of its own: the unique (appeal, membership) index starts with the round, so it
    # serves every lookup by round, and each co-sign maintains one index fewer.
    appeal = models.ForeignKey(
        Appeal, on_delete=models.CASCADE, related_name="signatures", db_index=False
    )
    membership = models.ForeignKey(Membership, on_delete=models.CASCADE, related_name="signatures")
    consent_to_name = models.BooleanField(_("name me in the signer list"), default=False)
    # Asked separately: the store ID lets the platform act on the store, and it is private.
    consent_to_store_id = models.BooleanField(
        _("give the platform my store ID in the signer list"), default=False
    )
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
