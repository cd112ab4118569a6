"""The browsable API docs (/api/docs/, /api/redoc/) under production's Content-Security-Policy.

Swagger UI is served by drf-spectacular's split view, so its start-up script is a file of its own
(`/api/docs/?script=`) rather than an inline <script>; Redoc starts from its <redoc> element.
Neither page has inline script, and script-src stays 'self'. Both libraries inject their styles
at run time, so these two pages alone allow inline styles (and Redoc its search worker from a
blob: URL); every other page keeps style-src 'self'. Assets come from drf-spectacular-sidecar
under /static/, never from a CDN.
"""

from __future__ import annotations

from csp.constants import SELF, UNSAFE_INLINE
from csp.decorators import csp_update
from drf_spectacular.views import SpectacularRedocView, SpectacularSwaggerSplitView

DOCS_POLICY = {"style-src": [UNSAFE_INLINE]}
REDOC_POLICY = {"style-src": [UNSAFE_INLINE], "worker-src": [SELF, "blob:"]}

swagger_view = csp_update(DOCS_POLICY)(SpectacularSwaggerSplitView.as_view(url_name="schema"))
redoc_view = csp_update(REDOC_POLICY)(SpectacularRedocView.as_view(url_name="schema"))
