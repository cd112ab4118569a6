"""What organisers do to run a large coalition: remind chosen members to sign, hand a round to a
co-organiser, keep internal notes on a round, record the exports they take, and keep a private
calendar feed of the rounds' dates."""

from __future__ import annotations

from typing import Any

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from appeals import emails
from appeals.actions._common import event, is_user, require_organiser
from appeals.models import Appeal, CalendarFeed, RoundAssignment, RoundNote, Signature
from appeals.outbox import service as outbox
from appeals.queries import audiences
from coalition.actions.memberships import BULK_LIMIT
from coalition.actions.timeline import record_event
from coalition.errors import ActionRefused
from coalition.models import Grievance, Membership

ORGANISING_VERB_LABELS = {
    "round.assigned": gettext_lazy("assigned an appeal round to a co-organiser"),
    "round.unassigned": gettext_lazy("took the assignment off an appeal round"),
    "round.members_reminded": gettext_lazy("reminded chosen members to sign an appeal round"),
}
NOTE_MAX_LENGTH = 5000


def _require_user_organiser(grievance: Grievance, actor) -> None:
    if not is_user(actor):
        raise ActionRefused(_("Only the grievance's organisers can do this."), code="forbidden")
    require_organiser(grievance, actor)


@transaction.atomic
def remind_members(grievance: Grievance, membership_ids: list[int], *, actor) -> int:
    """Email the chosen members who have not signed the round open for signing. Each member is
    reminded at most once a day this way (the email's dedupe key carries the date). Returns how
    many reminders were written."""
    _require_user_organiser(grievance, actor)
    if len(membership_ids) > BULK_LIMIT:
        raise ActionRefused(
            _("Choose at most %(n)s members at a time.") % {"n": BULK_LIMIT}, field="members"
        )
    appeal = (
        grievance.rounds.filter(state=Appeal.State.SIGNING)
        .select_related("grievance__platform")
        .order_by("-number")
        .first()
    )
    if appeal is None:
        raise ActionRefused(
            _("No round is open for signing, so there is nothing to remind members of."),
            code="wrong_state",
        )
    chosen = audiences.not_signed(
        appeal, audiences.reachable_members(grievance).filter(pk__in=membership_ids)
    ).select_related("seller__user")
    signed = Signature.objects.filter(appeal=appeal).counted().count()
    slot = f"picked-{timezone.localdate().isoformat()}"
    build = emails.signing_reminders(appeal, slot, signed=signed)
    rows = [build(m) for m in chosen]
    outbox.enqueue(rows)
    event(appeal, "round.members_reminded", actor, members=len(rows))
    return len(rows)


@transaction.atomic
def assign_round(appeal: Appeal, assignee, *, actor) -> RoundAssignment | None:
    """Hand the round to one of the grievance's organisers (None: to nobody in particular)."""
    grievance = appeal.grievance
    _require_user_organiser(grievance, actor)
    if assignee is None:
        deleted, _rows = RoundAssignment.objects.filter(appeal=appeal).delete()
        if deleted:
            event(appeal, "round.unassigned", actor)
        return None
    is_organiser = (
        Membership.objects.organisers().filter(grievance=grievance, seller__user=assignee).exists()
    )
    if not is_organiser:
        raise ActionRefused(
            _("A round can only be assigned to one of the grievance's organisers."),
            field="assignee",
        )
    assignment, _created = RoundAssignment.objects.update_or_create(
        appeal=appeal, defaults={"assignee": assignee, "assigned_by": actor}
    )
    event(appeal, "round.assigned", actor)
    return assignment


@transaction.atomic
def add_note(appeal: Appeal, body: str, *, actor) -> RoundNote:
    """An internal note on the round, for the grievance's organisers and staff only. It stays
    off the shared timeline: members would read it there."""
    _require_user_organiser(appeal.grievance, actor)
    body = (body or "").strip()
    if not body:
        raise ActionRefused(_("Write the note first."), field="body")
    if len(body) > NOTE_MAX_LENGTH:
        raise ActionRefused(
            _("Keep the note under %(n)s characters.") % {"n": NOTE_MAX_LENGTH}, field="body"
        )
    return RoundNote.objects.create(appeal=appeal, author=actor, body=body)


@transaction.atomic
def record_export(
    grievance: Grievance,
    kind: str,
    *,
    actor,
    rows: int,
    filters: dict[str, Any],
    appeal: Appeal | None = None,
) -> None:
    """Write the timeline entry of an export ("export.members", "export.signers", …): who took
    which list, with which filters, and how many rows."""
    _require_user_organiser(grievance, actor)
    clean = {k: str(v) for k, v in filters.items() if v not in (None, "")}
    record_event(
        grievance,
        f"export.{kind}",
        actor=actor,
        subject=f"round:{appeal.number}" if appeal is not None else "",
        rows=rows,
        filters=clean,
    )


@transaction.atomic
def calendar_feed(*, actor) -> CalendarFeed:
    """The organiser's calendar feed, made on first use."""
    if not is_user(actor):
        raise ActionRefused(_("Log in to get a calendar feed."), code="forbidden")
    feed, _created = CalendarFeed.objects.get_or_create(user=actor)
    return feed


@transaction.atomic
def revoke_calendar_feed(*, actor) -> bool:
    """Stop the feed's URL from working; the next feed gets a new secret address."""
    if not is_user(actor):
        raise ActionRefused(_("Log in to manage your calendar feed."), code="forbidden")
    deleted, _rows = CalendarFeed.objects.filter(user=actor).delete()
    return bool(deleted)
