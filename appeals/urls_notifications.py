"""Email preferences (included into namespace "appeals"): the settings page and the one-click
unsubscribe links every email carries (see appeals/views_notifications.py)."""

from __future__ import annotations

from django.urls import path

from appeals import views_notifications as views

urlpatterns = [
    path("account/notifications/", views.notification_settings, name="notification_settings"),
    path("notifications/unsubscribe/<uuid:token>/", views.unsubscribe, name="unsubscribe"),
    path(
        "notifications/unsubscribe/<uuid:token>/grievance/<int:grievance_id>/",
        views.unsubscribe,
        name="unsubscribe_grievance",
    ),
    path("notifications/resubscribe/<uuid:token>/", views.resubscribe, name="resubscribe"),
    path(
        "notifications/resubscribe/<uuid:token>/grievance/<int:grievance_id>/",
        views.resubscribe,
        name="resubscribe_grievance",
    ),
]
