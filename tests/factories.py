from __future__ import annotations

from decimal import Decimal

import factory
from allauth.account.models import EmailAddress
from django.contrib.auth import get_user_model

from coalition.categories import Category
from coalition.models import Grievance, Membership, Platform, Seller, Store


class UserFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = get_user_model()
        skip_postgeneration_save = True

    username = factory.Sequence(lambda n: f"user{n}")
    email = factory.LazyAttribute(lambda u: f"{u.username}@example.com")
    password = factory.PostGenerationMethodCall("set_password", "pass-w0rd-123")

    @factory.post_generation
    def verified(self, create, extracted, **kwargs):
        """Users have a verified primary email unless verified=False is passed."""
        if create:
            self.save()
            EmailAddress.objects.create(user=self, email=self.email, primary=True, verified=extracted is not False)


class SellerFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Seller

    user = factory.SubFactory(UserFactory)
    display_name = factory.Sequence(lambda n: f"Seller {n}")


class PlatformFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Platform
        django_get_or_create = ("slug",)

    name = factory.Sequence(lambda n: f"Market {n}")
    slug = factory.Sequence(lambda n: f"market-{n}")
    holiday_country = "US"
    time_zone = "America/Los_Angeles"
    response_business_days = 5
    chase_business_days = 3
    round_cap = 3
    appeal_window_days = 90
    appeal_email = "appeals@market.example"


class StoreFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Store

    seller = factory.SubFactory(SellerFactory)
    platform = factory.SubFactory(PlatformFactory)
    name = factory.Sequence(lambda n: f"Store {n}")
    platform_store_id = factory.Sequence(lambda n: f"SID-{n:06d}")


class GrievanceFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Grievance

    platform = factory.SubFactory(PlatformFactory)
    category = Category.FUNDS_WITHHELD
    title = factory.Sequence(lambda n: f"Funds withheld after policy change {n}")
    summary = "Our payouts were frozen without a statement of reasons."
    demands = "Release the funds and give each store a statement of reasons."


class MembershipFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Membership

    grievance = factory.SubFactory(GrievanceFactory)
    seller = factory.SubFactory(SellerFactory)
    role = Membership.Role.MEMBER
    state = Membership.State.JOINED
    amount_withheld = Decimal("0")
    currency = "USD"


class OrganiserFactory(MembershipFactory):
    role = Membership.Role.ORGANISER
    state = Membership.State.VERIFIED
