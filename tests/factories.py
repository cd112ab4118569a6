from __future__ import annotations

from datetime import timedelta
from decimal import Decimal

import factory
from allauth.account.models import EmailAddress
from django.contrib.auth import get_user_model
from django.contrib.auth.models import AnonymousUser
from django.db.models import Max
from django.utils import timezone

from coalition.actions.coupons import offer_coupons
from coalition.actions.reports import confirm_watcher_email, submit_report
from coalition.actions.search import index_grievance
from coalition.actions.tallies import recount_tally
from coalition.cache import bump
from coalition.categories import Category
from coalition.models import Grievance, InfringementReport, Membership, Platform, Seller, Store
from tests.files import screenshot


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
            EmailAddress.objects.create(
                user=self, email=self.email, primary=True, verified=extracted is not False
            )


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
        skip_postgeneration_save = True

    platform = factory.SubFactory(PlatformFactory)
    category = Category.FUNDS_WITHHELD
    title = factory.Sequence(lambda n: f"Funds withheld after policy change {n}")
    summary = "Our payouts were frozen without a statement of reasons."
    demands = "Release the funds and give each store a statement of reasons."

    @factory.post_generation
    def search_document(self, create, extracted, **kwargs):
        """Found by search as one made by the create action would be."""
        if create:
            index_grievance(self)


class MembershipFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Membership
        skip_postgeneration_save = True

    grievance = factory.SubFactory(GrievanceFactory)
    seller = factory.SubFactory(SellerFactory)
    role = Membership.Role.MEMBER
    state = Membership.State.JOINED
    amount_withheld = Decimal("0")
    currency = "USD"

    @factory.post_generation
    def tallied(obj, create, extracted, **kwargs):
        # The membership actions keep the grievance's counters and make its cached public
        # answers stale (coalition/cache.py); a factory row bypasses them, so it does both.
        if create:
            recount_tally(obj.grievance_id)
            bump(obj.grievance_id)


class OrganiserFactory(MembershipFactory):
    role = Membership.Role.ORGANISER
    state = Membership.State.VERIFIED


# --- appeals (rounds, signatures, member submissions, platform responses) ---------------------


def _next_round_number(appeal) -> int:
    return (appeal.grievance.rounds.aggregate(n=Max("number"))["n"] or 0) + 1


def _today():
    return timezone.localdate()


def _now():
    return timezone.now()


class AppealFactory(factory.django.DjangoModelFactory):
    """A round written straight to the table; tests that need a real history call the actions."""

    class Meta:
        model = "appeals.Appeal"

    grievance = factory.SubFactory(GrievanceFactory)
    number = factory.LazyAttribute(_next_round_number)
    subject = factory.LazyAttribute(lambda a: f"Collective appeal, round {a.number}")
    letter = "To the seller appeals team,\n\nWe appeal together.\n"
    language = "en"
    channel = "portal"
    state = "draft"
    signature_goal = 10


class SignatureFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = "appeals.Signature"

    appeal = factory.SubFactory(AppealFactory)
    # A verified member: only verified members' signatures count (appeals/models/rounds.py).
    membership = factory.SubFactory(
        MembershipFactory,
        grievance=factory.SelfAttribute("..appeal.grievance"),
        state=Membership.State.VERIFIED,
    )
    consent_to_name = False


class SubmissionFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = "appeals.Submission"

    appeal = factory.SubFactory(AppealFactory, state="submitted")
    membership = factory.SubFactory(
        MembershipFactory, grievance=factory.SelfAttribute("..appeal.grievance")
    )
    submitted_on = factory.LazyFunction(_today)
    ticket_reference = factory.Sequence(lambda n: f"TICKET-{n:05d}")


class PlatformResponseFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = "appeals.PlatformResponse"

    appeal = factory.SubFactory(AppealFactory, state="submitted")
    received_at = factory.LazyFunction(_now)
    channel = "email"
    text = "Thank you for your message. We are looking into it."
    classification = "acknowledged"


# --- follow-ups and the outbox -----------------------------------------------------------------


class FollowUpFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = "appeals.FollowUp"

    kind = "next_round"
    key = factory.Sequence(lambda n: f"test:{n}")
    appeal = factory.SubFactory(AppealFactory)
    due_at = factory.LazyFunction(_now)


class NotificationFactory(factory.django.DjangoModelFactory):
    """An outbox row as appeals/emails.py writes it (both parts, a Message-ID)."""

    class Meta:
        model = "appeals.Notification"

    to_email = factory.Sequence(lambda n: f"member{n}@example.com")
    kind = "signing_reminder"
    dedupe_key = factory.Sequence(lambda n: f"test-email:{n}")
    subject = "Round 1 is waiting for your signature"
    body_text = "Hello,\n\nPlease sign.\n"
    body_html = "<p>Hello,</p><p>Please sign.</p>"
    message_id = factory.Sequence(lambda n: f"<test.{n}@coalition.localhost>")
    headers = factory.LazyAttribute(lambda o: {"Message-ID": o.message_id})


# --- built through the real actions ------------------------------------------------------------


def watcher_report(
    grievance,
    *,
    email: str = "watcher@example.net",
    url: str = "https://www.shop.example/item/1",
    confirmed: bool = True,
    language: str = "en",
    rgb=(200, 30, 30),
) -> InfringementReport:
    """A watcher's report, its email confirmed unless confirmed=False."""
    report = submit_report(
        actor=AnonymousUser(),
        grievance=grievance,
        listing_url=url,
        infringes="counterfeit",
        screenshots=[screenshot(rgb=rgb)],
        watcher_email=email,
        store_name="Copycat store",
        language=language,
    )
    if confirmed:
        report = confirm_watcher_email(report.confirm_token)
    return report


def offer(membership, *, n: int = 3, expires_in: int = 30, codes=()):
    """Coupons offered by this member through the real action, for a store of theirs."""
    store = StoreFactory(seller=membership.seller, platform=membership.grievance.platform)
    return offer_coupons(
        membership,
        actor=membership.seller.user,
        store=store,
        discount="10% off",
        quantity=n if not codes else None,
        codes=codes,
        expires_on=timezone.localdate() + timedelta(days=expires_in),
    )


def organiser_membership(grievance):
    return grievance.memberships.organisers().first()
