"""What staff do to the schedule and the outbox from the admin: cancel, reschedule or run now a
follow-up; send a failed email again or suppress one still waiting. Each is recorded on the
grievance's timeline, kept private (staff read it in the admin, members never see it).

Only rows that are not running move: a follow-up a dispatcher holds and an email being sent stay
with their owner, whose claim keeps them to one run (docs/outbox.md)."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime

from django.db import transaction
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from appeals.models import FollowUp, Notification
from appeals.outbox import service as outbox
from coalition.actions.timeline import record_event
from coalition.errors import ActionRefused

F = FollowUp.State
OPERATIONS_VERB_LABELS = {
    "follow_up.cancelled": gettext_lazy("cancelled a scheduled follow-up"),
    "follow_up.rescheduled": gettext_lazy("rescheduled a follow-up"),
    "follow_up.run_now": gettext_lazy("ran a follow-up now"),
    "notification.retried": gettext_lazy("sent a failed email again"),
    "notification.suppressed": gettext_lazy("suppressed an email"),
}
MOVABLE = [F.SCHEDULED, F.FAILED, F.CANCELLED]


def _require_staff(actor) -> None:
    if not getattr(actor, "is_staff", False):
        raise ActionRefused(_("Only staff can do this."), code="forbidden")


def _record_follow_ups(rows: list[FollowUp], verb: str, actor, **data) -> None:
    for row in rows:
        grievance = row.appeal.grievance if row.appeal_id else None
        subject = f"round:{row.appeal.number}" if row.appeal_id else ""
        record_event(
            grievance, verb, actor=actor, subject=subject, follow_up=row.pk, kind=row.kind, **data
        )


def _lock_follow_ups(pks: Sequence[int], states: list[str]) -> list[FollowUp]:
    return list(
        FollowUp.objects.select_for_update(of=("self",))
        .filter(pk__in=list(pks), state__in=states)
        .select_related("appeal")
        .order_by("pk")
    )


@transaction.atomic
def cancel_follow_ups(pks: Sequence[int], *, actor) -> int:
    """Cancel scheduled follow-ups: they will not run."""
    _require_staff(actor)
    rows = _lock_follow_ups(pks, [F.SCHEDULED])
    FollowUp.objects.filter(pk__in=[r.pk for r in rows]).update(
        state=F.CANCELLED, finished_at=timezone.now(), last_error=_("Cancelled by staff.")
    )
    _record_follow_ups(rows, "follow_up.cancelled", actor)
    return len(rows)


@transaction.atomic
def reschedule_follow_ups(pks: Sequence[int], due_at: datetime, *, actor) -> int:
    """Move follow-ups that are not running to a new due time (scheduled again)."""
    _require_staff(actor)
    if due_at <= timezone.now():
        raise ActionRefused(_("Choose a time in the future."), field="due_at")
    rows = _lock_follow_ups(pks, MOVABLE)
    FollowUp.objects.filter(pk__in=[r.pk for r in rows]).update(
        state=F.SCHEDULED, due_at=due_at, finished_at=None, claimed_at=None
    )
    _record_follow_ups(rows, "follow_up.rescheduled", actor, due_at=due_at.isoformat())
    return len(rows)


@transaction.atomic
def run_follow_ups_now(pks: Sequence[int], *, actor) -> int:
    """Make follow-ups that are not running due now: the dispatcher runs them on its next pass
    (within a minute), through its claim, so no job runs twice."""
    _require_staff(actor)
    rows = _lock_follow_ups(pks, MOVABLE)
    FollowUp.objects.filter(pk__in=[r.pk for r in rows]).update(
        state=F.SCHEDULED, due_at=timezone.now(), finished_at=None, claimed_at=None
    )
    _record_follow_ups(rows, "follow_up.run_now", actor)
    return len(rows)


def _record_notifications(pks: list[int], verb: str, actor) -> None:
    for row in Notification.objects.filter(pk__in=pks).select_related("grievance"):
        record_event(row.grievance, verb, actor=actor, notification=row.pk, kind=row.kind)


@transaction.atomic
def retry_notifications(pks: Sequence[int], *, actor) -> int:
    """Send failed emails again (the outbox's own retry), recorded."""
    _require_staff(actor)
    failed = list(
        Notification.objects.filter(pk__in=list(pks), state=Notification.State.FAILED).values_list(
            "pk", flat=True
        )
    )
    count = outbox.retry(failed)
    _record_notifications(failed, "notification.retried", actor)
    return count


@transaction.atomic
def suppress_notifications(pks: Sequence[int], *, actor) -> int:
    """Stop emails still waiting to be sent (pending); emails being sent or sent stay as they are."""
    _require_staff(actor)
    pending = list(
        Notification.objects.filter(pk__in=list(pks), state=Notification.State.PENDING).values_list(
            "pk", flat=True
        )
    )
    count = outbox.withdraw_pending(Q(pk__in=pending), _("Suppressed by staff."))
    _record_notifications(pending, "notification.suppressed", actor)
    return count
