"""Answering as DRF would, for a view that served a request without DRF's dispatch.

A hot path (the co-sign, appeals/api/signatures.py `plain_cosign`) answers its usual case
without building DRF's request, negotiating, or rendering through a `Response`. Its refusals
are rare and must read exactly as DRF's: `drf_answer` runs a handler that raises the refusal
the way `APIView.dispatch` runs a view's handler (the request wrapped, the content negotiated,
the exception answered by the project's handler, the response finalized), with authentication,
permission and throttle already checked by the caller. `finalized` gives a plain answer the
headers DRF's `finalize_response` adds (`Allow`, `Vary: Accept`).
"""

from __future__ import annotations

from collections.abc import Callable

from django.http import HttpRequest, HttpResponse
from rest_framework.response import Response
from rest_framework.views import APIView


def drf_answer(
    view: APIView, request: HttpRequest, handler: Callable[[], Response], *, user, auth
) -> Response:
    """What `view`'s dispatch answers for Django's `request` when the view's handler is
    `handler`, the caller being `user`/`auth` (no authenticator runs again): the handler's
    response, or its exception answered as DRF answers it."""
    drf_request = view.initialize_request(request, *view.args, **view.kwargs)
    drf_request.user, drf_request.auth = user, auth
    view.request = drf_request
    view.headers = view.default_response_headers
    try:
        view.format_kwarg = view.get_format_suffix(**view.kwargs)
        negotiated = view.perform_content_negotiation(drf_request)
        drf_request.accepted_renderer, drf_request.accepted_media_type = negotiated
        drf_request.version, drf_request.versioning_scheme = view.determine_version(
            drf_request, *view.args, **view.kwargs
        )
        response = handler()
    except Exception as exc:  # as APIView.dispatch: every exception is answered
        response = view.handle_exception(exc)
    view.response = view.finalize_response(drf_request, response, *view.args, **view.kwargs)
    return view.response


def finalized(view: APIView, request: HttpRequest, response: HttpResponse) -> HttpResponse:
    """`response` (not a DRF `Response`) with the headers DRF's `finalize_response` adds."""
    view.headers = view.default_response_headers
    view.response = view.finalize_response(request, response, *view.args, **view.kwargs)
    return view.response
