"""A user's membership in a grievance, who they may see in it, and the figures shown to them."""

from __future__ import annotations

from dataclasses import dataclass, field
from decimal import Decimal

from django.db.models import Count, Q, QuerySet

from coalition.models import Grievance, Membership
from coalition.queries.sellers import is_staff, seller_of
from coalition.rules.disclosure import (
    MIN_CONTRIBUTORS,
    TOO_FEW,
    Cell,
    Contribution,
    release_count,
    release_money_by_currency,
)

# Store counts and amounts reach non-organisers only through coalition/rules/disclosure.py.
AGGREGATE_MIN_CONTRIBUTORS = MIN_CONTRIBUTORS


def membership_of(user, grievance: Grievance) -> Membership | None:
    """The user's active membership in this grievance, if any."""
    seller = seller_of(user)
    if seller is None:
        return None
    return (
        Membership.objects.active()
        .filter(grievance=grievance, seller=seller)
        .select_related("store")
        .first()
    )


def can_organise(user, grievance: Grievance, membership: Membership | None = None) -> bool:
    if is_staff(user):
        return True
    membership = membership if membership is not None else membership_of(user, grievance)
    return bool(membership and membership.is_organiser)


def visible_members(user, grievance: Grievance, *, organiser: bool) -> QuerySet[Membership]:
    """Organisers see every active member (with store IDs); members see those who consented to
    be named; everyone else sees nobody."""
    qs = (
        grievance.memberships.active()
        .select_related("seller", "store", "store__platform")
        .order_by("joined_at")
    )
    if organiser:
        return qs
    if membership_of(user, grievance) is None:
        return qs.none()
    return qs.filter(consent_to_name=True)


def member_summary(grievance: Grievance) -> dict[str, int]:
    """The grievance's active members counted by state and role, in one query: the summary the
    grievance page shows its organisers instead of the whole list."""
    S, R = Membership.State, Membership.Role
    return grievance.memberships.active().aggregate(
        total=Count("id"),
        joined=Count("id", filter=Q(state=S.JOINED)),
        verified=Count("id", filter=Q(state=S.VERIFIED)),
        organisers=Count("id", filter=Q(role=R.ORGANISER)),
        with_store=Count("id", filter=Q(store__isnull=False)),
    )


def verification_queue(grievance: Grievance) -> QuerySet[Membership]:
    """Members waiting for an organiser to verify them, longest-waiting first."""
    return (
        grievance.memberships.filter(state=Membership.State.JOINED)
        .select_related("seller", "store", "store__platform")
        .order_by("joined_at", "pk")
    )


def named_among(grievance: Grievance, user_ids: set[int], *, organiser: bool) -> set[int]:
    """Which of these users a viewer may name on the timeline: any member for organisers; for
    others, members who agreed to be named. Asks only about the users on the page, so the
    query does not grow with the coalition."""
    qs = grievance.memberships.active().filter(seller__user_id__in=user_ids)
    if not organiser:
        qs = qs.filter(consent_to_name=True)
    return set(qs.values_list("seller__user_id", flat=True))


def organiser_seller_ids(grievance: Grievance) -> set[int]:
    """The sellers who organise this grievance now."""
    return set(grievance.memberships.organisers().values_list("seller_id", flat=True))


def earlier_membership(user, grievance: Grievance) -> Membership | None:
    """The user's membership in any state (someone who left and comes back)."""
    return Membership.objects.filter(grievance=grievance, seller__user=user).first()


@dataclass(frozen=True)
class CurrencyFigures:
    """One currency's withheld and fined amounts: two cells (coalition/rules/disclosure.py)."""

    currency: str
    withheld: Cell
    fined: Cell


@dataclass
class Aggregates:
    """A grievance's figures as one viewer may read them.

    For organisers and staff (`exact`) the cells carry exact sums over every active member and
    `public` is what everyone else reads; for anyone else every cell has been through the
    disclosure rule (docs/privacy.md): at least 5 verified members with a positive figure,
    no dominance, money rounded to 2 significant figures. The member count is always exact.
    """

    member_count: int = 0
    verified_count: int = 0
    contributor_count: int = 0  # verified members with a positive amount (organisers' screens)
    stores: Cell = field(default_factory=lambda: Cell(False, None, 0, None, TOO_FEW))
    currencies: list[CurrencyFigures] = field(default_factory=list)
    exact: bool = False
    public: Aggregates | None = None

    @property
    def disclosed(self) -> bool:
        """Whether this viewer sees any store count or amount."""
        return self.stores.released or any(
            row.withheld.released or row.fined.released for row in self.currencies
        )

    @property
    def below_threshold(self) -> bool:
        return self.contributor_count < AGGREGATE_MIN_CONTRIBUTORS


def aggregates(grievance: Grievance, *, organiser: bool) -> Aggregates:
    """The member count always; store count and amounts per currency through the disclosure rule,
    or exactly for organisers and staff (who also get `public`, what the others read)."""
    rows = list(
        grievance.memberships.active().values(
            "pk", "state", "store_id", "currency", "amount_withheld", "amount_fined"
        )
    )
    public = _released(rows)
    if not organiser:
        return public
    return Aggregates(
        member_count=public.member_count,
        verified_count=public.verified_count,
        contributor_count=public.contributor_count,
        stores=_exact(rows, lambda r: 1 if r["store_id"] else 0, None),
        currencies=[
            CurrencyFigures(
                code,
                _exact([r for r in rows if r["currency"] == code], _of("amount_withheld"), code),
                _exact([r for r in rows if r["currency"] == code], _of("amount_fined"), code),
            )
            for code in sorted({r["currency"] for r in rows if _has_money(r)})
        ],
        exact=True,
        public=public,
    )


def _of(name: str):
    return lambda r: r[name] or Decimal(0)


def _has_money(row: dict) -> bool:
    return bool(row["amount_withheld"] or row["amount_fined"])


def _exact(rows: list[dict], figure, currency: str | None) -> Cell:
    values = [figure(r) for r in rows]
    total = sum(values, Decimal(0))
    return Cell(
        True,
        total if currency else int(total),
        sum(1 for v in values if v > 0),
        currency,
    )


def _released(rows: list[dict]) -> Aggregates:
    def contributions(figure, money: bool):
        return [
            Contribution(
                r["pk"],
                figure(r),
                r["state"] == Membership.State.VERIFIED,
                r["currency"] if money else None,
            )
            for r in rows
            if not money or _has_money(r)
        ]

    withheld = release_money_by_currency(contributions(_of("amount_withheld"), True))
    fined = release_money_by_currency(contributions(_of("amount_fined"), True))
    verified = [r for r in rows if r["state"] == Membership.State.VERIFIED]
    return Aggregates(
        member_count=len(rows),
        verified_count=len(verified),
        contributor_count=sum(1 for r in verified if _has_money(r)),
        stores=release_count(contributions(lambda r: 1 if r["store_id"] else 0, False)),
        currencies=[
            CurrencyFigures(code, withheld[code], fined[code]) for code in sorted(withheld)
        ],
    )
