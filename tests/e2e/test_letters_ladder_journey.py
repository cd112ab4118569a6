"""Every signer reads what they sign, and the coalition climbs above the rounds, through the
pages: a member who reads Chinese opens round 1 on a 390-px-wide phone, finds the sign button
above the letter, reads the Chinese translation beside the English the platform receives, and
signs; after the platform rejects the round, the organiser takes the grievance to the internal
complaint from the grievance page and the members are told by email.

The live server's database is flushed after each test: everything is made here with factories.
"""

from __future__ import annotations

import pytest
from django.core import mail
from django.utils import timezone
from playwright.sync_api import expect

from appeals.actions.drafting import draft_round
from appeals.actions.signing import open_signing
from appeals.dispatch.service import dispatch_due
from appeals.models import Appeal, Signature
from appeals.outbox.service import send_pending
from coalition.models import Membership
from tests.factories import GrievanceFactory, MembershipFactory, OrganiserFactory, PlatformFactory
from tests.integration.support import daytime_zone

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]

PHONE = {"width": 390, "height": 844}


def test_a_chinese_member_signs_from_a_phone_and_the_organiser_climbs_to_the_internal_complaint(
    login_page,
):
    platform = PlatformFactory(
        name="Marketplace EU", slug="market-eu-e2e", legal_regimes=["eu_p2b", "eu_dsa"]
    )
    grievance = GrievanceFactory(platform=platform, title="Payouts frozen without reasons")
    organiser = OrganiserFactory(grievance=grievance, seller__display_name="Olivia")
    zone = daytime_zone()  # no email is held for anyone's morning
    li = MembershipFactory(
        grievance=grievance,
        state=Membership.State.VERIFIED,
        seller__display_name="李娜",
        seller__language="zh-hans",
        seller__time_zone=zone,
        seller__country_of_establishment="DE",
    )
    appeal = open_signing(
        draft_round(grievance, actor=organiser.seller.user), actor=organiser.seller.user
    )
    round_url = f"/rounds/{appeal.pk}/"

    # A member who reads Chinese, on a phone: the sign button comes before the letter.
    page = login_page(li.seller.user, locale="zh-CN", timezone_id=zone)
    page.set_viewport_size(PHONE)
    page.goto(round_url)
    translation = page.locator(".letter-translation")
    expect(translation).to_contain_text("一、事情经过")
    expect(page.locator(".letter-original")).to_contain_text("WHAT HAPPENED")
    sign_button = page.locator("#signatures button[type=submit]")
    assert sign_button.bounding_box()["y"] < translation.bounding_box()["y"]
    assert sign_button.bounding_box()["y"] < PHONE["height"] * 2  # not under the letter
    translation_box = translation.bounding_box()
    assert translation_box["x"] >= 0 and translation_box["width"] <= PHONE["width"]
    sign_button.click()
    expect(page.locator("#signatures")).to_be_visible()
    assert Signature.objects.filter(appeal=appeal, membership=li).exists()

    # The platform rejects round 1; the organiser climbs from the grievance page.
    now = timezone.now()
    Appeal.objects.filter(pk=appeal.pk).update(
        state=Appeal.State.RESPONDED,
        submitted_at=now,
        responded_at=now,
        outcome=Appeal.Outcome.REJECTED,
        case_reference="EU-1",
    )
    desk = login_page(organiser.seller.user)
    desk.goto(f"/grievances/{grievance.pk}/")
    ladder = desk.locator("#ladder")
    expect(ladder).to_contain_text("Internal complaint")
    ladder.get_by_label("Step").select_option("internal_complaint")
    ladder.get_by_label("Note to members").fill("We take it to the internal complaint system.")
    ladder.get_by_role("button", name="Take this step and tell the members").click()
    expect(desk.locator("#ladder")).to_contain_text("Now: Internal complaint")

    dispatch_due()
    send_pending()
    address = li.seller.user.email
    told = [m for m in mail.outbox if address in m.to and "内部投诉" in m.subject]  # her language
    assert told, [m.subject for m in mail.outbox]
    assert "We take it to the internal complaint system." in told[0].body
