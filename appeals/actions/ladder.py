"""Climbing the escalation ladder: an organiser takes the grievance from the rounds to the next
rung (appeals/ladder.py says which are open). A climb has its own clock, a timeline entry, an
email to the members and reminders before the windows of the rungs still ahead close."""

from __future__ import annotations

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from appeals import ladder, schedule
from appeals.actions._common import is_user, require_organiser
from appeals.models import Climb
from appeals.queries.ladder import ladder_for
from coalition.actions.timeline import record_event
from coalition.errors import ActionRefused
from coalition.models import Grievance

NEEDS = {
    ladder.ROUNDS: gettext_lazy("a round the platform received"),
}


@transaction.atomic
def climb(grievance: Grievance, *, actor, rung: str, reference: str = "", note: str = "") -> Climb:
    """Climb `rung` now. Refused when it does not apply to the platform, needs another step
    first, its window has passed or it is already climbed."""
    grievance = (
        Grievance.objects.select_for_update().select_related("platform").get(pk=grievance.pk)
    )
    require_organiser(grievance, actor)
    if not grievance.is_open:
        raise ActionRefused(_("This grievance is not open, so it cannot escalate."))
    view = ladder_for(grievance)
    status = view.status(rung)
    _check_climbable(status, rung)
    today = timezone.localdate()
    due, latest = ladder.decision_due(rung, today, grievance.platform)
    step = Climb.objects.create(
        grievance=grievance,
        rung=rung,
        regime=status.bases[0].regime,
        reference=(reference or "").strip()[:200],
        note=(note or "").strip(),
        started_at=timezone.now(),
        decision_due=due,
        decision_due_latest=latest,
        started_by=actor if is_user(actor) else None,
    )
    grievance.rung = rung
    grievance.save(update_fields=["rung"])
    record_event(
        grievance,
        "ladder.climbed",
        actor=actor,
        subject=f"rung:{rung}",
        rung=rung,
        regime=step.regime,
        reference=step.reference,
        decision_due=due.isoformat() if due else None,
    )
    schedule.on_climbed(step, ladder_for(grievance).rungs)
    return step


def _check_climbable(status: ladder.RungStatus | None, rung: str) -> None:
    if status is None:
        raise ActionRefused(_("There is no such rung on the ladder."), field="rung")
    if status.state == "not_applicable":
        raise ActionRefused(
            _("This step is not open on this platform: none of its laws applies."), field="rung"
        )
    if status.state == "climbed":
        raise ActionRefused(_("The coalition has already taken this step."), field="rung")
    if status.state == "closed":
        raise ActionRefused(
            _("The window for this step closed on %(date)s.")
            % {"date": status.window_closes.isoformat()},
            field="rung",
        )
    if status.state == "locked":
        first = (
            str(NEEDS[status.needs])
            if status.needs in NEEDS
            else str(ladder.BY_KEY[status.needs].label)
        )
        raise ActionRefused(_("This step needs %(first)s first.") % {"first": first}, field="rung")
