"""The seller's settings, and the language switch (saved on the profile when signed in)."""

from __future__ import annotations

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import translation
from django.utils.translation import gettext as _
from django.views.i18n import set_language as django_set_language

from coalition.actions.sellers import ensure_seller, update_profile
from coalition.forms.account import ProfileForm


@login_required
def profile(request: HttpRequest) -> HttpResponse:
    seller = ensure_seller(request.user)
    form = ProfileForm(request.POST or None, initial=ProfileForm.initial_from(seller))
    if request.method == "POST" and form.is_valid():
        update_profile(seller, actor=request.user, **form.cleaned_data)
        # Answer in the language just chosen, and keep it after logging out.
        translation.activate(seller.language)
        messages.success(request, _("Your settings are saved."))
        response = redirect("coalition:profile")
        response.set_cookie(
            settings.LANGUAGE_COOKIE_NAME,
            seller.language,
            max_age=settings.LANGUAGE_COOKIE_AGE,
            samesite="Lax",
        )
        return response
    return render(request, "coalition/profile.html", {"form": form, "seller": seller})


def set_language(request):
    """Django's language switch, also saved on the seller's profile when signed in."""
    response = django_set_language(request)
    lang = request.POST.get("language")
    if request.method == "POST" and request.user.is_authenticated and lang in {"en", "zh-hans"}:
        seller = ensure_seller(request.user)
        update_profile(seller, actor=request.user, language=lang)
    return response
