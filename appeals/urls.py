"""Appeals pages: rounds, board and my cases (urls_rounds) and email preferences (urls_notifications)."""

from django.urls import include, path

app_name = "appeals"
urlpatterns = [
    path("", include("appeals.urls_rounds")),
    path("", include("appeals.urls_notifications")),
]
