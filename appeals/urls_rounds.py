"""Round pages, the organiser board and "my cases" (included into namespace "appeals").

Every change is a POST to its own URL; each answers with a redirect to the round page, or
re-renders the page with the form's errors next to its fields.
"""

from __future__ import annotations

from django.urls import path

from appeals import views

urlpatterns = [
    path("grievances/<int:grievance_id>/rounds/new/", views.round_new, name="round_new"),
    path("rounds/<int:pk>/", views.round_detail, name="round_detail"),
    # Organisers
    path("rounds/<int:pk>/edit/", views.round_edit, name="round_edit"),
    path("rounds/<int:pk>/redraft/", views.round_regenerate, name="round_regenerate"),
    path("rounds/<int:pk>/open-signing/", views.round_open_signing, name="round_open_signing"),
    path("rounds/<int:pk>/close-signing/", views.round_close_signing, name="round_close_signing"),
    path("rounds/<int:pk>/submit/", views.round_submit, name="round_submit"),
    path("rounds/<int:pk>/responses/", views.round_response, name="round_response"),
    path("rounds/<int:pk>/information-sent/", views.round_info_sent, name="round_info_sent"),
    path("rounds/<int:pk>/withdraw/", views.round_withdraw, name="round_withdraw"),
    # Members
    path("rounds/<int:pk>/sign/", views.round_sign, name="round_sign"),
    path("rounds/<int:pk>/unsign/", views.round_unsign, name="round_unsign"),
    path("rounds/<int:pk>/my-submission/", views.round_log_submission, name="round_log_submission"),
    path("submissions/<int:pk>/outcome/", views.submission_outcome, name="submission_outcome"),
    # Overviews
    path("board/", views.board, name="board"),
    path("my-cases/", views.my_cases, name="my_cases"),
]
