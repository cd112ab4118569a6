"""Small helpers every page module uses: refusals shown on forms, safe redirects, private pages."""

from __future__ import annotations

from django.http import HttpRequest, HttpResponse
from django.utils.http import url_has_allowed_host_and_scheme

from coalition.errors import ActionRefused


def refuse(form, exc: ActionRefused) -> None:
    """Show an action's refusal next to the field it names, else at the top of the form."""
    field = exc.field if exc.field in form.fields else None
    form.add_error(field, str(exc.message))


def safe_next(request: HttpRequest) -> str:
    url = request.POST.get("next") or request.GET.get("next") or ""
    if url and url_has_allowed_host_and_scheme(
        url, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    ):
        return url
    return ""


def private(response: HttpResponse) -> HttpResponse:
    # Pages reached through a private token: never indexed, and the token never leaves the site as
    # a referrer ("same-origin", not "no-referrer": that would send "Origin: null" with the page's
    # own form and fail the CSRF check).
    response["Referrer-Policy"] = "same-origin"
    response["X-Robots-Tag"] = "noindex, nofollow"
    response["Cache-Control"] = "private, no-store"
    return response
