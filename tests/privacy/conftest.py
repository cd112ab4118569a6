"""A world with one member's private figures in it, for the walks over every page and API read
(docs/privacy.md): `victim` is a verified member with a store, amounts, a statement and an appeal
of their own who did not agree to be named; two more verified members shared amounts (too few
for any total to be released)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from decimal import Decimal

import pytest

from appeals.models import Appeal
from coalition.models import Membership
from tests.appeals.builders import make_round
from tests.factories import (
    MembershipFactory,
    SellerFactory,
    SignatureFactory,
    StoreFactory,
    SubmissionFactory,
)

VICTIM_STORE_ID = "VICTIM-STORE-4417"
VICTIM_TICKET = "TICKET-VICTIM-0931"
VICTIM_STATEMENT = "Payout 88213 frozen after my audit letter"
WITHHELD, FINED, RECOVERED = Decimal("1234.56"), Decimal("87.65"), Decimal("4321.09")
OTHERS = Decimal("500.00")  # each of the two other contributors


def renderings(amount: Decimal) -> list[str]:
    """An exact amount in every way the project writes one (both languages, with and without the
    currency), and the bare digits."""
    plain = f"{amount:.2f}"
    grouped = f"{amount:,.2f}"
    return [
        plain,
        grouped,
        f"US${grouped}",
        f"${grouped}",
        f"{plain} USD",
        f"{grouped} USD",
        f"{grouped}美元",
        plain.replace(".", ","),
    ]


@dataclass
class World:
    grievance: object
    appeal: object
    victim: Membership
    secrets: list[str]


@pytest.fixture
def world(grievance, platform, membership) -> World:
    victim_seller = SellerFactory(display_name="Vera Victim")
    store = StoreFactory(seller=victim_seller, platform=platform, platform_store_id=VICTIM_STORE_ID)
    victim = MembershipFactory(
        grievance=grievance,
        seller=victim_seller,
        store=store,
        state=Membership.State.VERIFIED,
        amount_withheld=WITHHELD,
        amount_fined=FINED,
        currency="USD",
        statement=VICTIM_STATEMENT,
        incident_date=date(2024, 3, 7),
    )
    for _ in range(2):
        MembershipFactory(
            grievance=grievance,
            state=Membership.State.VERIFIED,
            amount_withheld=OTHERS,
            currency="USD",
        )
    Membership.objects.filter(pk=membership.pk).update(state=Membership.State.VERIFIED)
    appeal = make_round(grievance, Appeal.State.SUBMITTED)
    SignatureFactory(appeal=appeal, membership=victim, consent_to_name=False)
    SubmissionFactory(
        appeal=appeal,
        membership=victim,
        ticket_reference=VICTIM_TICKET,
        outcome="funds_released",
        amount_recovered=RECOVERED,
        currency="USD",
    )
    SubmissionFactory(appeal=appeal, membership=membership, ticket_reference="TICKET-MIA-1")
    secrets = [
        VICTIM_STORE_ID,
        VICTIM_TICKET,
        VICTIM_STATEMENT,
        *renderings(WITHHELD),
        *renderings(FINED),
        *renderings(RECOVERED),
        # totals a reader could subtract from: withheld by all three contributors
        *renderings(WITHHELD + 2 * OTHERS),
    ]
    return World(grievance, appeal, victim, secrets)
