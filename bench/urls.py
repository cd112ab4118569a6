"""The site's URLs plus a bare view: the cost of Django itself (middleware, routing, a
response) on the same server, the baseline the benchmarks compare endpoints with."""

from django.http import HttpRequest, HttpResponse
from django.urls import path

from config.urls import handler404, handler500
from config.urls import urlpatterns as site_urlpatterns

__all__ = ["handler404", "handler500", "urlpatterns"]


def bare(request: HttpRequest) -> HttpResponse:
    return HttpResponse(b'{"ok": true}', content_type="application/json")


urlpatterns = [path("bench/bare/", bare, name="bench-bare"), *site_urlpatterns]
