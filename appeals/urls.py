"""Appeals pages: rounds, board and my cases (urls_rounds) email preferences (urls_notifications) and
evidence packets (packet_urls)."""

from django.urls import include, path

app_name = "appeals"
urlpatterns = [
    path("", include("appeals.urls_rounds")),
    path("", include("appeals.urls_notifications")),
    path("", include("appeals.packet_urls")),
]
