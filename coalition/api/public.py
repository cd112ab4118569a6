"""Anonymous API answers from the shared cache (coalition/cache.py), kept as the JSON bytes
they were rendered to: a hit is one cache round trip and no rendering at all."""

from __future__ import annotations

from collections.abc import Callable, Iterable
from typing import Any

from rest_framework.renderers import JSONRenderer
from rest_framework.response import Response
from rest_framework.views import APIView

from coalition.cache import Lookup, cached


class RenderedResponse(Response):
    """A JSON answer rendered before: DRF sends its bytes as they are."""

    def __init__(self, body: bytes) -> None:
        super().__init__()
        self.body = body

    @property
    def rendered_content(self) -> bytes:
        self["Content-Type"] = self.accepted_renderer.media_type
        return self.body


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
    found = Lookup(name, scopes, *parts)
    if found.hit:
        return RenderedResponse(found.value)
    body = request.accepted_renderer.render(
        build(), request.accepted_media_type, view.get_renderer_context()
    )
    found.keep(body)
    return RenderedResponse(body)
