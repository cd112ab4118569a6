"""Sellers' profiles, their stores and their API tokens."""

from __future__ import annotations

from allauth.account.models import EmailAddress
from django.contrib.auth import get_user_model
from django.db import transaction
from django.utils.translation import gettext as _
from rest_framework.authtoken.models import Token

from coalition.actions.guards import assign, require_owner
from coalition.errors import ActionRefused
from coalition.models import Platform, Seller, Store
from coalition.queries.sellers import seller_of


def ensure_seller(
    user, *, display_name: str = "", language: str = "", time_zone: str = ""
) -> Seller:
    """The user's seller profile, created on first need (sign-up, admin-made users)."""
    seller = seller_of(user)
    if seller is not None:
        return seller
    name = display_name or (user.email.split("@")[0] if user.email else user.get_username())
    defaults = {"display_name": name[:80], "language": language or Seller.Language.EN}
    if time_zone:
        defaults["time_zone"] = time_zone
    seller, _created = Seller.objects.get_or_create(user=user, defaults=defaults)
    return seller


def update_profile(seller: Seller, *, actor, **fields) -> Seller:
    allowed = {
        "display_name",
        "language",
        "time_zone",
        "email_notifications",
        "country_of_establishment",
    }
    require_owner(seller, actor)
    changed = assign(seller, fields, allowed)
    if changed:
        seller.save(update_fields=changed)
    return seller


@transaction.atomic
def create_store(
    *, actor, platform: Platform, name: str, platform_store_id: str, state: str = Store.State.ACTIVE
) -> Store:
    seller = ensure_seller(actor)
    if Store.objects.filter(
        seller=seller, platform=platform, platform_store_id=platform_store_id
    ).exists():
        raise ActionRefused(
            _("You already registered this store ID on this platform."), field="platform_store_id"
        )
    return Store.objects.create(
        seller=seller,
        platform=platform,
        name=name,
        platform_store_id=platform_store_id,
        state=state,
    )


@transaction.atomic
def update_store(store: Store, *, actor, **fields) -> Store:
    require_owner(store.seller, actor)
    changed = assign(store, fields, {"platform", "name", "platform_store_id", "state"})
    if changed:
        clash = Store.objects.filter(
            seller=store.seller, platform=store.platform, platform_store_id=store.platform_store_id
        ).exclude(pk=store.pk)
        if clash.exists():
            raise ActionRefused(
                _("You already registered this store ID on this platform."),
                field="platform_store_id",
            )
        store.save(update_fields=changed)
    return store


@transaction.atomic
def delete_store(store: Store, *, actor) -> None:
    require_owner(store.seller, actor)
    store.delete()  # memberships keep their figures; their store link is set to null


def api_token_for(user) -> str:
    """The user's API token key, made on first need. DRF's own token table, as
    rest_framework.authtoken's obtain view does; no coalition model."""
    token, _created = Token.objects.get_or_create(user=user)
    return token.key


@transaction.atomic
def create_account(
    *,
    email: str,
    password: str,
    username: str,
    display_name: str,
    language: str,
    time_zone: str,
    staff: bool = False,
):
    """A ready account with a confirmed email address and its seller profile (demo data and
    operators' scripts; sellers sign up through allauth). Returns (user, created)."""
    User = get_user_model()
    user = User.objects.filter(email__iexact=email).first()
    created = user is None
    if created:
        user = User(username=username, email=email, is_staff=staff, is_superuser=staff)
        user.set_password(password)
        user.save()
    # Mandatory verification would otherwise stop these logins at "confirm your email".
    EmailAddress.objects.get_or_create(
        user=user, email=email, defaults={"verified": True, "primary": True}
    )
    if seller_of(user) is None:
        seller = ensure_seller(user, display_name=display_name, language=language)
        update_profile(seller, actor=user, time_zone=time_zone)
        user.refresh_from_db()
    return user, created
