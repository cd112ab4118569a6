"""Anonymous API answers from the shared cache (coalition/cache.py), kept as the JSON bytes
they were rendered to: a hit is one cache round trip and no rendering at all.

**The plain public read** is an anonymous GET (no signed-in session, no `Authorization` header)
asking for JSON (no `Accept`, `*/*` or `application/json`; no format suffix or `?format=`) of
an answer the view caches (its `cached_as`). Its hit is served before DRF's dispatch: no DRF
request, no authenticators, no content negotiation; the bytes kept go out in a plain response
with the headers DRF adds (coalition/api/answers.py `finalized`), the same answer byte for byte
(tests/coalition/perf/test_plain_public_read.py). A miss, and any request that is not plain, is
DRF's as usual; a miss's lookup is handed on (`view.missed`), so the cache is read once.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from typing import Any

from django.http import HttpRequest, HttpResponse
from rest_framework.renderers import JSONRenderer
from rest_framework.response import Response
from rest_framework.settings import api_settings
from rest_framework.views import APIView

from coalition.api.answers import finalized
from coalition.cache import Lookup, answer_key, cached

_JSON = JSONRenderer.media_type
_JSON_ACCEPTED = frozenset({"*/*", _JSON})

# What a view caches an anonymous answer as: its name, its scopes and the parts it depends on
# besides the language and time zone (the view's `cached_as(request)`; None: not cached).
CachedAs = tuple[str, list[str], list[Any]]


class RenderedResponse(Response):
    """A JSON answer rendered before: DRF sends its bytes as they are."""

    def __init__(self, body: bytes) -> None:
        super().__init__()
        self.body = body

    @property
    def rendered_content(self) -> bytes:
        self["Content-Type"] = self.accepted_renderer.media_type
        return self.body


def plain_public_read(view: APIView, request: HttpRequest) -> HttpResponse | None:
    """The cached answer of a plain public read (see above) of `view` (not yet dispatched),
    answered; None for any other request and for a miss, which DRF's dispatch then serves."""
    if not _plain_read(view, request):
        return None
    cached_as: CachedAs | None = view.cached_as(request)
    if cached_as is None:
        return None
    name, scopes, parts = cached_as
    found = Lookup(name, scopes, *parts, _JSON)
    if not found.hit:
        view.missed = found
        return None
    return finalized(view, request, HttpResponse(found.value, content_type=_JSON))


def _plain_read(view: APIView, request: HttpRequest) -> bool:
    """Whether DRF would take `request` for an anonymous one and answer it in plain JSON."""
    meta = request.META
    return (
        request.method == "GET"
        and "HTTP_AUTHORIZATION" not in meta
        and meta.get("HTTP_ACCEPT", "*/*").strip() in _JSON_ACCEPTED
        and "format" not in view.kwargs
        and api_settings.URL_FORMAT_OVERRIDE not in request.GET
        and not request.user.is_authenticated
    )


def public_answer(
    view: APIView,
    name: str,
    scopes: Iterable[str],
    parts: Iterable[Any],
    build: Callable[[], Any],
) -> Response:
    """The answer `build()` gives every anonymous reader of `view` (`parts`: what it depends on
    besides the language and time zone), from the cache while its scopes are unchanged."""
    request = view.request
    parts = [*parts, request.accepted_media_type]  # "application/json; indent=4" is another answer
    if not isinstance(request.accepted_renderer, JSONRenderer):  # the browsable API
        return Response(cached(name, scopes, parts, build))
    missed = view.__dict__.pop("missed", None)
    if missed is not None and missed.key == answer_key(name, *parts):
        found = missed  # the plain read's lookup of this very answer
    else:
        found = Lookup(name, scopes, *parts)
    if found.hit:
        return RenderedResponse(found.value)
    body = request.accepted_renderer.render(
        build(), request.accepted_media_type, view.get_renderer_context()
    )
    found.keep(body)
    return RenderedResponse(body)
