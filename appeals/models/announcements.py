"""Organisers writing to their members: an announcement to one audience of a grievance
(docs/domain.md "Talking to the coalition"). Written by appeals/actions/announcements.py, sent by
the `announcement` follow-up (appeals/jobs.py) through the outbox."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from appeals.models.rounds import Appeal
from coalition.models import Grievance

MAX_ANNOUNCEMENT_LENGTH = 5000


class Announcement(models.Model):
    class Audience(models.TextChoices):
        ALL = "all", _("All members")
        SIGNERS = "signers", _("Members who signed the round")
        NOT_SIGNED = "not_signed", _("Members who have not signed the round yet")
        NOT_FILED = "not_filed", _("Signers who have not filed their own appeal")

    grievance = models.ForeignKey(Grievance, on_delete=models.CASCADE, related_name="+")
    # The round the audience is counted against (signers, not signed, not filed); none for "all".
    appeal = models.ForeignKey(
        Appeal, null=True, blank=True, on_delete=models.SET_NULL, related_name="announcements"
    )
    audience = models.CharField(_("audience"), max_length=12, choices=Audience.choices)
    subject = models.CharField(_("subject"), max_length=150)
    text = models.TextField(_("message"), max_length=MAX_ANNOUNCEMENT_LENGTH)
    recipients = models.PositiveIntegerField(default=0)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-created_at", "-id"]
        verbose_name = _("announcement")
        verbose_name_plural = _("announcements")
        indexes = [models.Index(fields=["grievance", "created_at"])]

    def __str__(self) -> str:
        return f"{self.subject} ({self.get_audience_display()})"
