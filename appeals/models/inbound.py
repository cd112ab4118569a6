"""Mail that came back: every message the inbound reader took, with its attachments (appeals/inbound,
docs/architecture.md).

The raw message is kept whole in private storage with its SHA-256, like evidence; the parsed
values beside it are a convenience for pages and never replace it. A message is taken once: its
(source, uid), its Message-ID and its SHA-256 are each unique.
"""

from __future__ import annotations

import uuid

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from appeals.models.rounds import Appeal


def inbound_path(instance: InboundMessage, filename: str) -> str:
    # Never a name from the sender: a random id under a folder of its own.
    return f"inbound/{uuid.uuid4().hex}.eml"


def inbound_attachment_path(instance: InboundAttachment, filename: str) -> str:
    return f"inbound/attachments/{uuid.uuid4().hex}"


class InboundMessage(models.Model):
    class Outcome(models.TextChoices):
        MATCHED = "matched", _("Matched to a round")
        AUTO_REPLY = "auto_reply", _("Automatic reply")
        UNMATCHED = "unmatched", _("Not matched: waiting for staff")

    class MatchedBy(models.TextChoices):
        NONE = "", _("Not matched")
        TOKEN = "token", _("Reply address")
        THREAD = "thread", _("Reply to one of our emails")
        CASE_REFERENCE = "case_reference", _("Case reference in the subject")
        STAFF = "staff", _("Attached by staff")

    source = models.CharField(max_length=255)
    uid = models.CharField(max_length=255)
    message_id = models.CharField(max_length=255, blank=True)
    sha256 = models.CharField(_("SHA-256"), max_length=64, unique=True)
    raw = models.FileField(upload_to=inbound_path, max_length=255)
    size = models.PositiveBigIntegerField(_("size (bytes)"))
    from_address = models.CharField(_("from"), max_length=320, blank=True)
    from_display = models.CharField(max_length=255, blank=True)
    subject = models.CharField(_("subject"), max_length=500, blank=True)
    sent_at = models.DateTimeField(_("date"), null=True, blank=True)
    in_reply_to = models.CharField(max_length=255, blank=True)
    text = models.TextField(blank=True)
    # Plain, translated notes: what could not be read, and reasons to doubt the sender.
    problems = models.JSONField(default=list, blank=True)
    sender_warnings = models.JSONField(default=list, blank=True)
    auto_reply_reason = models.CharField(max_length=200, blank=True)
    outcome = models.CharField(_("outcome"), max_length=12, choices=Outcome.choices)
    matched_by = models.CharField(
        max_length=16, choices=MatchedBy.choices, default=MatchedBy.NONE, blank=True
    )
    appeal = models.ForeignKey(
        Appeal, null=True, blank=True, on_delete=models.SET_NULL, related_name="inbound_messages"
    )
    attached_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    received_at = models.DateTimeField(_("taken at"), auto_now_add=True)

    class Meta:
        ordering = ["-received_at", "-id"]
        verbose_name = _("inbound message")
        verbose_name_plural = _("inbound messages")
        constraints = [
            models.UniqueConstraint(fields=["source", "uid"], name="inbound_unique_source_uid"),
            models.UniqueConstraint(
                fields=["message_id"], condition=~Q(message_id=""), name="inbound_unique_message_id"
            ),
        ]
        indexes = [models.Index(fields=["outcome", "received_at"])]

    def __str__(self) -> str:
        return f"{self.from_address or '?'}: {self.subject[:60]}"

    @property
    def is_auto_reply(self) -> bool:
        return self.outcome == self.Outcome.AUTO_REPLY


class InboundAttachment(models.Model):
    """A file that came with a message. Over the evidence limit the bytes stay only inside the raw
    message (`file` empty, `note` says so)."""

    message = models.ForeignKey(
        InboundMessage, on_delete=models.CASCADE, related_name="attachments"
    )
    filename = models.CharField(_("file name"), max_length=255)
    content_type = models.CharField(_("type"), max_length=100)
    size = models.PositiveBigIntegerField(_("size (bytes)"))
    sha256 = models.CharField(_("SHA-256"), max_length=64, blank=True)
    file = models.FileField(upload_to=inbound_attachment_path, max_length=255, blank=True)
    note = models.CharField(max_length=500, blank=True)

    class Meta:
        ordering = ["message_id", "id"]
        verbose_name = _("inbound attachment")
        verbose_name_plural = _("inbound attachments")

    def __str__(self) -> str:
        return self.filename
