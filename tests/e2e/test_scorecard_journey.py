"""From a grievance to its platform's public record: a visitor opens a grievance page, follows
"its record" to the platform scorecard (charts with their tables, released figures only), and an
organiser opens the grievance's "what worked" page with exact figures.

The live server's database is flushed after each test: everything is made here.
"""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.utils import timezone
from playwright.sync_api import expect

from tests.appeals.analytics.builders import answered_round, recovered
from tests.factories import GrievanceFactory, OrganiserFactory, PlatformFactory

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]


def test_a_visitor_opens_the_platform_scorecard_from_a_grievance(new_page, login_page):
    platform = PlatformFactory(name="Shopwise", slug="shopwise-record")
    grievance = GrievanceFactory(platform=platform, title="Shopwise froze our payouts")
    organiser = OrganiserFactory(grievance=grievance, seller__display_name="Olivia")
    appeal = answered_round(grievance, submitted=timezone.now() - timedelta(days=30), days=3)
    recovered(appeal, ["1000"] * 6)
    recovered(appeal, ["100"] * 2, currency="EUR")

    page = new_page()
    page.goto(grievance.get_absolute_url())
    page.get_by_role("link", name="its record").click()

    expect(page.locator("h1")).to_have_text("Shopwise's record")
    expect(page.locator("[data-scorecard-summary]")).to_contain_text("1")
    expect(page.get_by_role("img", name="Business days to a first answer")).to_be_visible()
    recovered_card = page.locator('[data-chart="recovered"]')
    expect(recovered_card).to_contain_text("about US$6,000")
    expect(recovered_card).to_contain_text("fewer than 5 sellers reported amounts in EUR")

    # The organiser's "what worked" page of the grievance has the exact figures.
    organiser_page = login_page(organiser.seller.user)
    organiser_page.goto(grievance.get_absolute_url())
    organiser_page.get_by_role("link", name="Outcomes and answers, round by round").click()
    expect(organiser_page.locator("h1")).to_have_text("What worked")
    expect(organiser_page.locator('[data-chart="recovered-usd"]')).to_contain_text("US$6,000.00")
    expect(organiser_page.get_by_role("img", name="From joining to an outcome")).to_be_visible()
