from django.urls import path
from rest_framework.routers import DefaultRouter

from coalition.api import reports as report_api
from coalition.api import views
from coalition.api.evidence import EvidenceViewSet

router = DefaultRouter(trailing_slash=True)
router.register("platforms", views.PlatformViewSet, basename="platform")
router.register("stores", views.StoreViewSet, basename="store")
router.register("grievances", views.GrievanceViewSet, basename="grievance")
# Keep this basename: evidence download URLs are reversed as "grievance-evidence-download".
router.register(
    r"grievances/(?P<grievance_pk>\d+)/evidence", EvidenceViewSet, basename="grievance-evidence"
)
router.register("reports", report_api.InfringementReportViewSet, basename="infringement-report")
router.register("coupon-offers", report_api.CouponOfferViewSet, basename="coupon-offer")
router.register("health-checks", report_api.HealthCheckViewSet, basename="health-check")

urlpatterns = [
    path("me/", views.MeView.as_view(), name="me"),
    path("auth/token/", views.TokenView.as_view(), name="auth-token"),
    *router.urls,
]
