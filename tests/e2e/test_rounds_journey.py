"""An appeal round from draft to round 2, through the pages: the organiser drafts round 1 and
opens it for signing, two members co-sign, the organiser closes signing, records the portal
submission with its case reference and the platform's rejection, and drafts round 2, which the
organiser board then lists; a member logs their own portal appeal and, later, its outcome.
Opening signing summons the verified members by email (Mei signs from the summons' link), and
recording the rejection emails every member the platform's decision.

The live server's database is flushed after each test: everything is made here with factories.
"""

from __future__ import annotations

import re
from urllib.parse import urlsplit

import pytest
from django.core import mail
from playwright.sync_api import expect

from appeals.dispatch.service import dispatch_due
from appeals.outbox.service import send_pending
from tests.factories import GrievanceFactory, MembershipFactory, OrganiserFactory, PlatformFactory
from tests.integration.support import daytime_zone

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]

TITLE = "Shopwise froze our payouts after the May policy change"
CASE_REFERENCE = "SW-2026-0042"
TICKET = "TK-77810"


def badges(page):
    """The round's state badges in the page header."""
    return page.locator(".page-header .round-badges")


def sign(page, round_url: str) -> None:
    page.goto(round_url)
    expect(badges(page)).to_contain_text("Signing")
    page.get_by_role("button", name="Sign round 1").click()
    expect(page.locator("#signatures")).to_contain_text("You signed this round.")


def emails_to(address: str, subject: str) -> list:
    """What the worker would send now (the follow-ups due, then the outbox), to one address."""
    dispatch_due()
    send_pending()
    return [m for m in mail.outbox if address in m.to and subject in m.subject]


def test_a_round_is_signed_submitted_rejected_and_followed_by_round_2(login_page):
    platform = PlatformFactory(name="Shopwise", slug="shopwise-e2e")
    grievance = GrievanceFactory(platform=platform, title=TITLE)
    organiser = OrganiserFactory(grievance=grievance, seller__display_name="Olivia")
    zone = daytime_zone()  # the summons is not held for anyone's morning
    mei = MembershipFactory(
        grievance=grievance,
        seller__display_name="Mei",
        seller__time_zone=zone,
        consent_to_name=True,
        state="verified",
    )
    sam = MembershipFactory(
        grievance=grievance, seller__display_name="Sam", seller__time_zone=zone, state="verified"
    )

    # The organiser drafts round 1 from the grievance page and opens it for signing.
    org = login_page(organiser.seller.user)
    org.goto(grievance.get_absolute_url())
    org.locator("#rounds").get_by_role("link", name="Draft round 1").click()
    expect(org.locator("h1")).to_have_text("Draft round 1")
    org.get_by_role("radio", name=re.compile("Portal")).check()
    org.get_by_role("button", name="Draft round 1").click()
    expect(org.locator(".messages, main").first).to_contain_text("Round 1 is drafted")
    expect(badges(org)).to_contain_text("Draft")
    expect(org.locator("#letter")).to_contain_text("Subject:")
    round_1 = org.url.split("#")[0]

    org.get_by_role("button", name="Open for signing").click()
    expect(badges(org)).to_contain_text("Signing")
    expect(org.locator("#signatures .progress-figure")).to_have_text(re.compile(r"0\s+of\s+10"))

    # Opening signing summoned the verified members: Mei follows the summons' link to sign.
    (summons,) = emails_to(mei.seller.user.email, "is open for signing")
    assert summons.subject == f"Round 1 of “{TITLE}” is open for signing"
    link = re.search(r"https?://\S+/rounds/\d+/#signatures", summons.body).group(0)
    assert len(emails_to(sam.seller.user.email, "is open")) == 1  # once each

    # Two members co-sign (Mei agrees to be named in the signer list, Sam is only counted).
    mei_page = login_page(mei.seller.user)
    parts = urlsplit(link)
    mei_page.goto(f"{parts.path}#{parts.fragment}")
    assert mei_page.url.split("#")[0] == round_1
    mei_page.locator("#signatures").get_by_label("Name me in the signer list").check()
    mei_page.get_by_role("button", name="Sign round 1").click()
    expect(mei_page.locator("#signatures")).to_contain_text("You signed this round.")
    expect(mei_page.locator("#signatures")).to_contain_text("You are named in the signer list.")
    sam_page = login_page(sam.seller.user, timezone_id="America/Los_Angeles")
    sign(sam_page, round_1)
    expect(sam_page.locator("#signatures")).to_contain_text("You are counted but not named.")
    expect(sam_page.locator("#signatures .progress-figure")).to_have_text(
        re.compile(r"2\s+of\s+10")
    )

    # The organiser sees both signatures and closes signing below the goal (a confirm dialog).
    org.reload()
    expect(org.locator("#controls")).to_contain_text("2 members have signed so far (goal: 10)")
    expect(org.locator("#annex")).to_contain_text("Mei")
    expect(org.locator("#annex")).to_contain_text("1 more signer who chose not to be named")
    org.once("dialog", lambda dialog: dialog.accept())
    org.get_by_role("button", name="Close signing").click()
    expect(badges(org)).to_contain_text("Ready")

    # Submitted by hand on the portal: the case reference is required and then shown.
    org.get_by_role("button", name="Record as submitted").click()
    expect(org.locator("#controls .field.has-error")).to_be_visible()
    org.get_by_label("Platform case reference").fill(CASE_REFERENCE)
    org.get_by_role("button", name="Record as submitted").click()
    expect(badges(org)).to_contain_text("Submitted")
    expect(org.locator("main")).to_contain_text("Round 1 is submitted")
    expect(org.locator("dl.kv").filter(has_text="Case reference")).to_contain_text(CASE_REFERENCE)

    # Mei logs her own portal appeal for round 1.
    mei_page.goto(round_1)
    card = mei_page.locator("#my-appeal")
    card.get_by_label("Ticket or case number").fill(TICKET)
    card.get_by_role("button", name="Log my appeal").click()
    expect(mei_page.locator("main")).to_contain_text("Your own appeal is logged")
    expect(card).to_contain_text(TICKET)
    expect(card.locator(".badge-state-pending")).to_have_text("Pending")

    # The organiser sees it counted, then records the platform's rejection.
    org.reload()
    expect(org.locator("#submissions")).to_contain_text("1 filed")
    expect(org.locator("#submissions table")).to_contain_text(TICKET)
    form = org.locator("#record-response")
    form.get_by_label("What it says").select_option("rejected")
    form.get_by_label("What the platform said").fill(
        "After review, we are unable to release the funds at this time."
    )
    form.get_by_role("button", name="Record the response").click()
    expect(org.locator("main")).to_contain_text("The platform's response is recorded.")
    expect(badges(org)).to_contain_text("Responded")
    expect(badges(org)).to_contain_text("Rejected")
    expect(org.locator("#responses")).to_contain_text("unable to release the funds")

    # Every member is told what the platform decided and what the organisers propose.
    for member in (mei, sam):
        (decision,) = emails_to(member.seller.user.email, "rejected round 1")
        assert decision.subject == f"Shopwise rejected round 1 of “{TITLE}”"
        assert "unable to release the funds" in decision.body
        assert "The organisers propose a further round" in decision.body

    # Round 2: nothing new came since round 1, so the page asks for a reason first.
    org.get_by_role("link", name="Draft round 2").click()
    expect(org.locator("h1")).to_have_text("Draft round 2")
    org.get_by_role("button", name="Draft round 2").click()
    expect(org.locator("#confirmation")).to_contain_text("Nothing new has come in since round 1")
    org.get_by_label("Why send this round anyway?").fill(
        "The rejection ignored the settlement reports attached to round 1."
    )
    org.get_by_role("button", name="Draft round 2 anyway").click()
    expect(org.locator("main")).to_contain_text("Round 2 is drafted")
    expect(badges(org)).to_contain_text("Draft")
    expect(org.locator(".breadcrumbs")).to_contain_text("Round 2")
    expect(org.locator(".round-chain")).to_contain_text("Round 1")
    expect(org.locator(".callout").filter(has_text="without anything new")).to_contain_text(
        "ignored the settlement reports"
    )

    # The board lists both rounds of the grievance, with signatures and own appeals.
    org.goto("/board/")
    expect(org.locator("h1")).to_have_text("Organiser board")
    rows = org.locator("table.board-table tbody tr")
    expect(rows).to_have_count(2)
    row_2 = rows.filter(has_text="Round 2 · Shopwise")
    row_1 = rows.filter(has_text="Round 1 · Shopwise")
    expect(row_2).to_contain_text(TITLE)
    expect(row_2.locator(".round-badges")).to_contain_text("Draft")
    expect(row_1.locator(".round-badges")).to_contain_text("Rejected")
    expect(row_1).to_contain_text(re.compile(r"2\s*/\s*10"))
    expect(row_1).to_contain_text("1 filed")
    expect(row_1.locator(".badge-state-pending")).to_be_visible()

    # Mei reports her own appeal's outcome: store reinstated, with an amount recovered.
    mei_page.goto(round_1)
    card = mei_page.locator("#my-appeal")
    card.get_by_label("Store reinstated").check()
    card.get_by_label("Amount recovered").fill("1250.00")
    card.get_by_label("Currency").fill("usd")
    card.get_by_role("button", name="Report the outcome").click()
    expect(mei_page.locator("main")).to_contain_text("the outcome of your appeal is recorded")
    expect(card.locator(".badge-state-reinstated")).to_be_visible()
    expect(card).to_contain_text("US$1,250.00")  # money in the viewer's locale

    # …and the organiser's board counts it.
    org.reload()
    row_1 = org.locator("table.board-table tbody tr").filter(has_text="Round 1 · Shopwise")
    expect(row_1.locator(".badge-state-reinstated")).to_be_visible()
    expect(row_1.locator(".badge-state-pending")).to_have_count(0)
