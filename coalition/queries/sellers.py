"""The caller's seller profile and own stores."""

from __future__ import annotations

from django.db.models import QuerySet

from coalition.models import Seller, Store


def seller_of(user) -> Seller | None:
    if not getattr(user, "is_authenticated", False):
        return None
    try:
        return user.seller
    except Seller.DoesNotExist:
        return None


def is_staff(user) -> bool:
    return bool(getattr(user, "is_authenticated", False) and user.is_staff)


def own_stores(user) -> QuerySet[Store]:
    seller = seller_of(user)
    if seller is None:
        return Store.objects.none()
    return Store.objects.filter(seller=seller).select_related("platform")
