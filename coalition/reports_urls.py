"""Report, coupon and health-check pages. No app_name: coalition/urls.py includes these into the
"coalition" namespace with `path("", include("coalition.reports_urls"))`."""

from __future__ import annotations

from django.urls import path

from coalition import reports_views as views

TOKEN = "<str:token>"

urlpatterns = [
    # Watchers (no account needed)
    path("report/", views.report_new, name="report_new"),
    path(f"report/confirm/{TOKEN}/", views.report_confirm, name="report_confirm"),
    path(f"report/status/{TOKEN}/", views.report_status, name="report_status"),
    # Review: organisers of the grievance, the brand's owner, staff
    path("reports/", views.report_review, name="report_review"),
    path("reports/<int:pk>/", views.report_review_detail, name="report_review_detail"),
    path("reports/<int:pk>/confirm/", views.report_review_confirm, name="report_review_confirm"),
    path("reports/<int:pk>/reject/", views.report_review_reject, name="report_review_reject"),
    path(
        "reports/<int:pk>/screenshots/<int:shot>/",
        views.report_screenshot,
        name="report_screenshot",
    ),
    # Members' coupon rewards
    path("coupons/", views.coupon_offers, name="coupon_offers"),
    path("coupons/<int:pk>/withdraw/", views.coupon_offer_withdraw, name="coupon_offer_withdraw"),
    # Store health checks (own stores only)
    path("health/", views.health_check_list, name="health_check_list"),
    path("health/new/", views.health_check_new, name="health_check_new"),
    path("health/import/", views.health_check_import, name="health_check_import"),
    path("health/stores/<int:store>/", views.health_check_store, name="health_check_store"),
    path("health/<int:pk>/", views.health_check_detail, name="health_check_detail"),
    path("health/<int:pk>/delete/", views.health_check_delete, name="health_check_delete"),
]
