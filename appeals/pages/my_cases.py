"""View-model of "my cases": what a seller has to do next across their grievances (sign, log their
own appeal, report its outcome), then where each grievance stands."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

from django.utils import timezone
from django.utils.translation import gettext as _

from appeals.models import Appeal, Signature, Submission
from appeals.pages.rounds import round_url
from appeals.queries.clocks import clock_label, clock_of
from coalition.models import Grievance, Membership
from coalition.queries.sellers import seller_of

S = Appeal.State
# "Report my outcome" shows up once a logged appeal has been pending this long.
OUTCOME_PROMPT_AFTER = timedelta(days=3)


@dataclass
class CaseItem:
    """One line of "my cases": something to do (sign, log, report) or where a grievance stands."""

    kind: str  # "sign" | "log_submission" | "report_outcome" | "status"
    grievance: Grievance
    text: str
    appeal: Appeal | None = None
    submission: Submission | None = None
    due_at: datetime | None = None

    @property
    def is_todo(self) -> bool:
        return self.kind != "status"

    @property
    def url(self) -> str:
        if self.appeal is not None:
            return round_url(self.appeal)
        return self.grievance.get_absolute_url()


def my_cases(user, now: datetime | None = None) -> list[CaseItem]:
    """What this seller has to do next across their grievances, then where each one stands.
    Four queries whatever the number of grievances and rounds."""
    seller = seller_of(user)
    if seller is None:
        return []
    now = now or timezone.now()
    memberships = list(
        Membership.objects.active().filter(seller=seller).select_related("grievance__platform")
    )
    if not memberships:
        return []
    by_grievance = {m.grievance_id: m for m in memberships}
    rounds = list(
        Appeal.objects.filter(grievance__in=by_grievance)
        .exclude(state__in=[S.DRAFT, S.WITHDRAWN])
        .select_related("grievance__platform")
        .order_by("grievance_id", "number")
    )
    mine = [m.pk for m in memberships]
    signed = set(
        Signature.objects.filter(
            membership__in=mine, withdrawn_at__isnull=True, appeal__in=[a.pk for a in rounds]
        ).values_list("appeal_id", flat=True)
    )
    submissions = list(
        Submission.objects.filter(membership__in=mine).select_related("appeal__grievance__platform")
    )
    logged = {s.appeal_id for s in submissions}
    latest: dict[int, Appeal] = {}
    for a in rounds:
        latest[a.grievance_id] = a  # ordered by number, so the last one wins
    todo: list[CaseItem] = []
    for a in rounds:
        if a.state == S.SIGNING and a.pk not in signed:
            todo.append(_sign_item(a))
        elif (
            a.state in {S.SUBMITTED, S.INFO_REQUESTED}
            and latest[a.grievance_id] is a
            and a.pk not in logged
        ):
            todo.append(_log_item(a))
    todo += [_outcome_item(s) for s in submissions if _outcome_due(s, now)]
    todo.sort(key=lambda i: (i.due_at is None, i.due_at or now, i.grievance.pk))
    status = [_status_item(m.grievance, latest.get(m.grievance_id), now) for m in memberships]
    return todo + status


def _sign_item(a: Appeal) -> CaseItem:
    text = _("Sign round %(n)s of “%(title)s”") % {"n": a.number, "title": a.grievance.title}
    return CaseItem("sign", a.grievance, text, appeal=a, due_at=a.signing_deadline)


def _log_item(a: Appeal) -> CaseItem:
    text = _("Log your own appeal for round %(n)s of “%(title)s”") % {
        "n": a.number,
        "title": a.grievance.title,
    }
    return CaseItem("log_submission", a.grievance, text, appeal=a)


def _outcome_due(s: Submission, now: datetime) -> bool:
    return (
        s.outcome == Submission.Outcome.PENDING
        and s.submitted_on <= (now - OUTCOME_PROMPT_AFTER).date()
    )


def _outcome_item(s: Submission) -> CaseItem:
    a = s.appeal
    text = _("Report the outcome of your appeal in round %(n)s of “%(title)s”") % {
        "n": a.number,
        "title": a.grievance.title,
    }
    return CaseItem("report_outcome", a.grievance, text, appeal=a, submission=s)


def _status_item(grievance: Grievance, latest: Appeal | None, now: datetime) -> CaseItem:
    if latest is None:
        return CaseItem(
            "status", grievance, _("“%(title)s”: no appeal round yet") % {"title": grievance.title}
        )
    label = clock_label(latest, clock_of(latest, now))
    state = S(latest.state).label
    if latest.state == S.RESPONDED and latest.outcome:
        state = Appeal.Outcome(latest.outcome).label
    text = _("“%(title)s”: round %(n)s — %(state)s") % {
        "title": grievance.title,
        "n": latest.number,
        "state": state,
    }
    if label:
        text = f"{text} ({label})"
    return CaseItem("status", grievance, text, appeal=latest)
