"""The project's one DRF router: every viewset of both apps, served under /api/v1/ by
config/urls.py. URL names are the routers' defaults ("grievance-list", "appeal-detail", …)."""

from __future__ import annotations

from django.urls import path
from rest_framework.routers import DefaultRouter

from appeals.api.announcements import AnnouncementViewSet, RemindNowViewSet
from appeals.api.board import BoardViewSet
from appeals.api.inbound import RoundThreadViewSet
from appeals.api.ladder import LadderViewSet
from appeals.api.my_cases import MyCasesViewSet
from appeals.api.rounds import AppealViewSet
from appeals.api.scorecards import ScorecardView
from coalition.api.coupons import CouponOfferViewSet
from coalition.api.evidence import EvidenceViewSet
from coalition.api.grievances import GrievanceViewSet
from coalition.api.health import HealthCheckViewSet
from coalition.api.me import MeView, TokenView
from coalition.api.platforms import PlatformViewSet
from coalition.api.reports import InfringementReportViewSet
from coalition.api.stores import StoreViewSet

router = DefaultRouter(trailing_slash=True)

# The busiest first (co-signing a round, reading grievances): a request is matched against the
# patterns in order, and each one tried before the match costs it. No two viewsets' patterns
# overlap, so the order changes nothing else.
router.register("appeals", AppealViewSet, basename="appeal")
router.register("grievances", GrievanceViewSet, basename="grievance")

# coalition
router.register("platforms", PlatformViewSet, basename="platform")
router.register("stores", StoreViewSet, basename="store")
# Keep this basename: evidence download URLs are reversed as "grievance-evidence-download".
router.register(
    r"grievances/(?P<grievance_pk>\d+)/evidence", EvidenceViewSet, basename="grievance-evidence"
)
router.register("reports", InfringementReportViewSet, basename="infringement-report")
router.register("coupon-offers", CouponOfferViewSet, basename="coupon-offer")
router.register("health-checks", HealthCheckViewSet, basename="health-check")

# appeals
router.register(
    r"appeals/(?P<appeal_pk>\d+)/remind-now", RemindNowViewSet, basename="appeal-remind-now"
)
router.register(
    r"grievances/(?P<grievance_pk>\d+)/announcements",
    AnnouncementViewSet,
    basename="grievance-announcement",
)
router.register(r"appeals/(?P<appeal_pk>\d+)/thread", RoundThreadViewSet, basename="appeal-thread")
router.register(
    r"grievances/(?P<grievance_pk>\d+)/ladder", LadderViewSet, basename="grievance-ladder"
)
router.register("board", BoardViewSet, basename="board")
router.register("my-cases", MyCasesViewSet, basename="my-cases")


def _first(name: str, patterns: list) -> list:
    """`patterns` with the one named `name` (its format-suffix twin stays where it was) moved to
    the front, where a request reaches it before trying any other."""
    (hot,) = [p for p in patterns if p.name == name and "format" not in p.pattern.regex.groupindex]
    return [hot, *(p for p in patterns if p is not hot)]


cosign_route, *routes = _first("appeal-signature", router.urls)

urlpatterns = [
    cosign_route,  # the co-sign, the API's hot path, is matched first
    path("me/", MeView.as_view(), name="me"),
    path("auth/token/", TokenView.as_view(), name="auth-token"),
    path(
        "platforms/<slug:platform_slug>/scorecard/",
        ScorecardView.as_view(),
        name="platform-scorecard",
    ),
    *routes,
]
