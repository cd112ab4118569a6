"""View-model of the organiser's board: every round of the grievances one organises, most urgent
first, each with who still has to act."""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from django.db.models import Count, Exists, IntegerField, OuterRef, QuerySet, Subquery, Value
from django.db.models.functions import Coalesce
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from appeals import deadlines, states
from appeals.models import Appeal, PlatformResponse, Signature, Submission
from appeals.models.responses import UNCLASSIFIED
from appeals.pages.rounds import round_url
from appeals.queries.clocks import clock_label, clock_of
from appeals.queries.rounds import ACTIVE_MEMBERSHIP_STATES, organised_rounds, with_signature_count
from coalition.models import Grievance, Membership

S = Appeal.State


@dataclass
class BoardRow:
    appeal: Appeal
    grievance: Grievance
    clock: deadlines.ClockStatus
    clock_label: str
    signature_count: int
    signature_goal: int
    member_count: int
    submission_count: int
    outcomes: dict[str, int]
    todo: list[str]

    @property
    def state(self) -> str:
        return self.appeal.state

    @property
    def state_label(self) -> str:
        return str(S(self.appeal.state).label)

    @property
    def due_at(self) -> datetime | None:
        return self.appeal.response_due_at if self.appeal.state == S.SUBMITTED else None

    @property
    def progress_percent(self) -> int:
        return (
            min(100, round(100 * self.signature_count / self.signature_goal))
            if self.signature_goal
            else 0
        )

    @property
    def url(self) -> str:
        return round_url(self.appeal)

    @property
    def assignee(self) -> str:
        """The co-organiser looking after the round, by display name ("" for nobody)."""
        assignment = getattr(self.appeal, "assignment", None)
        if assignment is None:
            return ""
        seller = getattr(assignment.assignee, "seller", None)
        return seller.display_name if seller else assignment.assignee.get_username()


OVERDUE_STATES = {"overdue", "very_overdue"}


def board_rows(
    user, now: datetime | None = None, filters: dict[str, Any] | None = None
) -> list[BoardRow]:
    """Every round of the grievances the user organises (staff: all), very overdue first, then
    overdue, then by due date; then rounds in preparation, then answered ones. Two queries.
    `filters` are the board's (appeals.forms.board BoardFilterForm): q, platform, state,
    overdue, mine (assigned to the user)."""
    qs = organised_rounds(user)
    if qs is None:
        return []
    filters = filters or {}
    qs = _filtered(qs.select_related("assignment__assignee__seller"), user, filters)
    members = (
        Membership.objects.active()
        .filter(grievance=OuterRef("grievance"))
        .order_by()
        .values("grievance")
        .annotate(n=Count("id"))
        .values("n")
    )
    subs = Submission.objects.filter(appeal=OuterRef("pk")).order_by().values("appeal")
    signed_no_submission = (
        Signature.objects.filter(
            appeal=OuterRef("pk"),
            withdrawn_at__isnull=True,
            membership__state__in=ACTIVE_MEMBERSHIP_STATES,
        )
        .exclude(
            Exists(
                Submission.objects.filter(
                    appeal=OuterRef("appeal"), membership=OuterRef("membership")
                )
            )
        )
        .order_by()
        .values("appeal")
        .annotate(n=Count("id"))
        .values("n")
    )
    rounds = list(
        with_signature_count(qs).annotate(
            member_count=Coalesce(Subquery(members, output_field=IntegerField()), Value(0)),
            submission_count=Coalesce(Subquery(subs.annotate(n=Count("id")).values("n")), Value(0)),
            pending_count=Coalesce(
                Subquery(
                    subs.filter(outcome=Submission.Outcome.PENDING)
                    .annotate(n=Count("id"))
                    .values("n")
                ),
                Value(0),
            ),
            signed_no_submission=Coalesce(
                Subquery(signed_no_submission, output_field=IntegerField()), Value(0)
            ),
            has_next=Exists(Appeal.objects.filter(previous=OuterRef("pk"))),
            to_classify=Exists(
                PlatformResponse.objects.filter(appeal=OuterRef("pk"), classification=UNCLASSIFIED)
            ),
        )
    )
    outcomes = _outcomes_by_round([a.pk for a in rounds])
    now = now or timezone.now()
    rows = [_board_row(a, outcomes.get(a.pk, {}), now) for a in rounds]
    if filters.get("overdue"):
        rows = [row for row in rows if row.clock.state in OVERDUE_STATES]
    rows.sort(key=_board_order)
    return rows


def _filtered(qs: QuerySet[Appeal], user, filters: dict[str, Any]) -> QuerySet[Appeal]:
    if filters.get("q"):
        qs = qs.filter(grievance__title__icontains=filters["q"])
    if filters.get("platform"):
        qs = qs.filter(grievance__platform=filters["platform"])
    if filters.get("state"):
        qs = qs.filter(state=filters["state"])
    if filters.get("mine"):
        qs = qs.filter(assignment__assignee=user)
    return qs


def _outcomes_by_round(ids: list[int]) -> dict[int, dict[str, int]]:
    result: dict[int, dict[str, int]] = defaultdict(dict)
    if not ids:
        return result
    rows = (
        Submission.objects.filter(appeal__in=ids)
        .order_by()
        .values("appeal", "outcome")
        .annotate(n=Count("id"))
    )
    for r in rows:
        result[r["appeal"]][r["outcome"]] = r["n"]
    return result


def _board_row(appeal: Appeal, outcomes: dict[str, int], now: datetime) -> BoardRow:
    clock = clock_of(appeal, now)
    return BoardRow(
        appeal=appeal,
        grievance=appeal.grievance,
        clock=clock,
        clock_label=clock_label(appeal, clock),
        signature_count=appeal.signature_count,
        signature_goal=appeal.signature_goal,
        member_count=appeal.member_count,
        submission_count=appeal.submission_count,
        outcomes=outcomes,
        todo=_todo(appeal, clock, now),
    )


_BOARD_RANK = {"very_overdue": 0, "overdue": 1, "due_today": 2, "on_time": 2}
_STATE_RANK = {S.INFO_REQUESTED: 3, S.READY: 4, S.SIGNING: 5, S.DRAFT: 6, S.RESPONDED: 7}


def _board_order(row: BoardRow) -> tuple:
    appeal = row.appeal
    rank = _BOARD_RANK.get(row.clock.state, _STATE_RANK.get(appeal.state, 8))
    due = (
        appeal.response_due_at.timestamp() if rank <= 2 and appeal.response_due_at else float("inf")
    )
    # Among the very overdue and overdue, the longest-waiting first; then soonest due.
    return (rank, due, appeal.grievance_id, appeal.number)


def _todo(appeal: Appeal, clock: deadlines.ClockStatus, now: datetime) -> list[str]:
    """Who still has to act on this round, in plain words."""
    state, todo = appeal.state, []
    if getattr(appeal, "to_classify", False):
        todo.append(_("organiser: reply to classify"))
    if state == S.DRAFT:
        todo.append(_("organiser: finish the letter and open signing"))
    elif state == S.SIGNING:
        missing = max(appeal.member_count - appeal.signature_count, 0)
        if missing:
            todo.append(
                ngettext("%(n)s member has not signed", "%(n)s members have not signed", missing)
                % {"n": missing}
            )
        if appeal.signature_count >= appeal.signature_goal or (
            appeal.signing_deadline and appeal.signing_deadline <= now
        ):
            todo.append(_("organiser: close signing"))
    elif state == S.READY:
        if appeal.channel == Appeal.Channel.EMAIL and appeal.scheduled_submit_at:
            todo.append(_("Coalition: sends it automatically at the scheduled time"))
        else:
            todo.append(_("organiser: submit the round"))
    elif state in {S.SUBMITTED, S.INFO_REQUESTED}:
        todo += _todo_waiting(appeal, clock)
    elif state == S.RESPONDED:
        todo += _todo_answered(appeal)
    return todo


def _todo_waiting(appeal: Appeal, clock: deadlines.ClockStatus) -> list[str]:
    todo = []
    if appeal.state == S.INFO_REQUESTED:
        todo.append(_("organiser: send the information the platform asked for, then mark it sent"))
    elif clock.state in {"overdue", "very_overdue"}:
        todo.append(_("organiser: record the response, chase the platform or draft the next round"))
    else:
        todo.append(_("platform: answer the round"))
    if appeal.signed_no_submission:
        n = appeal.signed_no_submission
        todo.append(
            ngettext(
                "%(n)s signer has not logged their own appeal",
                "%(n)s signers have not logged their own appeal",
                n,
            )
            % {"n": n}
        )
    return todo


def _todo_answered(appeal: Appeal) -> list[str]:
    todo = []
    if appeal.outcome in states.NEXT_ROUND_OUTCOMES and not appeal.has_next:
        todo.append(_("organiser: decide on the next round or an escalation"))
    if appeal.pending_count:
        n = appeal.pending_count
        todo.append(
            ngettext(
                "%(n)s member has not reported the outcome of their appeal",
                "%(n)s members have not reported the outcome of their appeal",
                n,
            )
            % {"n": n}
        )
    return todo
