"""The durable schedule: one row per follow-up occurrence, claimed by the dispatcher when due
(appeals/schedule.py writes them, appeals/dispatch runs them; docs/domain.md)."""

from __future__ import annotations

from django.db import models
from django.utils.translation import gettext_lazy as _

from appeals.models.rounds import Appeal
from appeals.models.submissions import Submission


class FollowUp(models.Model):
    """One scheduled job. The database, not the broker, is the schedule (docs/domain.md)."""

    class Kind(models.TextChoices):
        SIGNING_REMINDER = "signing_reminder", _("Signing reminder")
        AUTO_SUBMIT = "auto_submit", _("Automatic submission")
        MEMBER_SUBMIT_REMINDER = "member_submit_reminder", _("Reminder to file own appeal")
        RESPONSE_CHASE = "response_chase", _("Chase the platform")
        OVERDUE_ALERT = "overdue_alert", _("Overdue alert")
        OUTCOME_CHECK = "outcome_check", _("Ask for the outcome")
        NEXT_ROUND = "next_round", _("Prepare the next round")
        SUMMONS = "summons", _("Summon members to sign")
        DECISION_NOTICE = "decision_notice", _("Tell members what the platform decided")
        ANNOUNCEMENT = "announcement", _("Send an organisers' announcement")
        CLIMB_NOTICE = "climb_notice", _("Tell members the coalition escalated")
        LADDER_WINDOW_REMINDER = "ladder_window_reminder", _("Remind organisers a window closes")

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
