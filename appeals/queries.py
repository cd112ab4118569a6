"""Read side of the appeals app: who may see which round, and what the round page, the organiser's
board and "my cases" show. Every page and API endpoint scopes its data with these.

Who sees which rounds (DESIGN.md §5, decided here):
- organisers of the grievance and staff: every round, drafts included, with letters, every
  member's submission (ticket references too) and every platform response;
- members: every round except drafts (and except drafts withdrawn before signing opened), with the
  letter, the platform's responses, counts and outcomes of submissions, and their own submission;
- everyone else (anonymous, outsiders): only rounds that were submitted, and only of public,
  visible grievances — number, state, outcome, dates and signature count; never the letter, the
  responses or the submissions (a letter carries amounts and signers' names). Rounds of unlisted or
  hidden grievances are a 404 for them.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from decimal import Decimal

from django.db.models import (
    Count,
    Exists,
    IntegerField,
    OuterRef,
    Q,
    QuerySet,
    Subquery,
    Sum,
    Value,
)
from django.db.models.functions import Coalesce
from django.http import Http404
from django.urls import NoReverseMatch
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from appeals import deadlines, states
from appeals.models import Appeal, PlatformResponse, Signature, Submission
from coalition.models import Grievance, Membership
from coalition.queries import is_staff, membership_of, seller_of

S = Appeal.State
ACTIVE_MEMBERSHIP_STATES = [Membership.State.JOINED, Membership.State.VERIFIED]
# "Report my outcome" shows up once a logged appeal has been pending this long.
OUTCOME_PROMPT_AFTER = timedelta(days=3)


# --- standing and visibility -----------------------------------------------------------------


@dataclass(frozen=True)
class Standing:
    """The viewer's place in one grievance."""

    membership: Membership | None = None
    organiser: bool = False  # organisers of the grievance and staff

    @property
    def member(self) -> bool:
        """An active member (organisers included)."""
        return self.membership is not None

    @property
    def insider(self) -> bool:
        """May read letters and responses: members, organisers and staff."""
        return self.member or self.organiser


def standing_in(user, grievance: Grievance) -> Standing:
    membership = membership_of(user, grievance)
    organiser = is_staff(user) or bool(membership and membership.is_organiser)
    return Standing(membership, organiser)


def standings(user) -> dict[int, Standing]:
    """The user's standing in every grievance they belong to (one query), for list pages."""
    seller = seller_of(user)
    if seller is None:
        return {}
    rows = Membership.objects.active().filter(seller=seller).select_related("store")
    return {m.grievance_id: Standing(m, m.is_organiser) for m in rows}


def visible_rounds(user) -> QuerySet[Appeal]:
    """Every round this user may know exists (see the module docstring)."""
    qs = Appeal.objects.select_related("grievance__platform")
    if is_staff(user):
        return qs
    public = Q(
        submitted_at__isnull=False,
        grievance__visibility=Grievance.Visibility.PUBLIC,
        grievance__hidden=False,
    )
    seller = seller_of(user)
    if seller is None:
        return qs.filter(public)
    active = Membership.objects.active().filter(seller=seller)
    organised = active.filter(role=Membership.Role.ORGANISER).values("grievance_id")
    member_of = active.values("grievance_id")
    member_visible = ~Q(state=S.DRAFT) & ~Q(state=S.WITHDRAWN, signing_opened_at__isnull=True)
    return qs.filter(
        Q(grievance__in=organised) | (Q(grievance__in=member_of) & member_visible) | public
    )


def with_signature_count(qs: QuerySet[Appeal]) -> QuerySet[Appeal]:
    """Annotate `signature_count`: signatures that count (see SignatureQuerySet.counted)."""
    return qs.annotate(signature_count=_counted_signatures(OuterRef("pk")))


def _counted_signatures(appeal_ref) -> Coalesce:
    # A subquery, not a join-and-count: the email join can repeat rows, and other annotations on
    # the same queryset must not multiply with it.
    counted = (
        Signature.objects.filter(
            appeal=appeal_ref,
            withdrawn_at__isnull=True,
            membership__state__in=ACTIVE_MEMBERSHIP_STATES,
            membership__seller__user__emailaddress__verified=True,
        )
        .order_by()
        .values("appeal")
        .annotate(n=Count("membership", distinct=True))
        .values("n")
    )
    return Coalesce(Subquery(counted, output_field=IntegerField()), Value(0))


def rounds_for(user, grievance: Grievance) -> QuerySet[Appeal]:
    """The rounds of one grievance this user may see, oldest first, with `signature_count`."""
    return with_signature_count(visible_rounds(user).filter(grievance=grievance)).order_by("number")


def reachable_round(user, pk) -> Appeal:
    """The round with this id if the user may see it, else Http404 (never 403: see §5)."""
    try:
        return visible_rounds(user).select_related("previous").get(pk=pk)
    except (Appeal.DoesNotExist, ValueError, TypeError):
        raise Http404("No such round.") from None


def can_see_letter(standing: Standing) -> bool:
    return standing.insider


# --- totals ----------------------------------------------------------------------------------


@dataclass
class Totals:
    """Members' own appeals: how many were filed, how they ended, what came back per currency."""

    filed: int = 0
    outcomes: dict[str, int] = field(default_factory=dict)
    recovered: dict[str, Decimal] = field(default_factory=dict)

    @property
    def pending(self) -> int:
        return self.outcomes.get(Submission.Outcome.PENDING, 0)

    @property
    def outcome_rows(self) -> list[tuple[str, str, int]]:
        """(value, label, count) for every outcome with at least one appeal, in choice order."""
        return [
            (v, str(label), self.outcomes[v])
            for v, label in Submission.Outcome.choices
            if self.outcomes.get(v)
        ]


def _totals(qs: QuerySet[Submission]) -> Totals:
    rows = (
        qs.order_by()
        .values("outcome", "currency")
        .annotate(n=Count("id"), amount=Sum("amount_recovered"))
    )
    return _totals_from_rows(rows)


def _totals_from_rows(rows) -> Totals:
    totals = Totals()
    for r in rows:
        totals.filed += r["n"]
        totals.outcomes[r["outcome"]] = totals.outcomes.get(r["outcome"], 0) + r["n"]
        if r["amount"]:
            totals.recovered[r["currency"]] = (
                totals.recovered.get(r["currency"], Decimal("0")) + r["amount"]
            )
    totals.recovered = dict(sorted(totals.recovered.items()))
    return totals


def round_totals(appeal: Appeal) -> Totals:
    return _totals(Submission.objects.filter(appeal=appeal))


def grievance_totals(grievance: Grievance) -> Totals:
    return _totals(Submission.objects.filter(appeal__grievance=grievance))


# --- clocks ----------------------------------------------------------------------------------


def clock_of(appeal: Appeal, now: datetime | None = None) -> deadlines.ClockStatus:
    """The round's clock; none unless it is waiting for the platform (a paused round has none)."""
    if appeal.state != S.SUBMITTED:
        return deadlines.ClockStatus("none")
    return deadlines.clock_status(
        appeal.response_due_at,
        appeal.very_overdue_at,
        now or timezone.now(),
        appeal.grievance.platform,
    )


def clock_label(appeal: Appeal, clock: deadlines.ClockStatus) -> str:
    """ "due in 3 business days", "overdue by 5", "paused: 4 business days left", …"""
    n = clock.business_days
    if appeal.state == S.INFO_REQUESTED:
        left = appeal.paused_remaining_days or 0
        return ngettext(
            "paused: %(n)s business day left once the information is sent",
            "paused: %(n)s business days left once the information is sent",
            left,
        ) % {"n": left}
    if clock.state == "on_time":
        return ngettext("due in %(n)s business day", "due in %(n)s business days", n) % {"n": n}
    if clock.state == "due_today":
        return _("due today")
    if clock.state == "overdue":
        return ngettext("overdue by %(n)s business day", "overdue by %(n)s business days", n) % {
            "n": n
        }
    if clock.state == "very_overdue":
        return ngettext(
            "very overdue: late by %(n)s business day",
            "very overdue: late by %(n)s business days",
            n,
        ) % {"n": n}
    return ""


def legal_windows_for(
    grievance: Grievance, decision_date: date | None = None
) -> list[deadlines.Window]:
    """The platform's appeal window and the legal windows, as dates. The grievance's date of the
    platform's action is its decision unless another decision date is given (e.g. a rejection)."""
    infraction = grievance.infraction_date
    return deadlines.legal_windows(grievance.platform, infraction, decision_date or infraction)


# --- the round page --------------------------------------------------------------------------


@dataclass
class RoundPage:
    appeal: Appeal
    grievance: Grievance
    standing: Standing
    signature_count: int
    signature_goal: int
    my_signature: Signature | None
    email_verified: bool
    my_submission: Submission | None
    submissions: list[Submission]  # organisers: every member's; members: their own; others: none
    totals: Totals
    responses: list[PlatformResponse]
    annex: list[tuple[str, str]]  # named signers (display name, store name); insiders only
    unnamed_signers: int
    signers: list[Signature]  # organisers only: every counted signer
    clock: deadlines.ClockStatus
    clock_label: str
    overdue: bool
    very_overdue: bool
    allowed_moves: list[str]
    next_round: Appeal | None

    @property
    def can_organise(self) -> bool:
        return self.standing.organiser

    @property
    def membership(self) -> Membership | None:
        return self.standing.membership

    @property
    def can_see_letter(self) -> bool:
        return self.standing.insider

    @property
    def progress_percent(self) -> int:
        return (
            min(100, round(100 * self.signature_count / self.signature_goal))
            if self.signature_goal
            else 0
        )

    @property
    def signed(self) -> bool:
        return self.my_signature is not None and self.my_signature.withdrawn_at is None

    @property
    def can_sign(self) -> bool:
        return self.standing.member and self.appeal.state == S.SIGNING and not self.signed

    @property
    def can_withdraw_signature(self) -> bool:
        return self.signed and self.appeal.state in {S.SIGNING, S.READY}

    @property
    def can_log_submission(self) -> bool:
        return self.standing.member and self.appeal.state in states.SENT_STATES

    @property
    def paused(self) -> bool:
        return self.appeal.state == S.INFO_REQUESTED


def round_page(user, appeal: Appeal, now: datetime | None = None) -> RoundPage:
    """Everything the round page (and the round detail API) shows, in a fixed number of queries."""
    grievance = appeal.grievance
    standing = standing_in(user, grievance)
    membership, organiser, insider = standing.membership, standing.organiser, standing.insider
    count = Signature.objects.filter(appeal=appeal).counted().count()
    my_signature = (
        Signature.objects.filter(appeal=appeal, membership=membership).first()
        if membership
        else None
    )
    my_submission = (
        Submission.objects.filter(appeal=appeal, membership=membership).first()
        if membership
        else None
    )
    annex: list[tuple[str, str]] = []
    if insider:
        from appeals.letters import signer_annex  # letters imports models only; no cycle at runtime

        annex = signer_annex(appeal)
    clock = clock_of(appeal, now)
    now = now or timezone.now()
    return RoundPage(
        appeal=appeal,
        grievance=grievance,
        standing=standing,
        signature_count=count,
        signature_goal=appeal.signature_goal,
        my_signature=my_signature,
        email_verified=_email_verified(user),
        my_submission=my_submission,
        submissions=_round_submissions(appeal, standing, my_submission),
        totals=round_totals(appeal),
        responses=list(appeal.responses.order_by("received_at", "id")) if insider else [],
        annex=annex,
        unnamed_signers=max(count - len(annex), 0) if insider else 0,
        signers=_signers(appeal) if organiser else [],
        clock=clock,
        clock_label=clock_label(appeal, clock),
        overdue=states.is_overdue(appeal, now),
        very_overdue=states.is_very_overdue(appeal, now),
        allowed_moves=states.allowed_moves(appeal) if organiser else [],
        next_round=Appeal.objects.filter(previous=appeal).first() if insider else None,
    )


def _email_verified(user) -> bool:
    if not getattr(user, "is_authenticated", False):
        return False
    from allauth.account.models import EmailAddress

    return EmailAddress.objects.filter(user=user, verified=True).exists()


def _round_submissions(
    appeal: Appeal, standing: Standing, mine: Submission | None
) -> list[Submission]:
    if standing.organiser:
        return list(
            appeal.submissions.select_related("membership__seller", "membership__store").order_by(
                "submitted_on", "id"
            )
        )
    return [mine] if mine else []


def _signers(appeal: Appeal) -> list[Signature]:
    return list(
        Signature.objects.filter(appeal=appeal)
        .counted()
        .select_related("membership__seller", "membership__store")
        .order_by("signed_at", "pk")
    )


# --- the organiser's board -------------------------------------------------------------------


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
        return _url(self.appeal)


def _board_queryset(user) -> QuerySet[Appeal] | None:
    qs = Appeal.objects.exclude(state=S.WITHDRAWN).select_related("grievance__platform")
    if is_staff(user):
        return qs
    seller = seller_of(user)
    if seller is None:
        return None
    organised = Membership.objects.organisers().filter(seller=seller).values("grievance_id")
    return qs.filter(grievance__in=organised)


def board_rows(user, now: datetime | None = None) -> list[BoardRow]:
    """Every round of the grievances the user organises (staff: all), very overdue first, then
    overdue, then by due date; then rounds in preparation, then answered ones. Two queries."""
    qs = _board_queryset(user)
    if qs is None:
        return []
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
        )
    )
    outcomes = _outcomes_by_round([a.pk for a in rounds])
    now = now or timezone.now()
    rows = [_board_row(a, outcomes.get(a.pk, {}), now) for a in rounds]
    rows.sort(key=_board_order)
    return rows


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


# --- "my cases" ------------------------------------------------------------------------------


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
            return _url(self.appeal)
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


def _url(appeal: Appeal) -> str:
    try:
        return appeal.get_absolute_url()
    except NoReverseMatch:  # the round pages are not wired in (e.g. an API-only deployment)
        return ""


__all__ = [
    "BoardRow",
    "CaseItem",
    "RoundPage",
    "Standing",
    "Totals",
    "board_rows",
    "can_see_letter",
    "clock_label",
    "clock_of",
    "grievance_totals",
    "legal_windows_for",
    "my_cases",
    "reachable_round",
    "round_page",
    "round_totals",
    "rounds_for",
    "standing_in",
    "standings",
    "visible_rounds",
    "with_signature_count",
]
