"""Document fixtures. Letters: a coalition with amounts in two currencies, and a round with signers
of every kind of consent. Packets: a round signed by three members (two named), with two of three
files chosen for its packet."""

from __future__ import annotations

from decimal import Decimal

import pytest
from django.utils import timezone

from appeals.actions.drafting import draft_round
from appeals.actions.packets import select_packet_evidence
from appeals.actions.signing import close_signing, open_signing, sign
from appeals.models import Appeal
from coalition.categories import Category, EvidenceKind
from coalition.models import Evidence, Membership
from tests.appeals.builders import make_round
from tests.factories import (
    GrievanceFactory,
    MembershipFactory,
    SellerFactory,
    SignatureFactory,
    StoreFactory,
    UserFactory,
)
from tests.files import bring, png_bytes


@pytest.fixture
def signers(grievance):
    """Three members: two consent to be named, one does not."""
    verified = Membership.State.VERIFIED
    return [
        MembershipFactory(
            grievance=grievance,
            consent_to_name=True,
            seller=SellerFactory(display_name="Ann Named"),
            state=verified,
        ),
        MembershipFactory(
            grievance=grievance,
            consent_to_name=True,
            seller=SellerFactory(display_name="李明"),
            state=verified,
        ),
        MembershipFactory(
            grievance=grievance,
            consent_to_name=False,
            seller=SellerFactory(display_name="Quiet Quinn"),
            state=verified,
        ),
    ]


@pytest.fixture
def appeal(grievance, organiser, signers) -> Appeal:
    """A round drafted and signed through the real actions, then closed."""
    appeal = draft_round(grievance, actor=organiser.user)
    appeal = open_signing(appeal, actor=organiser.user)
    for membership in signers:
        sign(appeal, actor=membership.seller.user, consent_to_name=membership.consent_to_name)
    return close_signing(appeal, actor=organiser.user)


@pytest.fixture
def chosen(appeal, signers, organiser) -> list[Evidence]:
    """Two of three files chosen for the packet; the third stays out."""
    named, _other, quiet = signers
    files = [
        bring(named, name="settlement.pdf", kind=EvidenceKind.SETTLEMENT_REPORT),
        bring(quiet, name="结算通知.png", content=png_bytes(), kind=EvidenceKind.PLATFORM_NOTICE),
        bring(named, name="left-out.pdf"),
    ]
    select_packet_evidence(appeal, [files[0].pk, files[1].pk], actor=organiser.user)
    return files[:2]


@pytest.fixture
def coalition(platform):
    """Six verified sellers, five with USD amounts (released) and one with CNY (a cell of one,
    hidden), each with a store; and three members nobody verified, who count nowhere."""
    g = GrievanceFactory(
        platform=platform,
        category=Category.REFUND_DISPUTE,
        title="Refunds granted without reason",
        summary="Buyers got refunds after delivery.",
        demands="Reverse refunds where delivery is proven.",
    )
    amounts = [("1000", "USD"), ("900", "USD"), ("800", "USD"), ("700", "USD"), ("650.5", "USD")]
    for amount, currency in [*amounts, ("8000", "CNY")]:
        MembershipFactory(
            grievance=g,
            amount_withheld=Decimal(amount),
            currency=currency,
            store=StoreFactory(platform=platform),
            state=Membership.State.VERIFIED,
        )
    for _ in range(3):
        MembershipFactory(
            grievance=g,
            amount_withheld=Decimal("99999"),
            currency="USD",
            store=StoreFactory(platform=platform),
            state=Membership.State.JOINED,
        )
    return g


@pytest.fixture
def round_with_signers(coalition):
    appeal = make_round(coalition, Appeal.State.SIGNING)

    def signer(
        name, *, member_consent, signature_consent, store=True, store_id=False, **membership
    ):
        membership.setdefault("state", Membership.State.VERIFIED)
        m = MembershipFactory(
            grievance=coalition,
            seller=SellerFactory(display_name=name),
            consent_to_name=member_consent,
            store=StoreFactory(name=f"{name}'s shop", platform=coalition.platform)
            if store
            else None,
            **membership,
        )
        return SignatureFactory(
            appeal=appeal,
            membership=m,
            consent_to_name=signature_consent,
            consent_to_store_id=store_id,
        )

    signer("Ann", member_consent=True, signature_consent=True, store_id=True)
    signer("Bo", member_consent=True, signature_consent=True, store=False)
    signer("Cai", member_consent=True, signature_consent=False)  # said no for this round
    signer("Dee", member_consent=False, signature_consent=True)  # said no on the membership
    signer("Eve", member_consent=False, signature_consent=False)
    gone = signer("Fay", member_consent=True, signature_consent=True)
    gone.withdrawn_at = timezone.now()
    gone.save()
    signer("Gus", member_consent=True, signature_consent=True, state=Membership.State.WITHDRAWN)
    signer("Ian", member_consent=True, signature_consent=True, state=Membership.State.JOINED)
    unverified = SellerFactory(display_name="Hal", user=UserFactory(verified=False))
    SignatureFactory(
        appeal=appeal,
        membership=MembershipFactory(
            grievance=coalition,
            seller=unverified,
            consent_to_name=True,
            state=Membership.State.VERIFIED,
        ),
        consent_to_name=True,
    )
    return appeal
