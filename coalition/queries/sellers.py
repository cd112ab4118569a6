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


def seller_with_email(email: str) -> Seller | None:
    return Seller.objects.filter(user__email__iexact=email).select_related("user").first()


def display_name_of(user) -> str:
    """How allauth names a user on its pages and messages: the display name, else the email —
    never the username Django generated, which the seller never chose."""
    seller = seller_of(user)
    return seller.display_name if seller is not None else (user.email or user.get_username())
