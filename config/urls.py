from django.contrib import admin
from django.urls import include, path
from drf_spectacular.views import SpectacularAPIView

from coalition.views import account, grievances
from config import api_docs

handler404 = "coalition.api.errors.json_404"
handler500 = "coalition.api.errors.json_500"

# The API first: its readers are the busiest, and every pattern tried before a match costs them.
urlpatterns = [
    path("api/v1/", include("config.api_router")),
    path("", grievances.home, name="home"),
    path("", include("coalition.urls")),
    path("", include("appeals.urls")),
    path("accounts/", include("allauth.urls")),
    path("i18n/setlang/", account.set_language, name="set_language"),
    path("admin/", admin.site.urls),
    path("api/schema/", SpectacularAPIView.as_view(), name="schema"),
    path("api/docs/", api_docs.swagger_view, name="api-docs"),
    path("api/redoc/", api_docs.redoc_view, name="api-redoc"),
]
