"""What worked: a grievance's outcome analytics and a platform's public record (its scorecard).

Both read rounds, members' own appeals and the platform's answers in a fixed number of queries,
whatever the number of rounds or members. Figures derived from members' private data (who filed
an own appeal and how it ended, what came back) are returned twice: exact, for the grievance's
organisers and staff, and as `coalition.rules.disclosure` cells, for everyone else
(docs/privacy.md). The platform's own behaviour (when it answered, what it decided on a round) is
not members' data and is returned as it is.

Business days are counted on the platform's calendar (appeals/deadlines.py), from the day a round
was submitted to the day of the answer. The platform's *first answer* is its first response that
decides something or asks for information: an acknowledgement stops no clock, so it is no answer.
The definitions (late, median, 90th percentile, who counts) are written up in docs/analytics.md.
"""

from __future__ import annotations

import bisect
import math
import statistics
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from decimal import Decimal

from django.db.models import Count, Exists, Min, OuterRef, Q, QuerySet, Sum

from appeals import deadlines
from appeals.models import Appeal, PlatformResponse, Signature, Submission
from coalition.models import Grievance, Membership, Platform
from coalition.rules.disclosure import (
    Cell,
    Contribution,
    release_count,
    release_money_by_currency,
)

C = PlatformResponse.Classification
# Responses that answer a round (an acknowledgement does not: the clock keeps running).
ANSWERS = [C.INFO_REQUESTED, C.GRANTED, C.PARTIAL, C.REJECTED]
SCORECARD_DAYS = 365  # "the last 12 months"
FUNNEL = ["joined", "verified", "signed", "filed", "reported"]


@dataclass(frozen=True)
class Counted:
    """A count of members: exact for organisers, `cell` (the disclosure rule) for the others.
    `cell` is None for a count that is public as it is (the number of members)."""

    exact: int
    cell: Cell | None


@dataclass(frozen=True)
class Answer:
    received_at: datetime
    classification: str
    business_days: int


@dataclass
class RoundFigures:
    appeal: Appeal
    outcomes: dict[str, Counted] = field(default_factory=dict)  # own appeals, by outcome
    recovered_exact: dict[str, Decimal] = field(default_factory=dict)  # by currency
    recovered: dict[str, Cell] = field(default_factory=dict)  # by currency, after the rule
    answers: list[Answer] = field(default_factory=list)


@dataclass
class GrievanceAnalytics:
    funnel: dict[str, Counted]
    rounds: list[RoundFigures]


# --- per grievance ------------------------------------------------------------------------------


def grievance_analytics(grievance: Grievance, rounds: QuerySet[Appeal]) -> GrievanceAnalytics:
    """The funnel and each round's figures. `rounds` are the rounds the viewer may see (e.g.
    appeals.queries.rounds.rounds_for); four queries in all."""
    round_list = list(rounds.order_by("number"))
    by_id = {r.pk: RoundFigures(r) for r in round_list}
    _add_own_appeals(by_id)
    _add_answers(by_id, grievance.platform)
    return GrievanceAnalytics(funnel=funnel(grievance), rounds=list(by_id.values()))


def funnel(grievance: Grievance) -> dict[str, Counted]:
    """joined → verified → signed → own appeal filed → outcome reported, in one query.

    "Joined" is the number of active members, which anyone may read. The later stages say which
    members did what in their own cases; for non-organisers they go through the disclosure rule,
    each verified member in the stage being one contributor of 1.
    """
    V = Membership.State.VERIFIED
    signed = Q(
        Exists(Signature.objects.filter(membership=OuterRef("pk"), withdrawn_at__isnull=True))
    )
    filed = Q(Exists(Submission.objects.filter(membership=OuterRef("pk"))))
    reported = Q(
        Exists(
            Submission.objects.filter(membership=OuterRef("pk")).exclude(
                outcome=Submission.Outcome.PENDING
            )
        )
    )
    stages = {"verified": Q(state=V), "signed": signed, "filed": filed, "reported": reported}
    counts = {"joined": Count("id")}
    for name, condition in stages.items():
        counts[name] = Count("id", filter=condition)
        counts[f"{name}_verified"] = Count("id", filter=condition & Q(state=V))
    row = grievance.memberships.active().order_by().aggregate(**counts)
    result = {"joined": Counted(row["joined"], None)}
    for name in stages:
        result[name] = Counted(row[name], _count_cell(row[f"{name}_verified"], row[name]))
    return result


def _count_cell(verified: int, total: int) -> Cell:
    """The rule applied to a count of members: each member one contributor bringing 1."""
    rows = [Contribution(("v", i), 1, True) for i in range(verified)]
    rows += [Contribution(("u", i), 1, False) for i in range(total - verified)]
    return release_count(rows)


def _add_own_appeals(by_id: dict[int, RoundFigures]) -> None:
    rows = (
        Submission.objects.filter(appeal_id__in=list(by_id))
        .order_by()
        .values_list(
            "appeal_id",
            "membership_id",
            "membership__state",
            "outcome",
            "currency",
            "amount_recovered",
        )
    )
    outcomes: dict[int, dict[str, list[Contribution]]] = defaultdict(lambda: defaultdict(list))
    money: dict[int, list[Contribution]] = defaultdict(list)
    for appeal_id, member_id, state, outcome, currency, amount in rows:
        verified = state == Membership.State.VERIFIED
        outcomes[appeal_id][outcome].append(Contribution(member_id, 1, verified))
        if amount:
            money[appeal_id].append(Contribution(member_id, amount, verified, currency))
    for appeal_id, figures in by_id.items():
        for value, _label in Submission.Outcome.choices:
            contributions = outcomes[appeal_id].get(value)
            if contributions:
                figures.outcomes[value] = Counted(len(contributions), release_count(contributions))
        exact: dict[str, Decimal] = defaultdict(Decimal)
        for c in money[appeal_id]:
            exact[c.currency] += Decimal(c.amount)
        figures.recovered_exact = dict(sorted(exact.items()))
        figures.recovered = release_money_by_currency(money[appeal_id])


def _add_answers(by_id: dict[int, RoundFigures], platform: Platform) -> None:
    rows = [
        (appeal_id, received_at, classification)
        for appeal_id, received_at, classification in PlatformResponse.objects.filter(
            appeal_id__in=list(by_id), classification__in=ANSWERS
        )
        .order_by("received_at", "id")
        .values_list("appeal_id", "received_at", "classification")
        if by_id[appeal_id].appeal.submitted_at is not None
    ]
    if not rows:
        return
    local = deadlines.local_date
    sent = [local(by_id[a].appeal.submitted_at, platform) for a, _r, _c in rows]
    received = [local(r, platform) for _a, r, _c in rows]
    calendar = BusinessDays(min(sent + received), max(sent + received), platform)
    for appeal_id, received_at, classification in rows:
        by_id[appeal_id].answers.append(
            Answer(
                received_at,
                classification,
                calendar.to_answer(by_id[appeal_id].appeal.submitted_at, received_at),
            )
        )


class BusinessDays:
    """appeals/deadlines.py's business-day arithmetic over one span of dates, looked up instead of
    walked: each day's `deadlines.is_business_day` is asked once, so a scorecard of 1,000 rounds
    costs one pass over the year, not one walk per round. Dates outside the span fall back to
    the deadlines functions themselves, so the answers are always theirs."""

    def __init__(self, first: date, last: date, platform) -> None:
        self.platform, self.first = platform, first
        self.days = (last - first).days + 1
        running, self.before = 0, []  # business days in (first, first + i]
        for i in range(self.days):
            if i and deadlines.is_business_day(first + timedelta(days=i), platform):
                running += 1
            self.before.append(running)

    def _index(self, d: date) -> int | None:
        i = (d - self.first).days
        return i if 0 <= i < self.days else None

    def between(self, start: date, end: date) -> int:
        """= deadlines.business_days_between(start, end, platform)."""
        a, b = self._index(start), self._index(end)
        if a is None or b is None:
            return deadlines.business_days_between(start, end, self.platform)
        return self.before[b] - self.before[a]

    def add(self, start: date, n: int) -> date:
        """= deadlines.add_business_days(start, n, platform)."""
        a = self._index(start)
        if a is not None:
            i = bisect.bisect_left(self.before, self.before[a] + n, lo=a + 1 if n else a)
            if i < self.days:
                return self.first + timedelta(days=i)
        return deadlines.add_business_days(start, n, self.platform)

    def response_due(self, submitted_at: datetime) -> datetime:
        """= deadlines.response_due(submitted_at, platform)."""
        day = deadlines.local_date(submitted_at, self.platform)
        due = self.add(day, self.platform.response_business_days)
        return deadlines.end_of_business_day(due, self.platform)

    def to_answer(self, submitted_at: datetime, answered_at: datetime) -> int:
        """Business days from the day of submission to the day of the answer, on the platform's
        calendar: an answer on the next business day took 1, one on the same day 0."""
        local = deadlines.local_date
        return max(
            0, self.between(local(submitted_at, self.platform), local(answered_at, self.platform))
        )


# --- per platform (public) ----------------------------------------------------------------------


@dataclass
class Scorecard:
    platform: Platform
    since: datetime
    until: datetime
    rounds_submitted: int
    answered: int
    days_to_first_answer: list[int]  # one per answered round, sorted
    late: int  # answered after the due date, or still unanswered past it
    judged: int  # rounds whose lateness is known: answered, or unanswered past their due date
    outcomes_by_category: dict[str, dict[str, int]]  # category → outcome key → rounds
    recovered: dict[str, Cell]  # by currency, released figures only

    @property
    def median_days(self) -> float | None:
        return median(self.days_to_first_answer)

    @property
    def p90_days(self) -> int | None:
        return percentile(self.days_to_first_answer, 90)

    @property
    def late_share(self) -> float | None:
        """Share of the judged rounds answered late (0..1), None when no round can be judged."""
        return self.late / self.judged if self.judged else None


# Outcome keys of a round on the scorecard: the platform's decision, or where the round stands.
AWAITING = "awaiting"
SCORECARD_OUTCOMES = [Appeal.Outcome.GRANTED, Appeal.Outcome.PARTIAL, Appeal.Outcome.REJECTED]


def public_rounds(platform: Platform, since: datetime, until: datetime) -> QuerySet[Appeal]:
    """Rounds of the platform's public grievances submitted in [since, until]: only public
    grievances that staff have not hidden count toward a platform's record."""
    return Appeal.objects.filter(
        grievance__platform=platform,
        grievance__visibility=Grievance.Visibility.PUBLIC,
        grievance__hidden=False,
        submitted_at__isnull=False,
        submitted_at__gte=since,
        submitted_at__lte=until,
    )


def platform_scorecard(platform: Platform, now: datetime) -> Scorecard:
    """The platform's public record over the last 12 months, in three queries."""
    since = now - timedelta(days=SCORECARD_DAYS)
    rounds = public_rounds(platform, since, now)
    rows = list(
        rounds.order_by().values_list(
            "pk", "submitted_at", "state", "outcome", "grievance__category"
        )
    )
    first = dict(
        PlatformResponse.objects.filter(appeal__in=rounds.values("pk"), classification__in=ANSWERS)
        .order_by()
        .values("appeal_id")
        .annotate(first=Min("received_at"))
        .values_list("appeal_id", "first")
    )
    days: list[int] = []
    late = judged = 0
    outcomes: dict[str, dict[str, int]] = defaultdict(lambda: defaultdict(int))
    calendar = BusinessDays(
        deadlines.local_date(since, platform) - timedelta(days=1),
        deadlines.local_date(now, platform) + timedelta(days=200),  # room for late answers' dues
        platform,
    )
    for pk, submitted_at, state, outcome, category in rows:
        due = calendar.response_due(submitted_at)
        answered_at = first.get(pk)
        if answered_at is not None:
            days.append(calendar.to_answer(submitted_at, answered_at))
            judged += 1
            late += answered_at > due
        elif state != Appeal.State.WITHDRAWN and now > due:
            judged += 1
            late += 1
        key = _scorecard_outcome(state, outcome)
        if key:
            outcomes[category][key] += 1
    return Scorecard(
        platform=platform,
        since=since,
        until=now,
        rounds_submitted=len(rows),
        answered=len(days),
        days_to_first_answer=sorted(days),
        late=late,
        judged=judged,
        outcomes_by_category={k: dict(v) for k, v in sorted(outcomes.items())},
        recovered=_recovered_by_seller(rounds),
    )


def _scorecard_outcome(state: str, outcome: str) -> str:
    if outcome in SCORECARD_OUTCOMES:
        return outcome
    if state == Appeal.State.WITHDRAWN:
        return ""  # withdrawn by the coalition: not the platform's decision
    return AWAITING


def _recovered_by_seller(rounds: QuerySet[Appeal]) -> dict[str, Cell]:
    """Recovered amounts of members' own appeals in these rounds, per currency, after the rule.
    Across grievances the contributor is the seller (docs/privacy.md)."""
    rows = (
        Submission.objects.filter(appeal__in=rounds.values("pk"), amount_recovered__gt=0)
        .order_by()
        .values("membership__seller_id", "membership__state", "currency")
        .annotate(amount=Sum("amount_recovered"))
        .values_list("membership__seller_id", "membership__state", "currency", "amount")
    )
    return release_money_by_currency(
        Contribution(seller, amount, state == Membership.State.VERIFIED, currency)
        for seller, state, currency, amount in rows
    )


# --- statistics ---------------------------------------------------------------------------------


def median(values: Iterable[int]) -> float | None:
    """The middle value; the mean of the two middle ones for an even count; None when empty."""
    data = sorted(values)
    return float(statistics.median(data)) if data else None


def percentile(values: Iterable[int], p: int) -> int | None:
    """The nearest-rank percentile: the smallest value that at least p % of the values are at or
    below (the 90th of 1..10 is 9). Always one of the values; None when empty."""
    data = sorted(values)
    if not data:
        return None
    rank = max(1, math.ceil(p / 100 * len(data)))
    return data[rank - 1]
