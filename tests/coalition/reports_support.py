"""Shared helpers for the report, coupon and health-check tests.

It is also a URLconf (`pytestmark = pytest.mark.urls("tests.coalition.reports_support")`): the
report pages and API routes are wired into config/urls.py by the lead, and until then (and
independently of the other apps' routes) the tests mount them here under the same names.
"""

from __future__ import annotations

import importlib
import struct
import zlib
from datetime import timedelta

import pytest
from django.core.cache import cache
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import include, path
from django.utils import timezone
from rest_framework.routers import SimpleRouter

from coalition import reports
from coalition import urls as coalition_urls
from coalition import views as coalition_views
from coalition.api import reports as api_reports
from coalition.categories import Category
from coalition.models import InfringementReport
from tests.factories import GrievanceFactory, OrganiserFactory, StoreFactory

router = SimpleRouter()
router.register("reports", api_reports.InfringementReportViewSet, basename="infringement-report")
router.register("coupon-offers", api_reports.CouponOfferViewSet, basename="coupon-offer")
router.register("health-checks", api_reports.HealthCheckViewSet, basename="health-check")


def _coalition_patterns() -> list:
    """coalition/urls.py, plus the report pages (and the evidence pages, once they exist) when it
    does not include them yet."""
    included = {getattr(p, "urlconf_name", None) for p in coalition_urls.urlpatterns}
    included |= {getattr(m, "__name__", None) for m in included if not isinstance(m, str | None)}
    patterns = list(coalition_urls.urlpatterns)
    for name in ("coalition.reports_urls", "coalition.evidence_urls"):
        if name in included:
            continue
        try:
            patterns += list(importlib.import_module(name).urlpatterns)
        except ImportError:
            continue
    return patterns


urlpatterns = [
    path("", coalition_views.home, name="home"),
    path("", include((_coalition_patterns(), "coalition"))),
    path("accounts/", include("allauth.urls")),
    path("i18n/setlang/", coalition_views.set_language, name="set_language"),
    path("api/v1/", include(router.urls)),
    path("api/v1/", include("coalition.api.urls")),
]

URLS = "tests.coalition.reports_support"


def png_bytes(rgb: tuple[int, int, int] = (200, 30, 30), size: int = 4) -> bytes:
    """A small valid PNG; a different colour gives a different file (and SHA-256)."""

    def chunk(kind: bytes, data: bytes) -> bytes:
        return (
            struct.pack(">I", len(data))
            + kind
            + data
            + struct.pack(">I", zlib.crc32(kind + data) & 0xFFFFFFFF)
        )

    row = b"\x00" + bytes(rgb) * size
    header = struct.pack(">IIBBBBB", size, size, 8, 2, 0, 0, 0)
    return (
        b"\x89PNG\r\n\x1a\n"
        + chunk(b"IHDR", header)
        + chunk(b"IDAT", zlib.compress(row * size))
        + chunk(b"IEND", b"")
    )


def screenshot(
    name: str = "listing.png", rgb: tuple[int, int, int] = (200, 30, 30)
) -> SimpleUploadedFile:
    return SimpleUploadedFile(name, png_bytes(rgb), content_type="image/png")


@pytest.fixture(autouse=True)
def _fresh_cache():
    # Rate-limit and throttle counters live in the (locmem) cache, which outlives a test.
    cache.clear()
    yield
    cache.clear()


@pytest.fixture
def counterfeit(platform, organiser):
    """An open grievance against counterfeits, organised by `organiser`."""
    g = GrievanceFactory(
        platform=platform, category=Category.COUNTERFEIT_INFRINGER, title="Copies of our lamps"
    )
    OrganiserFactory(grievance=g, seller=organiser)
    return g


@pytest.fixture
def counterfeit_member(counterfeit, member):
    from tests.factories import MembershipFactory

    return MembershipFactory(grievance=counterfeit, seller=member)


ROLES = ("anonymous", "outsider", "member", "organiser", "staff")


@pytest.fixture
def as_role(counterfeit, organiser, counterfeit_member, outsider, staff_user):
    """as_role("member") -> a Django client signed in as that role in the counterfeit grievance;
    as_role("member", api=True) -> a DRF APIClient."""
    from django.test import Client
    from rest_framework.test import APIClient

    users = {
        "anonymous": None,
        "outsider": outsider.user,
        "member": counterfeit_member.seller.user,
        "organiser": organiser.user,
        "staff": staff_user,
    }

    def make(role: str, *, api: bool = False):
        client = APIClient() if api else Client()
        if users[role] is not None:
            client.force_login(users[role])
        return client

    make.users = users
    return make


def watcher_report(
    grievance,
    *,
    email: str = "watcher@example.net",
    url: str = "https://www.shop.example/item/1",
    confirmed: bool = True,
    language: str = "en",
    rgb=(200, 30, 30),
) -> InfringementReport:
    """A watcher's report, its email confirmed unless confirmed=False."""
    from django.contrib.auth.models import AnonymousUser

    report = reports.submit_report(
        actor=AnonymousUser(),
        grievance=grievance,
        listing_url=url,
        infringes="counterfeit",
        screenshots=[screenshot(rgb=rgb)],
        watcher_email=email,
        store_name="Copycat store",
        language=language,
    )
    if confirmed:
        report = reports.confirm_watcher_email(report.confirm_token)
    return report


def offer(membership, *, n: int = 3, expires_in: int = 30, codes=()):
    store = StoreFactory(seller=membership.seller, platform=membership.grievance.platform)
    return reports.offer_coupons(
        membership,
        actor=membership.seller.user,
        store=store,
        discount="10% off",
        quantity=n if not codes else None,
        codes=codes,
        expires_on=timezone.localdate() + timedelta(days=expires_in),
    )


def organiser_membership(grievance):
    return grievance.memberships.organisers().first()
