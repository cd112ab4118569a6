"""A watcher's coupon fits the listing they reported: it comes from the grievance's members (or
the brand's owner) and is for a store on the reported listing's platform, never another
platform's store; when no such code is left, every page says so plainly."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.contrib.auth.models import AnonymousUser
from django.urls import reverse
from django.utils import timezone

from coalition.actions.coupons import offer_coupons
from coalition.actions.reports import confirm_watcher_email, review_report, submit_report
from coalition.models import Coupon
from coalition.queries.coupons import free_coupons, pool_for
from coalition.queries.reports import report_status
from tests.factories import PlatformFactory, StoreFactory, watcher_report
from tests.files import screenshot

pytestmark = pytest.mark.django_db


def offer_for(membership, platform, *, code: str):
    """One code offered by this member for a store of theirs on `platform`."""
    store = StoreFactory(seller=membership.seller, platform=platform, name=f"{platform.name} shop")
    return offer_coupons(
        membership,
        actor=membership.seller.user,
        store=store,
        discount="10% off",
        codes=[code],
        expires_on=timezone.localdate() + timedelta(days=30),
    )


def confirm(report, user, capture):
    with capture(execute=True):
        return review_report(report, actor=user, decision="confirm")


@pytest.fixture
def amazon(db):
    return PlatformFactory(name="Amazon Test", slug="amazon-test")


def test_a_watcher_never_gets_a_code_for_another_platforms_store(
    counterfeit, counterfeit_member, organiser, amazon, django_capture_on_commit_callbacks
):
    offer_for(counterfeit_member, amazon, code="AMAZON-ONLY")
    report = watcher_report(counterfeit)  # the listing is on the grievance's platform, Wishful
    assert not pool_for(report).exists()
    result = confirm(report, organiser.user, django_capture_on_commit_callbacks)
    assert result.coupon is None and result.coupon_owed
    assert Coupon.objects.get(code="AMAZON-ONLY").issued_to_report is None


def test_the_code_comes_from_a_store_on_the_listings_platform(
    counterfeit, counterfeit_member, organiser, amazon, django_capture_on_commit_callbacks
):
    offer_for(counterfeit_member, amazon, code="AMAZON-1")
    offer_for(counterfeit_member, counterfeit.platform, code="WISHFUL-1")
    report = watcher_report(counterfeit)
    result = confirm(report, organiser.user, django_capture_on_commit_callbacks)
    assert result.coupon.code == "WISHFUL-1"
    assert result.coupon.offer.store.platform == report.platform


def test_codes_for_another_platform_do_not_reward_a_waiting_watcher(
    counterfeit, counterfeit_member, organiser, amazon, django_capture_on_commit_callbacks
):
    report = watcher_report(counterfeit)
    assert confirm(report, organiser.user, django_capture_on_commit_callbacks).coupon_owed
    with django_capture_on_commit_callbacks(execute=True):
        offer_for(counterfeit_member, amazon, code="AMAZON-1")
    assert report_status(report.status_token).coupon_owed
    with django_capture_on_commit_callbacks(execute=True):
        offer_for(counterfeit_member, counterfeit.platform, code="WISHFUL-1")
    assert report_status(report.status_token).coupon.code == "WISHFUL-1"
    assert free_coupons(grievance=counterfeit).get().code == "AMAZON-1"


def test_a_brand_report_takes_the_owners_code_for_the_listings_platform(
    counterfeit, counterfeit_member, amazon, django_capture_on_commit_callbacks
):
    owner = counterfeit_member.seller
    offer_for(counterfeit_member, counterfeit.platform, code="WISHFUL-1")
    offer_for(counterfeit_member, amazon, code="AMAZON-1")
    report = submit_report(
        actor=AnonymousUser(),
        brand_owner=owner,
        brand="Lumina",
        platform=amazon,
        listing_url="https://www.amazon.example/dp/B000000001",
        infringes="trademark",
        screenshots=[screenshot()],
        watcher_email="w@example.net",
    )
    report = confirm_watcher_email(report.confirm_token)
    result = confirm(report, owner.user, django_capture_on_commit_callbacks)
    assert result.coupon.code == "AMAZON-1"


def test_a_brand_report_on_a_platform_the_owner_offers_nothing_for_gets_nothing(
    counterfeit, counterfeit_member, django_capture_on_commit_callbacks
):
    owner = counterfeit_member.seller
    offer_for(counterfeit_member, counterfeit.platform, code="WISHFUL-1")
    elsewhere = PlatformFactory(name="Elsewhere", slug="elsewhere")
    report = submit_report(
        actor=AnonymousUser(),
        brand_owner=owner,
        brand="Lumina",
        platform=elsewhere,
        listing_url="https://elsewhere.example/item/9",
        infringes="trademark",
        screenshots=[screenshot()],
        watcher_email="w@example.net",
    )
    report = confirm_watcher_email(report.confirm_token)
    result = confirm(report, owner.user, django_capture_on_commit_callbacks)
    assert result.coupon is None and result.coupon_owed


def test_an_empty_matching_pool_is_said_plainly_to_organiser_and_watcher(
    as_role, counterfeit, counterfeit_member, amazon, client
):
    offer_for(counterfeit_member, amazon, code="AMAZON-ONLY")
    report = watcher_report(counterfeit)
    organiser = as_role("organiser")
    page = organiser.get(reverse("coalition:report_review_detail", args=[report.pk]))
    assert "The reward pool has no coupon for a store on Wishful" in page.content.decode()
    done = organiser.post(reverse("coalition:report_review_confirm", args=[report.pk]), follow=True)
    assert "no coupon for a store on Wishful, where the listing is" in done.content.decode()
    status = client.get(reverse("coalition:report_status", args=[report.status_token]))
    assert "no coupon left for a store on Wishful" in status.content.decode()
    assert "AMAZON-ONLY" not in status.content.decode()


def test_the_grievance_page_counts_only_codes_a_watcher_can_get(
    as_role, counterfeit, counterfeit_member, amazon
):
    offer_for(counterfeit_member, amazon, code="AMAZON-ONLY")
    offer_for(counterfeit_member, counterfeit.platform, code="WISHFUL-1")
    page = as_role("organiser").get(counterfeit.get_absolute_url())
    assert "1 coupon left in the reward pool" in page.content.decode()


def test_the_offer_form_says_which_platforms_codes_watchers_can_get(as_role, counterfeit_member):
    StoreFactory(seller=counterfeit_member.seller, platform=counterfeit_member.grievance.platform)
    page = as_role("member").get(reverse("coalition:coupon_offers"))
    assert "only for a store on the platform of the listing they reported" in page.content.decode()
