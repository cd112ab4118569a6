"""Coalition web pages."""

from __future__ import annotations

from django.http import HttpResponse
from django.shortcuts import render
from django.utils.translation import gettext as _
from django.views.i18n import set_language as django_set_language


def home(request):
    return render(request, "coalition/home.html", {})


def ratelimited(request, exception=None):
    """django-ratelimit sends refused requests here (RATELIMIT_VIEW)."""
    if request.path.startswith("/api/"):
        from django.http import JsonResponse

        return JsonResponse({"detail": _("Too many requests. Please wait a moment and try again."), "errors": {}, "code": "throttled"}, status=429)
    return HttpResponse(_("Too many requests. Please wait a moment and try again."), status=429)


def set_language(request):
    """Django's language switch, also saved on the seller's profile when signed in."""
    response = django_set_language(request)
    lang = request.POST.get("language")
    if request.method == "POST" and request.user.is_authenticated and lang in {"en", "zh-hans"}:
        from coalition.actions import ensure_seller, update_profile

        seller = ensure_seller(request.user)
        update_profile(seller, actor=request.user, language=lang)
    return response
