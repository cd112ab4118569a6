"""URLs for the evidence and packet tests: the site's URLs with the evidence pages, the packet
pages and the evidence API route added, whether or not the site wires them in yet."""

from django.urls import URLResolver, include, path
from rest_framework.routers import SimpleRouter

from appeals import packet_urls
from appeals import urls as appeals_urls
from coalition import evidence_urls
from coalition import urls as coalition_urls
from coalition.api.evidence import EvidenceViewSet
from config import urls as site

router = SimpleRouter()
router.register(
    r"grievances/(?P<grievance_pk>\d+)/evidence", EvidenceViewSet, basename="grievance-evidence"
)

handler404 = site.handler404
handler500 = site.handler500


def _namespaced(pattern) -> bool:
    return isinstance(pattern, URLResolver) and pattern.namespace in {"coalition", "appeals"}


urlpatterns = [
    path("", include(([*coalition_urls.urlpatterns, *evidence_urls.urlpatterns], "coalition"))),
    path("", include(([*appeals_urls.urlpatterns, *packet_urls.urlpatterns], "appeals"))),
    path("api/v1/", include(router.urls)),
    *[p for p in site.urlpatterns if not _namespaced(p)],
]
