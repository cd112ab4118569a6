"""The demo exercises the watcher and health-check journeys on a fresh install."""

from __future__ import annotations

from io import StringIO

import pytest
from django.contrib.auth.models import AnonymousUser
from django.core.management import call_command
from django.urls import reverse

from coalition.actions.reports import review_report
from coalition.management.commands.demo_data import COUNTERFEIT_TITLE
from coalition.models import Grievance, HealthCheck, Membership
from coalition.queries.coupons import free_coupons
from coalition.queries.reports import reportable_grievances
from tests.factories import watcher_report

pytestmark = pytest.mark.django_db


@pytest.fixture
def demo():
    call_command("demo_data", stdout=StringIO())


def test_the_report_page_offers_the_demo_counterfeit_coalition(demo, client):
    counterfeit = Grievance.objects.get(title=COUNTERFEIT_TITLE)
    assert list(reportable_grievances(AnonymousUser())) == [counterfeit]
    page = client.get(reverse("coalition:report_new"))
    assert page.status_code == 200 and COUNTERFEIT_TITLE in page.content.decode()


def test_a_confirmed_watcher_report_in_the_demo_gets_an_amazon_coupon(
    demo, django_capture_on_commit_callbacks
):
    counterfeit = Grievance.objects.get(title=COUNTERFEIT_TITLE)
    assert free_coupons(grievance=counterfeit, platform=counterfeit.platform).count() == 6
    organiser = Membership.objects.organisers().get(grievance=counterfeit).seller.user
    report = watcher_report(counterfeit, url="https://www.amazon.com/dp/B0FAKELAMP")
    with django_capture_on_commit_callbacks(execute=True):
        result = review_report(report, actor=organiser, decision="confirm")
    assert result.coupon is not None
    assert result.coupon.offer.store.platform.slug == "amazon-us"


def test_the_demo_has_a_health_check_history(demo):
    checks = HealthCheck.objects.filter(store__platform_store_id="A1RIVERAKITCHEN")
    assert checks.count() == 3
    assert list(checks.order_by("period_start").values_list("orders", flat=True)) == [
        1840,
        1912,
        1766,
    ]
