"""The append-only timeline of a grievance and its rounds."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from coalition.models.grievances import Grievance


class AuditEvent(models.Model):
    """The append-only timeline of a grievance and its rounds.

    It lives in `coalition`, not `appeals`, because joining, leaving and merging must write it
    too, and `coalition` never imports `appeals` (docs/architecture.md).
    """

    grievance = models.ForeignKey(
        Grievance, null=True, on_delete=models.CASCADE, related_name="events"
    )
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    verb = models.CharField(max_length=48)
    subject = models.CharField(
        max_length=64, blank=True, db_index=True, help_text="e.g. round:2, evidence:17"
    )
    data = models.JSONField(default=dict, blank=True)
    created_at = models.DateTimeField(auto_now_add=True, db_index=True)

    class Meta:
        ordering = ["-created_at", "-id"]
        verbose_name = _("timeline event")
        verbose_name_plural = _("timeline events")

    def __str__(self) -> str:
        return f"{self.verb} @ {self.created_at:%Y-%m-%d %H:%M}"
