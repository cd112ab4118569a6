"""Coalitions of thousands of members, made with bulk_create so that a 5,000-member grievance
takes a second, not a minute."""

from __future__ import annotations

from decimal import Decimal

from allauth.account.models import EmailAddress
from django.contrib.auth import get_user_model

from coalition.models import Membership, Seller, Store


def bulk_members(grievance, n: int, *, prefix: str = "m", state=Membership.State.JOINED) -> list:
    """n members of the grievance, each with a confirmed email and a store on its platform."""
    User = get_user_model()
    users = User.objects.bulk_create(
        [User(username=f"{prefix}{i}", email=f"{prefix}{i}@example.com") for i in range(n)]
    )
    users = list(User.objects.filter(username__in=[u.username for u in users]).order_by("pk"))
    EmailAddress.objects.bulk_create(
        [EmailAddress(user=u, email=u.email, primary=True, verified=True) for u in users]
    )
    Seller.objects.bulk_create([Seller(user=u, display_name=f"Seller {u.username}") for u in users])
    sellers = list(Seller.objects.filter(user__in=users).select_related("user").order_by("pk"))
    Store.objects.bulk_create(
        [
            Store(
                seller=s,
                platform=grievance.platform,
                name=f"Shop {s.user.username}",
                platform_store_id=f"SID-{s.user.username}",
            )
            for s in sellers
        ]
    )
    stores = {st.seller_id: st for st in Store.objects.filter(seller__in=sellers)}
    Membership.objects.bulk_create(
        [
            Membership(
                grievance=grievance,
                seller=s,
                store=stores[s.pk],
                state=state,
                amount_withheld=Decimal("10"),
            )
            for s in sellers
        ]
    )
    return list(Membership.objects.filter(grievance=grievance, seller__in=sellers).order_by("pk"))
