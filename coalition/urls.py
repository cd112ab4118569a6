"""Coalition pages. The home page itself is `home` in config/urls.py; it is also `coalition:home`."""

from __future__ import annotations

from django.urls import include, path

from coalition import views

app_name = "coalition"

urlpatterns = [
    path("grievances/", views.grievance_list, name="grievance_list"),
    path("grievances/new/", views.grievance_create, name="grievance_create"),
    path("grievances/similar/", views.similar, name="similar"),
    path("grievances/<int:pk>/", views.grievance_detail, name="grievance_detail"),
    path("grievances/<int:pk>/edit/", views.grievance_edit, name="grievance_edit"),
    path("grievances/<int:pk>/state/", views.grievance_state, name="grievance_state"),
    path("grievances/<int:pk>/merge/", views.grievance_merge, name="grievance_merge"),
    path("grievances/<int:pk>/hide/", views.grievance_hide, name="grievance_hide"),
    path("grievances/<int:pk>/join/", views.join, name="join"),
    path("grievances/<int:pk>/my-case/", views.case_edit, name="case_edit"),
    path("grievances/<int:pk>/leave/", views.leave, name="leave"),
    path("grievances/<int:pk>/step-down/", views.step_down, name="step_down"),
    path(
        "grievances/<int:pk>/members/<int:membership_id>/verify/",
        views.member_verify,
        name="member_verify",
    ),
    path(
        "grievances/<int:pk>/members/<int:membership_id>/promote/",
        views.member_promote,
        name="member_promote",
    ),
    path("stores/", views.store_list, name="store_list"),
    path("stores/new/", views.store_create, name="store_create"),
    path("stores/<int:pk>/edit/", views.store_edit, name="store_edit"),
    path("stores/<int:pk>/delete/", views.store_delete, name="store_delete"),
    path("account/profile/", views.profile, name="profile"),
    path("", include("coalition.evidence_urls")),
    path("", include("coalition.reports_urls")),
    # Reached through the root `home` first; named here too so templates can say coalition:home.
    path("", views.home, name="home"),
]
