"""What organisers keep for themselves about the rounds: who of them looks after a round, their
internal notes on it (never shown to members or the platform), and each organiser's private
calendar feed of the rounds' dates.

Every write goes through appeals/actions/organising.py (docs/architecture.md).
"""

from __future__ import annotations

import secrets

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from appeals.models.rounds import Appeal


def new_feed_token() -> str:
    return secrets.token_urlsafe(24)


class RoundAssignment(models.Model):
    """The co-organiser who looks after a round. One per round; reassigning replaces it."""

    appeal = models.OneToOneField(Appeal, on_delete=models.CASCADE, related_name="assignment")
    assignee = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+"
    )
    assigned_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    assigned_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name = _("round assignment")
        verbose_name_plural = _("round assignments")

    def __str__(self) -> str:
        return f"round {self.appeal_id} → user {self.assignee_id}"


class RoundNote(models.Model):
    """An organiser's internal note on a round: read by the grievance's organisers and staff only."""

    appeal = models.ForeignKey(Appeal, on_delete=models.CASCADE, related_name="organiser_notes")
    author = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    body = models.TextField(_("note"), max_length=5000)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-created_at", "-id"]
        verbose_name = _("organiser note")
        verbose_name_plural = _("organiser notes")

    def __str__(self) -> str:
        return f"note {self.pk} on round {self.appeal_id}"


class CalendarFeed(models.Model):
    """An organiser's private iCalendar feed: the token in its URL is the only key, so revoking
    the feed deletes the row and a new feed gets a new token."""

    user = models.OneToOneField(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="calendar_feed"
    )
    token = models.CharField(max_length=64, unique=True, default=new_feed_token, editable=False)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("calendar feed")
        verbose_name_plural = _("calendar feeds")

    def __str__(self) -> str:
        return f"calendar feed of user {self.user_id}"
