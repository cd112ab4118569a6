"""Coalition pages. The home page itself is `home` in config/urls.py; it is also `coalition:home`."""

from __future__ import annotations

from django.urls import path

from coalition.views import (
    account,
    coupons,
    evidence,
    grievances,
    health,
    memberships,
    reports,
    stores,
    timeline,
)

app_name = "coalition"

TOKEN = "<str:token>"

urlpatterns = [
    path("grievances/", grievances.grievance_list, name="grievance_list"),
    path("grievances/new/", grievances.grievance_create, name="grievance_create"),
    path("grievances/similar/", grievances.similar, name="similar"),
    path("grievances/<int:pk>/", grievances.grievance_detail, name="grievance_detail"),
    path("grievances/<int:pk>/edit/", grievances.grievance_edit, name="grievance_edit"),
    path("grievances/<int:pk>/state/", grievances.grievance_state, name="grievance_state"),
    path("grievances/<int:pk>/merge/", grievances.grievance_merge, name="grievance_merge"),
    path("grievances/<int:pk>/hide/", grievances.grievance_hide, name="grievance_hide"),
    path("grievances/<int:pk>/timeline/", timeline.grievance_timeline, name="grievance_timeline"),
    path("grievances/<int:pk>/join/", memberships.join, name="join"),
    path("grievances/<int:pk>/my-case/", memberships.case_edit, name="case_edit"),
    path("grievances/<int:pk>/leave/", memberships.leave, name="leave"),
    path("grievances/<int:pk>/step-down/", memberships.step_down, name="step_down"),
    path(
        "grievances/<int:pk>/members/<int:membership_id>/verify/",
        memberships.member_verify,
        name="member_verify",
    ),
    path(
        "grievances/<int:pk>/members/<int:membership_id>/promote/",
        memberships.member_promote,
        name="member_promote",
    ),
    path("stores/", stores.store_list, name="store_list"),
    path("stores/new/", stores.store_create, name="store_create"),
    path("stores/<int:pk>/edit/", stores.store_edit, name="store_edit"),
    path("stores/<int:pk>/delete/", stores.store_delete, name="store_delete"),
    path("account/profile/", account.profile, name="profile"),
    # Evidence
    path("grievances/<int:pk>/evidence/", evidence.evidence_list, name="evidence_list"),
    path("grievances/<int:pk>/evidence/upload/", evidence.evidence_upload, name="evidence_upload"),
    path(
        "grievances/<int:pk>/evidence/<int:evidence_id>/",
        evidence.evidence_detail,
        name="evidence_detail",
    ),
    path(
        "grievances/<int:pk>/evidence/<int:evidence_id>/download/",
        evidence.evidence_download,
        name="evidence_download",
    ),
    path(
        "grievances/<int:pk>/evidence/<int:evidence_id>/withdraw/",
        evidence.evidence_withdraw,
        name="evidence_withdraw",
    ),
    path(
        "grievances/<int:pk>/evidence/<int:evidence_id>/visibility/",
        evidence.evidence_visibility,
        name="evidence_visibility",
    ),
    # Watchers (no account needed)
    path("report/", reports.report_new, name="report_new"),
    path(f"report/confirm/{TOKEN}/", reports.report_confirm, name="report_confirm"),
    path(f"report/status/{TOKEN}/", reports.report_status, name="report_status"),
    # Review: organisers of the grievance, the brand's owner, staff
    path("reports/", reports.report_review, name="report_review"),
    path("reports/<int:pk>/", reports.report_review_detail, name="report_review_detail"),
    path("reports/<int:pk>/confirm/", reports.report_review_confirm, name="report_review_confirm"),
    path("reports/<int:pk>/reject/", reports.report_review_reject, name="report_review_reject"),
    path(
        "reports/<int:pk>/screenshots/<int:shot>/",
        reports.report_screenshot,
        name="report_screenshot",
    ),
    # Members' coupon rewards
    path("coupons/", coupons.coupon_offers, name="coupon_offers"),
    path("coupons/<int:pk>/withdraw/", coupons.coupon_offer_withdraw, name="coupon_offer_withdraw"),
    # Store health checks (own stores only)
    path("health/", health.health_check_list, name="health_check_list"),
    path("health/new/", health.health_check_new, name="health_check_new"),
    path("health/import/", health.health_check_import, name="health_check_import"),
    path("health/import/columns/", health.health_check_import_map, name="health_check_import_map"),
    path("health/stores/<int:store>/", health.health_check_store, name="health_check_store"),
    path("health/<int:pk>/", health.health_check_detail, name="health_check_detail"),
    path("health/<int:pk>/delete/", health.health_check_delete, name="health_check_delete"),
    # Reached through the root `home` first; named here too so templates can say coalition:home.
    path("", grievances.home, name="home"),
]
