"""View-models of the appeals pages: what the round page (and the round detail API) shows. Built on
appeals/queries, which decide who may see what."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime

from allauth.account.models import EmailAddress
from django.urls import NoReverseMatch
from django.utils import timezone

from appeals import deadlines, states
from appeals.documents.letters import signer_annex
from appeals.models import Appeal, PlatformResponse, Signature, Submission
from appeals.pages.thread import ThreadItem, thread_of
from appeals.queries.clocks import clock_label, clock_of
from appeals.queries.inbound import thread_responses
from appeals.queries.rounds import Standing, standing_in
from appeals.queries.totals import Totals, round_totals
from coalition.models import Grievance, Membership

S = Appeal.State


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
    thread: list[ThreadItem] = field(default_factory=list)  # emails sent and replies, by date

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
    annex = signer_annex(appeal) if insider else []
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
        totals=round_totals(appeal, exact=organiser),
        responses=list(thread_responses(appeal, organiser=organiser)) if insider else [],
        annex=annex,
        unnamed_signers=max(count - len(annex), 0) if insider else 0,
        signers=_signers(appeal) if organiser else [],
        clock=clock,
        clock_label=clock_label(appeal, clock),
        overdue=states.is_overdue(appeal, now),
        very_overdue=states.is_very_overdue(appeal, now),
        allowed_moves=states.allowed_moves(appeal) if organiser else [],
        next_round=Appeal.objects.filter(previous=appeal).first() if insider else None,
        thread=thread_of(appeal, standing),
    )


def _email_verified(user) -> bool:
    if not getattr(user, "is_authenticated", False):
        return False
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


def round_url(appeal: Appeal) -> str:
    """The round page's URL, or "" where the round pages are not wired in."""
    try:
        return appeal.get_absolute_url()
    except NoReverseMatch:  # the round pages are not wired in (e.g. an API-only deployment)
        return ""
