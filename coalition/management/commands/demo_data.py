"""`manage.py demo_data`: three demo sellers, their stores and two grievances, loaded idempotently.

Every coalition write goes through coalition.actions, exactly as the site would make it. The
command only creates what is missing and never changes what is already there, so running it
again (every `make run` does) changes nothing — not even what someone did in the demo since.
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal

from django.core.management.base import BaseCommand, CommandError
from django.db import transaction

from coalition.actions.grievances import create_grievance
from coalition.actions.memberships import join_grievance, update_case, verify_member
from coalition.actions.sellers import create_account, create_store
from coalition.categories import Category
from coalition.management.demo_journeys import coupon_pool, health_history
from coalition.models import Grievance, Membership, Platform, Seller, Store
from coalition.platform_profiles import seed_platforms

DEMO_PASSWORD = "coalition-demo"


@dataclass(frozen=True)
class DemoStore:
    platform: str  # slug of a platform seeded by coalition/migrations/0002_seed_platforms.py
    name: str
    store_id: str
    state: str = Store.State.ACTIVE


@dataclass(frozen=True)
class DemoSeller:
    key: str
    email: str
    display_name: str
    language: str = Seller.Language.EN
    time_zone: str = "UTC"
    staff: bool = False
    stores: tuple[DemoStore, ...] = ()


@dataclass(frozen=True)
class DemoCase:
    seller: str
    store_id: str | None
    incident_date: date
    amount_withheld: Decimal
    amount_fined: Decimal
    currency: str
    statement: str
    consent_to_name: bool = True
    verified: bool = False


@dataclass(frozen=True)
class DemoGrievance:
    platform: str
    category: str
    title: str
    summary: str
    demands: str
    infraction_date: date
    organiser: DemoCase
    members: tuple[DemoCase, ...] = field(default_factory=tuple)


SELLERS = (
    DemoSeller(
        key="olivia",
        email="olivia@demo.coalition.test",
        display_name="Olivia Grant",
        time_zone="America/Los_Angeles",
        staff=True,
        stores=(
            DemoStore("wish", "Grant Home Goods", "WISH-5f3a9c1e", Store.State.FUNDS_HELD),
            DemoStore("amazon-us", "Grant Outdoor", "A2GRANT7OUTDOOR"),
        ),
    ),
    DemoSeller(
        key="mei",
        email="mei@demo.coalition.test",
        display_name="Mei Chen",
        language=Seller.Language.ZH_HANS,
        time_zone="Asia/Shanghai",
        stores=(
            DemoStore("wish", "Shenzhen Bright Lights", "WISH-8b21d7aa", Store.State.FUNDS_HELD),
            DemoStore(
                "amazon-us", "Bright Lights Direct", "A3BRIGHTLIGHTSSZ", Store.State.SUSPENDED
            ),
        ),
    ),
    DemoSeller(
        key="sam",
        email="sam@demo.coalition.test",
        display_name="Sam Rivera",
        time_zone="America/New_York",
        stores=(
            DemoStore(
                "amazon-us", "Rivera Kitchen Supply", "A1RIVERAKITCHEN", Store.State.SUSPENDED
            ),
        ),
    ),
)

COUNTERFEIT_TITLE = "Counterfeit copies of Bright Lights lamps on Amazon US"

GRIEVANCES = (
    DemoGrievance(
        platform="wish",
        category=Category.FUNDS_WITHHELD,
        title="Wish withheld payouts after the 2026 policy change",
        summary=(
            "Since Wish changed its payout policy in March 2026, payouts for delivered orders have been "
            "held for 90 days or more without a statement of reasons. Stores in good standing report "
            "the same notice and no way to appeal it.\n\n"
            "自2026年3月Wish调整回款政策以来，已妥投订单的回款被冻结90天以上，"
            "没有任何理由说明。信誉良好的店铺收到同样的通知，且无法申诉。"
        ),
        demands=(
            "Release payouts for confirmed deliveries, give every affected store a written statement of "
            "reasons, and apply the new policy only to orders placed after it was announced."
        ),
        infraction_date=date(2026, 3, 16),
        organiser=DemoCase(
            seller="olivia",
            store_id="WISH-5f3a9c1e",
            incident_date=date(2026, 3, 20),
            amount_withheld=Decimal("18450.00"),
            amount_fined=Decimal("0"),
            currency="USD",
            statement="All payouts held since the March 2026 notice; delivery confirmed on 96% of orders.",
        ),
        members=(
            DemoCase(
                seller="mei",
                store_id="WISH-8b21d7aa",
                incident_date=date(2026, 4, 2),
                amount_withheld=Decimal("126800.00"),
                amount_fined=Decimal("3500.00"),
                currency="CNY",
                statement="货款自2026年4月起被冻结，没有任何说明。Payouts frozen since April 2026 with no explanation.",
                verified=True,
            ),
        ),
    ),
    DemoGrievance(
        platform="amazon-us",
        category=Category.ACCOUNT_LINKING,
        title="Amazon US linked-account suspensions of Shenzhen sellers",
        summary=(
            "Independent sellers who share a Shenzhen office building, logistics agent or accounting firm "
            "were suspended as 'related accounts' in the same week. None of the accounts share owners, "
            "bank accounts or listings."
        ),
        demands=(
            "Name the signal that linked each account, reinstate accounts whose owners prove they are "
            "independent, and release the funds held during the suspension."
        ),
        infraction_date=date(2026, 9, 8),
        organiser=DemoCase(
            seller="olivia",
            store_id=None,
            incident_date=date(2026, 9, 8),
            amount_withheld=Decimal("0"),
            amount_fined=Decimal("0"),
            currency="USD",
            statement="Helping the sellers in our building prepare a joint appeal.",
            consent_to_name=True,
        ),
        members=(
            DemoCase(
                seller="mei",
                store_id="A3BRIGHTLIGHTSSZ",
                incident_date=date(2026, 9, 9),
                amount_withheld=Decimal("254000.00"),
                amount_fined=Decimal("0"),
                currency="CNY",
                statement="店铺因“关联账户”被停用，但我们与其他店铺没有任何共同所有人。",
                verified=True,
            ),
            DemoCase(
                seller="sam",
                store_id="A1RIVERAKITCHEN",
                incident_date=date(2026, 9, 10),
                amount_withheld=Decimal("41275.50"),
                amount_fined=Decimal("0"),
                currency="USD",
                statement="Our sourcing agent also works for a suspended store; that is our only link.",
                consent_to_name=False,
            ),
        ),
    ),
    # The watcher journey: /report/ lists it, and its reward pool has codes (demo_journeys.py).
    DemoGrievance(
        platform="amazon-us",
        category=Category.COUNTERFEIT_INFRINGER,
        title=COUNTERFEIT_TITLE,
        summary=(
            "Listings on Amazon US copy our LED desk lamps with our photos and brand name, at half "
            "the price and without the safety certification. Buyers who report a fake help us "
            "get them taken down.\n\n亚马逊美国站上有卖家盗用我们的图片和品牌，销售仿冒台灯。"
        ),
        demands=(
            "Remove the reported counterfeit listings within 48 hours, tell us which seller "
            "accounts listed them, and stop them from listing our brand again."
        ),
        infraction_date=date(2026, 8, 1),
        organiser=DemoCase(
            seller="mei",
            store_id="A3BRIGHTLIGHTSSZ",
            incident_date=date(2026, 8, 1),
            amount_withheld=Decimal("0"),
            amount_fined=Decimal("0"),
            currency="CNY",
            statement="我们的台灯被仿冒，仿品使用我们的产品图片。",
        ),
        members=(
            DemoCase(
                seller="olivia",
                store_id="A2GRANT7OUTDOOR",
                incident_date=date(2026, 8, 12),
                amount_withheld=Decimal("0"),
                amount_fined=Decimal("0"),
                currency="USD",
                statement="We resell Bright Lights lamps; the fakes undercut us.",
                verified=True,
            ),
        ),
    ),
)


class Command(BaseCommand):
    help = (
        "Load the demo sellers, stores and grievances (idempotent: creates only what is missing)."
    )

    def handle(self, *args, **options) -> None:
        # Profiles deleted since the seed migration (or flushed by a test) come back unchanged.
        seed_platforms(Platform)
        platforms = {p.slug: p for p in Platform.objects.all()}
        missing = {s.platform for seller in SELLERS for s in seller.stores} - platforms.keys()
        if missing:
            raise CommandError(
                f"Platforms {sorted(missing)} are missing; run `manage.py migrate` first."
            )
        created: list[str] = []
        with transaction.atomic():
            users = {s.key: self._user(s, created) for s in SELLERS}
            stores = {}
            for spec in SELLERS:
                for store in spec.stores:
                    stores[store.store_id] = self._store(
                        users[spec.key], platforms[store.platform], store, created
                    )
            grievances = {
                spec.title: self._grievance(spec, users, stores, platforms, created)
                for spec in GRIEVANCES
            }
            coupon_pool(grievances[COUNTERFEIT_TITLE], stores["A2GRANT7OUTDOOR"], created)
            health_history(stores["A1RIVERAKITCHEN"], created)
        if created:
            counts = Counter(created)
            made = ", ".join(f"{n} {kind}{'s' if n > 1 else ''}" for kind, n in counts.items())
            self.stdout.write(f"Demo data: created {made}.")
        else:
            self.stdout.write("Demo data: already loaded, nothing changed.")

    def _user(self, spec: DemoSeller, created: list[str]):
        user, made = create_account(
            email=spec.email,
            password=DEMO_PASSWORD,
            username=spec.key,
            display_name=spec.display_name,
            language=spec.language,
            time_zone=spec.time_zone,
            staff=spec.staff,
        )
        if made:
            created.append("user")
        return user

    def _store(self, user, platform: Platform, spec: DemoStore, created: list[str]) -> Store:
        store = Store.objects.filter(
            seller__user=user, platform=platform, platform_store_id=spec.store_id
        ).first()
        if store is None:
            store = create_store(
                actor=user,
                platform=platform,
                name=spec.name,
                platform_store_id=spec.store_id,
                state=spec.state,
            )
            created.append("store")
        return store

    def _grievance(
        self, spec: DemoGrievance, users, stores, platforms, created: list[str]
    ) -> Grievance:
        platform = platforms[spec.platform]
        organiser = users[spec.organiser.seller]
        grievance = Grievance.objects.filter(platform=platform, title=spec.title).first()
        if grievance is None:
            grievance = create_grievance(
                actor=organiser,
                platform=platform,
                category=spec.category,
                title=spec.title,
                summary=spec.summary,
                demands=spec.demands,
                infraction_date=spec.infraction_date,
            )
            membership = Membership.objects.get(grievance=grievance, seller__user=organiser)
            update_case(membership, actor=organiser, **self._case(spec.organiser, stores))
            created.append("grievance")
        for case in spec.members:
            user = users[case.seller]
            # Any existing row (even a withdrawn one) means the demo already ran: leave it as it is.
            if Membership.objects.filter(grievance=grievance, seller__user=user).exists():
                continue
            membership = join_grievance(grievance, actor=user, **self._case(case, stores))
            if case.verified:
                verify_member(membership, actor=organiser)
            created.append("membership")
        return grievance

    @staticmethod
    def _case(case: DemoCase, stores: dict[str, Store]) -> dict:
        return {
            "store": stores[case.store_id] if case.store_id else None,
            "incident_date": case.incident_date,
            "amount_withheld": case.amount_withheld,
            "amount_fined": case.amount_fined,
            "currency": case.currency,
            "statement": case.statement,
            "consent_to_name": case.consent_to_name,
        }
