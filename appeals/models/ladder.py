"""The escalation ladder above the rounds: each climb to a rung (an internal complaint, mediation,
an out-of-court body, an authority, a representative action) with its own clock.

The rungs, which regimes open them and their windows are pure rules in appeals/ladder.py and
appeals/deadlines.py; every write goes through appeals/actions/ladder.py (docs/domain.md).
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from coalition.models import Grievance


class Climb(models.Model):
    """The coalition taking its grievance to one rung of the ladder."""

    class State(models.TextChoices):
        OPEN = "open", _("Under way")
        CLOSED = "closed", _("Closed")

    grievance = models.ForeignKey(Grievance, on_delete=models.CASCADE, related_name="climbs")
    rung = models.CharField(_("rung"), max_length=24, choices=Grievance.Rung.choices)
    regime = models.CharField(_("legal basis"), max_length=24, blank=True)
    state = models.CharField(_("state"), max_length=10, choices=State.choices, default=State.OPEN)
    reference = models.CharField(_("reference or body"), max_length=200, blank=True)
    note = models.TextField(_("note to members"), max_length=5000, blank=True)
    started_at = models.DateTimeField()
    # The rung's own clock: when the body must decide (e.g. DSA Art. 21: 90 days, up to 180).
    decision_due = models.DateField(_("decision due"), null=True, blank=True)
    decision_due_latest = models.DateField(_("decision due at the latest"), null=True, blank=True)
    closed_at = models.DateTimeField(null=True, blank=True)
    outcome = models.CharField(_("outcome"), max_length=200, blank=True)
    started_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )

    class Meta:
        ordering = ["grievance_id", "started_at", "id"]
        verbose_name = _("escalation step")
        verbose_name_plural = _("escalation steps")
        constraints = [
            models.UniqueConstraint(
                fields=["grievance", "rung"],
                condition=models.Q(state="open"),
                name="climb_one_open_per_rung",
            )
        ]

    def __str__(self) -> str:
        return f"{self.grievance} — {self.get_rung_display()}"
