"""Organisers speaking to their members: announcements to an audience of the grievance, and
"remind those who have not signed, now" on a round open for signing (docs/domain.md "Talking to
the coalition"). Both are sent by follow-ups (appeals/jobs.py) through the outbox, which honours
each member's unsubscribes."""

from __future__ import annotations

from datetime import timedelta

from django.db import transaction
from django.utils import formats, timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from appeals import schedule
from appeals.actions._common import check_choice, event, is_user, lock, require_organiser
from appeals.models import Announcement, Appeal, FollowUp
from appeals.models.announcements import MAX_ANNOUNCEMENT_LENGTH
from appeals.queries import audiences
from coalition.actions.timeline import record_event
from coalition.errors import ActionRefused
from coalition.models import Grievance
from coalition.queries.sellers import is_staff

Audience = Announcement.Audience
ANNOUNCEMENT_INTERVAL = timedelta(days=1)  # per grievance; staff may lift it
REMIND_NOW_INTERVAL = timedelta(hours=24)  # per round
MAX_SUBJECT_LENGTH = 150

NO_ROUND = {
    Audience.SIGNERS: gettext_lazy(
        "No round has collected signatures yet, so there are no signers to write to."
    ),
    Audience.NOT_SIGNED: gettext_lazy(
        "No round is open for signing, so nobody is waiting to sign."
    ),
    Audience.NOT_FILED: gettext_lazy(
        "No round has been submitted yet, so nobody has an appeal of their own to file."
    ),
}


@transaction.atomic
def announce(
    grievance: Grievance,
    *,
    actor,
    audience: str,
    subject: str,
    text: str,
    lift_limit: bool = False,
) -> Announcement:
    """Write to the grievance's members (all, signers, not yet signed, own appeal not filed).

    At most one announcement per grievance per day; staff may lift the limit. The text is stored
    as written and escaped wherever it is shown."""
    if not is_user(actor):
        raise ActionRefused(_("Only the grievance's organisers can do this."), code="forbidden")
    grievance = Grievance.objects.select_for_update().get(pk=grievance.pk)  # one at a time
    require_organiser(grievance, actor)
    check_choice(audience, Audience, "audience")
    subject, text = (subject or "").strip(), (text or "").strip()
    if not subject:
        raise ActionRefused(_("Give the announcement a subject."), field="subject")
    if len(subject) > MAX_SUBJECT_LENGTH:
        raise ActionRefused(
            _("Keep the subject under %(n)s characters.") % {"n": MAX_SUBJECT_LENGTH},
            field="subject",
        )
    if not text:
        raise ActionRefused(_("Write the message to your members."), field="text")
    if len(text) > MAX_ANNOUNCEMENT_LENGTH:
        raise ActionRefused(
            _("Keep the message under %(n)s characters (it has %(count)s).")
            % {"n": MAX_ANNOUNCEMENT_LENGTH, "count": len(text)},
            field="text",
        )
    _check_announcement_interval(grievance, actor, lift_limit)
    appeal, count = audiences.audience_count(grievance, audience)
    if audience != Audience.ALL and appeal is None:
        raise ActionRefused(str(NO_ROUND[audience]), field="audience")
    item = Announcement.objects.create(
        grievance=grievance,
        appeal=appeal,
        audience=audience,
        subject=subject,
        text=text,
        recipients=count,
        created_by=actor,
    )
    record_event(
        grievance,
        "grievance.announced",
        actor=actor,
        subject=f"round:{appeal.number}" if appeal else "",
        announcement=item.pk,
        audience=audience,
        members=count,
    )
    schedule.on_announced(item)
    return item


def _check_announcement_interval(grievance: Grievance, actor, lift_limit: bool) -> None:
    since = timezone.now() - ANNOUNCEMENT_INTERVAL
    last = (
        Announcement.objects.filter(grievance=grievance, created_at__gt=since)
        .order_by("-created_at")
        .first()
    )
    if last is None or (lift_limit and is_staff(actor)):
        return
    raise ActionRefused(
        _(
            "This grievance's members already had an announcement in the last 24 hours; "
            "the next one can go out after %(when)s"
        )
        % {"when": _when(last.created_at + ANNOUNCEMENT_INTERVAL)},
        code="too_soon",
    )


@transaction.atomic
def remind_now(appeal: Appeal, *, actor) -> FollowUp:
    """Remind the members who have not signed a round open for signing, now. Once per round per
    24 h; the emails count as the round's first reminder (appeals/schedule.py on_remind_now)."""
    if not is_user(actor):
        raise ActionRefused(_("Only the grievance's organisers can do this."), code="forbidden")
    appeal = lock(appeal)
    require_organiser(appeal.grievance, actor)
    if appeal.state != Appeal.State.SIGNING:
        raise ActionRefused(
            _("Round %(n)s is not open for signing.") % {"n": appeal.number}, code="wrong_state"
        )
    now = timezone.now()
    last = (
        FollowUp.objects.filter(
            appeal=appeal,
            kind=FollowUp.Kind.SIGNING_REMINDER,
            key__startswith=f"signing_reminder:{appeal.pk}:now-",
            created_at__gt=now - REMIND_NOW_INTERVAL,
        )
        .order_by("-created_at")
        .first()
    )
    if last is not None:
        raise ActionRefused(
            _(
                "Members were reminded to sign round %(n)s in the last 24 hours; "
                "you can remind them again after %(when)s"
            )
            % {"n": appeal.number, "when": _when(last.created_at + REMIND_NOW_INTERVAL)},
            code="too_soon",
        )
    members = audiences.not_signed(appeal, audiences.reachable_members(appeal.grievance_id))
    count = audiences.opted_in(members, appeal.grievance).count()
    event(appeal, "round.reminder_requested", actor, members=count)
    return schedule.on_remind_now(appeal, now)


def _when(moment) -> str:
    return formats.date_format(timezone.localtime(moment), "DATETIME_FORMAT")
