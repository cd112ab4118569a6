"""Who may see which round: every page and API endpoint scopes its rounds with these.

Who sees which rounds (docs/domain.md "Who may see and do what", decided here):
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

from dataclasses import dataclass

from django.db.models import Count, IntegerField, OuterRef, Q, QuerySet, Subquery, Value
from django.db.models.functions import Coalesce
from django.http import Http404

from appeals.models import Appeal, Signature
from appeals.models.rounds import COUNTED_MEMBERSHIP_STATES
from coalition.models import Grievance, Membership
from coalition.queries.memberships import membership_of
from coalition.queries.sellers import is_staff, seller_of

S = Appeal.State
ACTIVE_MEMBERSHIP_STATES = [Membership.State.JOINED, Membership.State.VERIFIED]


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
            membership__state__in=COUNTED_MEMBERSHIP_STATES,
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
    """The round with this id if the user may see it, else Http404 (never 403: docs/domain.md)."""
    try:
        return visible_rounds(user).select_related("previous").get(pk=pk)
    except (Appeal.DoesNotExist, ValueError, TypeError):
        raise Http404("No such round.") from None


def can_see_letter(standing: Standing) -> bool:
    return standing.insider


def organised_rounds(user) -> QuerySet[Appeal] | None:
    """The rounds of the grievances the user organises (staff: every grievance's), withdrawn ones
    left out; None for a user who organises nothing."""
    qs = Appeal.objects.exclude(state=S.WITHDRAWN).select_related("grievance__platform")
    if is_staff(user):
        return qs
    seller = seller_of(user)
    if seller is None:
        return None
    organised = Membership.objects.organisers().filter(seller=seller).values("grievance_id")
    return qs.filter(grievance__in=organised)


def organised_grievances(user) -> list[Grievance]:
    """Grievances this user organises (staff: only those they organise themselves), merged ones
    left out. One query."""
    seller = seller_of(user)
    if seller is None:
        return []
    ids = Membership.objects.organisers().filter(seller=seller).values("grievance_id")
    return list(
        Grievance.objects.filter(pk__in=ids).exclude(state=Grievance.State.MERGED).order_by("title")
    )


def organisers_of(appeal: Appeal) -> list[Membership]:
    """The organisers of the round's grievance, with their users, in a stable order (the people
    the round's emails go to or copy)."""
    return list(
        Membership.objects.organisers()
        .filter(grievance=appeal.grievance_id)
        .select_related("seller__user")
        .order_by("pk")
    )
