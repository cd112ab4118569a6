"""The member list organisers search and filter, by what members did in the rounds too (signed
round N, filed their own appeal, its outcome): queries over coalition's memberships that only
appeals can answer."""

from __future__ import annotations

from collections import defaultdict
from typing import Any

from django.db.models import Exists, OuterRef, Q, QuerySet

from appeals.models import Signature, Submission
from coalition.models import Grievance, Membership


def member_list(grievance: Grievance, filters: dict[str, Any]) -> QuerySet[Membership]:
    """Active members matching the filters (cleaned values of appeals.forms.members
    MemberFilterForm), oldest first: q searches the display name, email, store name and store ID."""
    qs = (
        grievance.memberships.active()
        .select_related("seller__user", "store__platform")
        .order_by("joined_at", "pk")
    )
    q = (filters.get("q") or "").strip()
    if q:
        qs = qs.filter(
            Q(seller__display_name__icontains=q)
            | Q(seller__user__email__icontains=q)
            | Q(store__name__icontains=q)
            | Q(store__platform_store_id__icontains=q)
        )
    state = filters.get("state") or ""
    if state == "organiser":
        qs = qs.filter(role=Membership.Role.ORGANISER)
    elif state:
        qs = qs.filter(state=state)
    if filters.get("signed"):
        qs = qs.filter(_signed_round(grievance, filters["signed"]))
    if filters.get("not_signed"):
        qs = qs.exclude(_signed_round(grievance, filters["not_signed"]))
    filed = filters.get("filed") or ""
    if filed:
        own = Exists(Submission.objects.filter(membership=OuterRef("pk")))
        qs = qs.filter(own) if filed == "yes" else qs.exclude(own)
    if filters.get("outcome"):
        qs = qs.filter(
            Exists(Submission.objects.filter(membership=OuterRef("pk"), outcome=filters["outcome"]))
        )
    return qs


def _signed_round(grievance: Grievance, number: int) -> Exists:
    return Exists(
        Signature.objects.filter(
            membership=OuterRef("pk"),
            appeal__grievance=grievance,
            appeal__number=number,
            withdrawn_at__isnull=True,
        )
    )


def round_activity(membership_ids: list[int]) -> tuple[dict[int, list[int]], set[int]]:
    """For one page of members: the rounds each has signed, and who filed an own appeal. Two
    queries, whatever the page size."""
    signed: dict[int, list[int]] = defaultdict(list)
    rows = (
        Signature.objects.filter(membership__in=membership_ids, withdrawn_at__isnull=True)
        .order_by("appeal__number")
        .values_list("membership_id", "appeal__number")
    )
    for membership_id, number in rows:
        signed[membership_id].append(number)
    filed = set(
        Submission.objects.filter(membership__in=membership_ids)
        .values_list("membership_id", flat=True)
        .distinct()
    )
    return signed, filed


def grievance_activity(grievance: Grievance) -> tuple[dict[int, list[int]], set[int]]:
    """round_activity for every member of the grievance at once (the members export)."""
    signed: dict[int, list[int]] = defaultdict(list)
    rows = (
        Signature.objects.filter(appeal__grievance=grievance, withdrawn_at__isnull=True)
        .order_by("appeal__number")
        .values_list("membership_id", "appeal__number")
    )
    for membership_id, number in rows:
        signed[membership_id].append(number)
    filed = set(
        Submission.objects.filter(appeal__grievance=grievance)
        .values_list("membership_id", flat=True)
        .distinct()
    )
    return signed, filed


def round_signers(appeal, *, state: str = "") -> QuerySet[Signature]:
    """The round's standing signatures with their members, in signing order; state narrows them
    to verified members or to those still waiting for verification."""
    qs = (
        Signature.objects.filter(appeal=appeal, withdrawn_at__isnull=True)
        .select_related("membership__seller__user", "membership__store")
        .order_by("signed_at", "pk")
    )
    if state:
        qs = qs.filter(membership__state=state)
    return qs


def own_appeals(grievance: Grievance, *, round_number: int | None, outcome: str) -> QuerySet:
    """Members' own appeals in the grievance's rounds, by round then date."""
    qs = (
        Submission.objects.filter(appeal__grievance=grievance)
        .select_related("appeal", "membership__seller", "membership__store")
        .order_by("appeal__number", "submitted_on", "pk")
    )
    if round_number:
        qs = qs.filter(appeal__number=round_number)
    if outcome:
        qs = qs.filter(outcome=outcome)
    return qs
