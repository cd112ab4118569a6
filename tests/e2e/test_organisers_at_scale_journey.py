"""An organiser of a 1,000-member coalition, through the pages: finds a member by store name on
the member list, bulk-verifies the fifty members waiting on the first page, and exports the
signers of the open round as a CSV that opens as UTF-8 with its columns.

The live server's database is flushed after each test: everything is made here.
"""

from __future__ import annotations

import csv
import io
import re
from pathlib import Path

import pytest
from playwright.sync_api import expect

from appeals.models import Appeal, Signature
from coalition.models import AuditEvent, Membership
from tests.appeals.builders import make_round
from tests.appeals.organising.builders import bulk_members
from tests.factories import GrievanceFactory, OrganiserFactory, PlatformFactory

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]


def test_an_organiser_finds_a_member_bulk_verifies_fifty_and_exports_signers(login_page):
    platform = PlatformFactory(name="Shopwise", slug="shopwise-scale")
    grievance = GrievanceFactory(platform=platform, title="Shopwise froze a thousand payouts")
    organiser = OrganiserFactory(grievance=grievance, seller__display_name="Olivia")
    members = bulk_members(grievance, 1000)
    appeal = make_round(grievance, Appeal.State.SIGNING)
    Membership.objects.filter(pk__in=[m.pk for m in members[900:]]).update(state="verified")
    Signature.objects.bulk_create(
        [Signature(appeal=appeal, membership=m, consent_to_name=True) for m in members[900:910]]
    )

    page = login_page(organiser.seller.user)
    page.goto(grievance.get_absolute_url())
    expect(page.locator(".member-summary")).to_contain_text("1,001")
    page.get_by_role("link", name="Member list: search, filter, verify and remind").click()
    expect(page.locator("h1")).to_have_text("Members")

    # Find one member by their store's name.
    page.get_by_role("searchbox", name="Search").fill("Shop m417")
    page.get_by_role("button", name="Search").click()
    rows = page.locator(".member-list > li")
    expect(rows).to_have_count(1)
    expect(rows.first).to_contain_text("Seller m417")
    expect(rows.first).to_contain_text("SID-m417")

    # Bulk-verify the first fifty members waiting for verification.
    page.get_by_role("link", name="Clear").click()
    page.get_by_label("State").select_option("joined")
    page.get_by_role("button", name="Search").click()
    boxes = page.locator("input[name=members]")
    expect(boxes).to_have_count(50)
    for i in range(50):
        boxes.nth(i).check()
    page.locator("#bulk").get_by_role("button", name="Verify").click()
    expect(page.locator(".messages, main").first).to_contain_text("50 members verified.")
    assert Membership.objects.filter(grievance=grievance, state="verified").count() == 1 + 100 + 50
    assert AuditEvent.objects.get(verb="membership.bulk_verified").data["count"] == 50

    # Export the open round's signers from the round page.
    page.goto(appeal.get_absolute_url())
    with page.expect_download() as info:
        page.get_by_role("link", name="Export the signers (CSV)").click()
    download = info.value
    assert download.suggested_filename.endswith("-round-1-signers.csv")
    raw = Path(download.path()).read_bytes()
    assert raw.startswith(b"\xef\xbb\xbf")
    rows = list(csv.reader(io.StringIO(raw.decode("utf-8-sig"))))
    assert rows[0][:3] == ["member_id", "name", "email"]
    assert sorted(r[1] for r in rows[1:]) == sorted(f"Seller m{i}" for i in range(900, 910))
    assert AuditEvent.objects.filter(verb="export.signers", actor=organiser.seller.user).exists()

    # And opens the platform's public record from the grievance page.
    page.goto(grievance.get_absolute_url())
    page.get_by_role("link", name="its record").click()
    expect(page).to_have_url(re.compile(rf"/platforms/{grievance.platform.slug}/$"))
    expect(page.locator("h1")).to_contain_text(grievance.platform.name)
