"""A new seller signs up, confirms the email, registers a grievance; a second seller typing a
similar title is offered it, joins, and both see the member count change."""

from __future__ import annotations

import re

import pytest
from playwright.sync_api import expect

from tests.e2e.conftest import confirmation_link
from tests.factories import PlatformFactory

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]

PASSWORD = "Seller-pass-2026!"


def sign_up_and_confirm(page, email: str, name: str) -> None:
    page.goto("/accounts/signup/")
    page.fill("input[name=email]", email)
    page.fill("input[name=password1]", PASSWORD)
    page.fill("input[name=password2]", PASSWORD)
    page.fill("input[name=display_name]", name)
    page.locator("form:has(input[name=password1]) button[type=submit]").click()
    expect(page.locator("main")).to_contain_text(re.compile("verify|confirm", re.I))

    page.goto(confirmation_link(email))
    page.get_by_role("button", name=re.compile("confirm", re.I)).click()
    if page.locator("input[name=password]").count():  # not logged in on confirmation: log in
        page.goto("/accounts/login/")
        page.fill("input[name=login]", email)
        page.fill("input[name=password]", PASSWORD)
        page.locator("form:has(input[name=password]) button[type=submit]").click()
    page.goto("/account/profile/")
    expect(page.locator("input[name=display_name]")).to_have_value(name)


def test_second_seller_is_offered_the_existing_grievance_and_joins_it(new_page):
    platform = PlatformFactory(
        name="Wish", slug="wish"
    )  # the seeded profile, or a fresh one after a flush
    title = "Wish withheld our payouts after the policy change"

    first = new_page()
    sign_up_and_confirm(first, "li.wei@example.com", "Li Wei")
    first.goto("/grievances/new/")
    first.select_option("select[name=platform]", label=platform.name)
    first.select_option("select[name=category]", value="funds_withheld")
    first.fill("input[name=title]", title)
    first.fill(
        "textarea[name=summary]", "Since March our payouts are frozen with no statement of reasons."
    )
    first.fill(
        "textarea[name=demands]", "Release the funds and give every store a statement of reasons."
    )
    first.get_by_role("button", name="Register the grievance").click()
    expect(first.locator("h1")).to_have_text(title)
    expect(first.locator("main")).to_contain_text("1 member")
    grievance_url = first.url

    second = new_page(timezone_id="America/Los_Angeles")
    sign_up_and_confirm(second, "sam.seller@example.com", "Sam")
    second.goto("/grievances/new/")
    second.select_option("select[name=platform]", label=platform.name)
    second.locator("input[name=title]").press_sequentially(
        "Wish withheld payouts policy change", delay=20
    )
    suggestion = second.locator("#similar-live").get_by_role("link", name=title)
    expect(suggestion).to_be_visible()
    suggestion.click()
    expect(second.locator("h1")).to_have_text(title)

    second.get_by_role("link", name="Join this grievance").first.click()
    second.fill("textarea[name=statement]", "Our store's payouts were frozen too.")
    second.get_by_role("button", name="Join", exact=True).click()
    expect(second.locator("main")).to_contain_text("2 members")

    first.goto(grievance_url)
    expect(first.locator("main")).to_contain_text("2 members")
