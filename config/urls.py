from django.contrib import admin
from django.urls import include, path
from drf_spectacular.views import SpectacularAPIView, SpectacularRedocView, SpectacularSwaggerView

from coalition import views as coalition_views

handler404 = "coalition.api.errors.json_404"
handler500 = "coalition.api.errors.json_500"

urlpatterns = [
    path("", coalition_views.home, name="home"),
    path("", include("coalition.urls")),
    path("", include("appeals.urls")),
    path("accounts/", include("allauth.urls")),
    path("i18n/setlang/", coalition_views.set_language, name="set_language"),
    path("admin/", admin.site.urls),
    path("api/v1/", include("coalition.api.urls")),
    path("api/v1/", include("appeals.api.urls")),
    path("api/schema/", SpectacularAPIView.as_view(), name="schema"),
    path("api/docs/", SpectacularSwaggerView.as_view(url_name="schema"), name="api-docs"),
    path("api/redoc/", SpectacularRedocView.as_view(url_name="schema"), name="api-redoc"),
]
