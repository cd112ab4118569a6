"""Who an email to the coalition reaches: the members a summons, a decision notice or an
organisers' announcement goes to (docs/domain.md "Talking to the coalition").

Everyone here is an active member with a confirmed email address: the only addresses we may write
to unprompted, and the only members whose signatures count. Unsubscribes are honoured later, by
the outbox at send time; `opted_in` leaves them out of the counts organisers are shown.
"""

from __future__ import annotations

from allauth.account.models import EmailAddress
from django.db.models import Exists, OuterRef, Q, QuerySet

from appeals.models import Announcement, Appeal, Signature, Submission, Unsubscribe
from coalition.models import Grievance, Membership

Audience = Announcement.Audience


def reachable_members(grievance: Grievance | int) -> QuerySet[Membership]:
    """Active members of the grievance with a confirmed email address."""
    confirmed = EmailAddress.objects.filter(user=OuterRef("seller__user"), verified=True)
    return Membership.objects.active().filter(grievance=grievance).filter(Exists(confirmed))


def verified_members(grievance: Grievance | int) -> QuerySet[Membership]:
    """Reachable members the organisers verified (organisers are verified too): a summons goes
    to them."""
    return reachable_members(grievance).filter(state=Membership.State.VERIFIED)


def _signed(appeal: Appeal) -> Exists:
    return Exists(
        Signature.objects.filter(
            appeal=appeal, membership=OuterRef("pk"), withdrawn_at__isnull=True
        )
    )


def not_signed(appeal: Appeal, members: QuerySet[Membership]) -> QuerySet[Membership]:
    return members.exclude(_signed(appeal))


def audience_of(grievance: Grievance, audience: str, appeal: Appeal | None) -> QuerySet[Membership]:
    """The members an announcement to `audience` reaches; `appeal` is the round the signers,
    the not-yet-signed and the not-yet-filed are counted against."""
    members = reachable_members(grievance)
    if audience == Audience.ALL:
        return members
    if appeal is None:  # the round is gone: nobody is "not signed" for no round
        return members.none()
    if audience == Audience.SIGNERS:
        return members.filter(_signed(appeal))
    if audience == Audience.NOT_SIGNED:
        return not_signed(appeal, members)
    filed = Exists(Submission.objects.filter(appeal=appeal, membership=OuterRef("pk")))
    return members.filter(_signed(appeal)).exclude(filed)  # NOT_FILED


def opted_in(members: QuerySet[Membership], grievance: Grievance) -> QuerySet[Membership]:
    """Leave out members who switched emails off, for this grievance or for everything."""
    mine = Unsubscribe.objects.filter(seller=OuterRef("seller"))
    return members.filter(seller__email_notifications=True).exclude(
        Exists(mine.filter(Q(grievance__isnull=True) | Q(grievance=grievance)))
    )


def audience_round(grievance: Grievance, audience: str) -> Appeal | None:
    """The round an audience is counted against: the latest round open for signing (or any
    signing/ready round) for "not signed" and "signers"; the latest sent round for "not filed"."""
    rounds = grievance.rounds.exclude(state=Appeal.State.WITHDRAWN).order_by("-number")
    if audience == Audience.ALL:
        return None
    if audience == Audience.NOT_FILED:
        return rounds.filter(
            state__in=[Appeal.State.SUBMITTED, Appeal.State.INFO_REQUESTED, Appeal.State.RESPONDED]
        ).first()
    if audience == Audience.NOT_SIGNED:
        return rounds.filter(state=Appeal.State.SIGNING).first()
    return rounds.exclude(state=Appeal.State.DRAFT).first()  # SIGNERS


def audience_count(grievance: Grievance, audience: str) -> tuple[Appeal | None, int]:
    """The round an audience is counted against and how many members would receive an
    announcement to it now (opted-out members left out): the preview organisers see."""
    appeal = audience_round(grievance, audience)
    if audience != Audience.ALL and appeal is None:
        return None, 0
    return appeal, opted_in(audience_of(grievance, audience, appeal), grievance).count()
