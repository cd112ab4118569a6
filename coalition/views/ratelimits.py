"""Rate limits on the pages (django-ratelimit) and the 429 page they answer with."""

from __future__ import annotations

from functools import wraps
from typing import Any

from django.http import HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import render
from django.utils.translation import gettext as _
from django_ratelimit.decorators import ratelimit
from django_ratelimit.exceptions import Ratelimited


def rate_limited(rate: str):
    """django-ratelimit on POST, keyed by user (or IP), answering with `ratelimited` (429).

    Catching the exception here keeps the page's answer a 429 without depending on
    RatelimitMiddleware being installed.
    """

    def decorator(view):
        limited = ratelimit(key="user_or_ip", rate=rate, method="POST", block=True)(view)

        @wraps(view)
        def wrapper(request, *args, **kwargs):
            try:
                return limited(request, *args, **kwargs)
            except Ratelimited as exc:
                return ratelimited(request, exc)

        return wrapper

    return decorator


def public_form_limit(view):
    """10 report submissions an hour per IP address (django-ratelimit), answered with a 429 page."""
    limited = ratelimit(key="ip", rate="10/h", method="POST", block=True)(view)

    @wraps(view)
    def wrapper(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        try:
            return limited(request, *args, **kwargs)
        except Ratelimited as exc:
            return ratelimited(request, exc)

    return wrapper


def ratelimited(request, exception=None):
    """django-ratelimit sends refused requests here (RATELIMIT_VIEW)."""
    message = _("Too many requests. Please wait a moment and try again.")
    if request.path.startswith("/api/"):
        return JsonResponse({"detail": message, "errors": {}, "code": "throttled"}, status=429)
    return render(request, "coalition/ratelimited.html", {"message": message}, status=429)
