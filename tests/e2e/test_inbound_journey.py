"""Hearing the platform, through the pages: the organiser sends a round by email; the platform's
reply to it is APPENDed to a real Dovecot mailbox on loopback and the inbound reader takes it; the
round page shows it as a reply to classify, the organiser classifies it as a request for
information, and the platform's clock pauses.

The live server's database is flushed after each test: everything is made here with factories.
"""

from __future__ import annotations

import pytest
from imap_tools import MailBoxUnencrypted
from playwright.sync_api import expect

from appeals.inbound import reader
from appeals.inbound.sources import ImapSource
from appeals.models import Appeal, InboundMessage, Notification
from tests.appeals.builders import make_round
from tests.conftest import require_service
from tests.factories import GrievanceFactory, OrganiserFactory, PlatformFactory
from tests.integration.inbound import dovecot as dovecot_server

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]

INBOUND = "appeals@coalition.example"


@pytest.fixture
def imap_account():
    require_service("Dovecot", dovecot_server.installed(), "apt-get install dovecot-imapd")
    server = dovecot_server.start(spare_accounts=1)
    yield server.new_account()
    dovecot_server.stop(server)


def platform_reply(appeal: Appeal) -> bytes:
    """What the platform's agent sends: a reply to the round's email, to its Reply-To."""
    return (
        f"From: Shopwise Seller Support <support@shopwise.example>\r\n"
        f"To: {appeal.reply_address}\r\n"
        f"Subject: Re: {appeal.subject}\r\n"
        f"Message-ID: <reply-1@shopwise.example>\r\n"
        f"In-Reply-To: {appeal.message_id}\r\n"
        "Content-Type: text/plain; charset=utf-8\r\n\r\n"
        "Dear sellers,\r\n\r\nWe need more information: please provide the order invoices "
        "for the stores listed.\r\n\r\nShopwise Seller Support\r\n"
    ).encode()


def test_the_platforms_reply_comes_back_to_the_round_and_pauses_the_clock(
    login_page, imap_account, settings
):
    settings.INBOUND_ADDRESS = INBOUND
    platform = PlatformFactory(
        name="Shopwise", slug="shopwise-inbound", appeal_email="a@shopwise.example"
    )
    grievance = GrievanceFactory(platform=platform)
    organiser = OrganiserFactory(grievance=grievance, seller__display_name="Olivia")
    appeal = make_round(grievance, Appeal.State.READY, channel=Appeal.Channel.EMAIL)

    # The organiser sends the round by email: its Reply-To is the round's own address.
    org = login_page(organiser.seller.user)
    org.goto(appeal.get_absolute_url())
    org.get_by_role("button", name="Send it now").click()
    expect(org.locator(".page-header .round-badges")).to_contain_text("Submitted")
    appeal.refresh_from_db()
    sent = Notification.objects.get(appeal=appeal, kind="auto_submit")
    assert sent.headers["Reply-To"] == appeal.reply_address
    assert appeal.reply_address.startswith("appeals+") and appeal.message_id == sent.message_id

    # The platform answers; its reply lands in the mailbox and the reader takes it.
    with MailBoxUnencrypted(imap_account.host, imap_account.port).login(
        imap_account.user, imap_account.password, initial_folder=None
    ) as box:
        box.append(platform_reply(appeal), "INBOX")
    assert reader.read_inbound(ImapSource(imap_account.url)).taken == 1
    assert InboundMessage.objects.get().appeal == appeal

    # It shows in the round's thread as a reply to classify, with the suggestion chosen.
    org.reload()
    thread = org.locator("#thread")
    expect(thread).to_contain_text("Round sent to the platform")
    expect(thread).to_contain_text("to classify")
    expect(thread).to_contain_text("please provide the order invoices")
    select = thread.get_by_label("What it says")
    expect(select).to_have_value("info_requested")
    thread.get_by_role("button", name="Classify").click()

    # The round now waits for the information, and the platform's clock is paused.
    expect(org.locator(".messages, main").first).to_contain_text("The reply is classified.")
    expect(org.locator(".page-header .round-badges")).to_contain_text("Info requested")
    expect(org.locator("main")).to_contain_text("Its clock is paused")
    expect(org.locator("#thread")).not_to_contain_text("to classify")
    appeal.refresh_from_db()
    assert appeal.state == Appeal.State.INFO_REQUESTED and appeal.paused_at is not None
