"""Evidence through the pages: a member uploads a settlement report (a real PDF) and two files the
locker refuses — a "PDF" that is plain text, and a file over the size limit — each with its reason
on the page; the organiser sees the checklist count the new file, chooses it for round 1's packet
and downloads the packet, whose SHA256SUMS verifies and which holds exactly that file.

The live server runs in this process, so the `settings` fixture (a lower size limit) applies to it.
Its database is flushed after each test: everything is made here with factories.
"""

from __future__ import annotations

import hashlib
import io
import json
import re
import zipfile

import pytest
from playwright.sync_api import expect
from reportlab.pdfgen import canvas

from coalition.categories import Category
from tests.factories import (
    AppealFactory,
    GrievanceFactory,
    MembershipFactory,
    OrganiserFactory,
    PlatformFactory,
)

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]

SETTLEMENT = "settlement-report-may.pdf"
LIMIT = 100 * 1024


def small_pdf() -> bytes:
    buffer = io.BytesIO()
    page = canvas.Canvas(buffer)
    page.drawString(72, 720, "Settlement report, May: USD 18,420.00 withheld, reason: none given.")
    page.save()
    return buffer.getvalue()


def upload(page, *, kind: str, name: str, data: bytes, mime: str, description: str = "") -> None:
    form = page.locator("form[enctype='multipart/form-data']")
    form.get_by_label("What is it?").select_option(label=kind)
    form.get_by_label("Description").fill(description)
    form.locator("input[type=file][name=file]").set_input_files(
        files=[{"name": name, "mimeType": mime, "buffer": data}]
    )
    form.get_by_role("button", name="Upload").click()


def file_error(page):
    return page.locator(".field.has-error").filter(has=page.locator("input[name=file]"))


def test_member_uploads_evidence_and_organiser_packs_it_for_the_round(
    login_page, settings, tmp_path
):
    settings.EVIDENCE_MAX_BYTES = LIMIT
    platform = PlatformFactory(name="Shopwise", slug="shopwise-evidence-e2e")
    grievance = GrievanceFactory(
        platform=platform,
        category=Category.FUNDS_WITHHELD,  # checklist: settlement report, platform notice
        title="Shopwise holds our payouts without a statement of reasons",
    )
    organiser = OrganiserFactory(grievance=grievance, seller__display_name="Olivia")
    mei = MembershipFactory(grievance=grievance, seller__display_name="Mei", consent_to_name=True)
    appeal = AppealFactory(grievance=grievance, state="draft")
    pdf = small_pdf()

    # Before: the organiser's checklist says no member has a settlement report yet.
    org = login_page(organiser.seller.user)
    org.goto(grievance.get_absolute_url())
    checklist = org.locator("#evidence .checklist")
    settlement_item = checklist.locator("li").filter(has_text="Settlement report")
    expect(settlement_item).to_contain_text("0 of 2 members")

    # The member goes from the grievance page to the evidence page and uploads a real PDF.
    member = login_page(mei.seller.user)
    member.goto(grievance.get_absolute_url())
    member.locator("#evidence").get_by_role("link", name="See and add evidence").click()
    expect(member.locator("h1")).to_have_text("Evidence")
    expect(member.locator(".checklist li").filter(has_text="Settlement report")).to_have_class(
        re.compile("is-missing")
    )
    upload(
        member,
        kind="Settlement report",
        name=SETTLEMENT,
        data=pdf,
        mime="application/pdf",
        description="May settlement, payout frozen",
    )
    expect(member.locator("main")).to_contain_text(f"“{SETTLEMENT}” was added to the evidence.")
    row = member.locator("table tbody tr").filter(has_text=SETTLEMENT)
    expect(row).to_contain_text("Settlement report")
    expect(row).to_contain_text("PDF")
    expect(member.locator(".checklist li").filter(has_text="Settlement report")).to_have_class(
        re.compile("is-done")
    )

    # A "PDF" whose content is plain text is refused, with the reason next to the file field.
    upload(
        member,
        kind="Platform notice",
        name="platform-notice.pdf",
        data=b"Dear seller, your funds are on hold for 180 days.\n",
        mime="application/pdf",
    )
    expect(member.locator("h1")).to_have_text("Add evidence")
    expect(file_error(member)).to_contain_text(
        "The file's content is not a PDF, although its name says so."
    )
    # A file over the (lowered) limit is refused before it is stored; the form keeps its choices.
    upload(
        member,
        kind="Platform notice",
        name="notice-export.csv",
        data=b"order,amount\n" + b"A-1001,12.50\n" * (LIMIT // 13 + 100),
        mime="text/csv",
        description="Export of held orders",
    )
    expect(file_error(member)).to_contain_text("The file is too large.")
    expect(file_error(member)).to_contain_text("at most 100.0")
    expect(member.get_by_label("Description")).to_have_value("Export of held orders")

    # Only the valid file is in the evidence; the platform notice is still missing.
    member.goto(f"/grievances/{grievance.pk}/evidence/")
    expect(member.locator("table tbody tr")).to_have_count(1)
    expect(member.locator(".checklist li").filter(has_text="Platform notice")).to_have_class(
        re.compile("is-missing")
    )

    # After: the organiser's checklist counts Mei's settlement report.
    org.reload()
    expect(settlement_item).to_contain_text("1 of 2 members")
    expect(checklist.locator("li").filter(has_text="Platform notice")).to_contain_text(
        "0 of 2 members"
    )

    # The organiser chooses the file for round 1's packet from the round page…
    org.goto(appeal.get_absolute_url())
    packet_card = org.get_by_role("region", name="Packet for the platform")
    expect(packet_card).to_contain_text("0 evidence files chosen.")
    packet_card.get_by_role("link", name="Choose evidence").click()
    expect(org.locator("h1")).to_have_text("Evidence for the packet")
    org.get_by_label(SETTLEMENT).check()
    org.get_by_role("button", name="Save the packet's evidence").click()
    expect(org.locator("main")).to_contain_text("The packet's evidence was saved.")
    expect(packet_card).to_contain_text("1 evidence file chosen.")

    # …and downloads the packet.
    with org.expect_download() as download_info:
        packet_card.get_by_role("link", name="Download the packet").click()
    download = download_info.value
    assert download.suggested_filename == f"coalition-grievance-{grievance.pk}-round-1-packet.zip"
    path = tmp_path / download.suggested_filename
    download.save_as(path)

    with zipfile.ZipFile(path) as packet:
        names = set(packet.namelist())
        sums = packet.read("SHA256SUMS").decode().splitlines()
        listed = {}
        for line in sums:
            digest, name = line.split("  ", 1)
            assert hashlib.sha256(packet.read(name)).hexdigest() == digest, name
            listed[name] = digest
        assert set(listed) == names - {"SHA256SUMS"}
        evidence_files = [n for n in names if n.startswith("evidence/")]
        assert len(evidence_files) == 1 and evidence_files[0].endswith(SETTLEMENT)
        assert packet.read(evidence_files[0]) == pdf
        assert {"letter.pdf", "signers.csv", "manifest.json"} <= names
        manifest = json.loads(packet.read("manifest.json"))
    packed = [f for f in manifest["files"] if f["path"].startswith("evidence/")]
    assert len(packed) == 1
    assert packed[0]["sha256"] == hashlib.sha256(pdf).hexdigest()
    assert packed[0]["kind"] == "settlement_report"
    assert packed[0]["uploaded_by"] == "Mei"
