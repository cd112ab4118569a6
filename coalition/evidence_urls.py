"""Evidence pages. coalition/urls.py includes them into the "coalition" namespace with
`path("", include("coalition.evidence_urls"))`; there is no app_name here, so the names below
join the including module's namespace."""

from django.urls import path

from coalition import evidence_views as views

urlpatterns = [
    path("grievances/<int:pk>/evidence/", views.evidence_list, name="evidence_list"),
    path("grievances/<int:pk>/evidence/upload/", views.evidence_upload, name="evidence_upload"),
    path(
        "grievances/<int:pk>/evidence/<int:evidence_id>/",
        views.evidence_detail,
        name="evidence_detail",
    ),
    path(
        "grievances/<int:pk>/evidence/<int:evidence_id>/download/",
        views.evidence_download,
        name="evidence_download",
    ),
    path(
        "grievances/<int:pk>/evidence/<int:evidence_id>/withdraw/",
        views.evidence_withdraw,
        name="evidence_withdraw",
    ),
    path(
        "grievances/<int:pk>/evidence/<int:evidence_id>/visibility/",
        views.evidence_visibility,
        name="evidence_visibility",
    ),
]
