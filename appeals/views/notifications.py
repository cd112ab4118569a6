"""Email preferences: one-click unsubscribe links from emails, and the settings page.

The unsubscribe links carry the seller's random `unsubscribe_token` instead of a login: people
click them from a phone's mail app, signed out. GET shows a confirmation page (link scanners and
previews fetch GET, so GET never changes anything); POST unsubscribes at once — that is also what
mail clients send for RFC 8058 one-click (`List-Unsubscribe=One-Click`), without a CSRF token, so
these POST views are CSRF-exempt: the token in the URL is the credential, and the worst a forged
POST can do is stop someone's reminders, which they can undo from the page shown.
"""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import translation
from django.utils.translation import gettext as _
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_http_methods, require_POST

from appeals.actions import notifications
from appeals.forms.notifications import PreferencesForm
from appeals.models import Unsubscribe
from coalition.actions.sellers import ensure_seller
from coalition.models import Grievance, Membership, Seller
from coalition.queries.sellers import seller_of


@csrf_exempt
@require_http_methods(["GET", "POST"])
def unsubscribe(request: HttpRequest, token, grievance_id: int | None = None) -> HttpResponse:
    seller, grievance = _from_link(token, grievance_id)
    done = request.method == "POST"
    if done:
        notifications.unsubscribe(seller, grievance)
    return _page(request, seller, grievance, "unsubscribed" if done else "confirm")


@csrf_exempt
@require_POST
def resubscribe(request: HttpRequest, token, grievance_id: int | None = None) -> HttpResponse:
    seller, grievance = _from_link(token, grievance_id)
    notifications.resubscribe(seller, grievance)
    return _page(request, seller, grievance, "resubscribed")


def _from_link(token, grievance_id: int | None) -> tuple[Seller, Grievance | None]:
    seller = get_object_or_404(Seller.objects.select_related("user"), unsubscribe_token=token)
    if grievance_id is None:
        return seller, None
    # Only grievances the seller belongs (or belonged) to: a token does not reveal other titles.
    membership = Membership.objects.filter(seller=seller, grievance_id=grievance_id).select_related(
        "grievance"
    )
    found = membership.first()
    if found is None:
        raise Http404
    return seller, found.grievance


def _page(
    request: HttpRequest, seller: Seller, grievance: Grievance | None, step: str
) -> HttpResponse:
    # The person clicking may be signed out: answer in the language the email was written in.
    with translation.override(seller.language or None):
        response = render(
            request,
            "appeals/notifications/unsubscribe.html",
            {
                "seller": seller,
                "grievance": grievance,
                "step": step,
                "token": seller.unsubscribe_token,
            },
        )
    return response


@login_required
@require_http_methods(["GET", "POST"])
def notification_settings(request: HttpRequest) -> HttpResponse:
    seller = seller_of(request.user)
    if seller is None and request.method == "POST":
        seller = ensure_seller(request.user)
    memberships = _memberships(seller)
    muted = _muted(seller)
    form = PreferencesForm(
        request.POST or None,
        memberships=memberships,
        initial={
            "everything": seller is None or (seller.email_notifications and None not in muted),
            "grievances": [m.grievance_id for m in memberships if m.grievance_id not in muted],
        },
    )
    if request.method == "POST" and form.is_valid():
        _save(seller, form.cleaned_data, memberships)
        messages.success(request, _("Your email settings are saved."))
        return redirect("appeals:notification_settings")
    rows = [(m, m.grievance_id not in muted) for m in memberships]
    return render(
        request,
        "appeals/notifications/settings.html",
        {"form": form, "rows": rows, "seller": seller},
    )


def _memberships(seller: Seller | None) -> list[Membership]:
    if seller is None:
        return []
    return list(
        seller.memberships.active().select_related("grievance").order_by("grievance__title")
    )


def _muted(seller: Seller | None) -> set[int | None]:
    if seller is None:
        return set()
    return set(Unsubscribe.objects.filter(seller=seller).values_list("grievance_id", flat=True))


def _save(seller: Seller, data: dict, memberships: list[Membership]) -> None:
    if data["everything"]:
        notifications.resubscribe(seller)
    else:
        notifications.unsubscribe(seller)
    wanted = {g.pk for g in data["grievances"]}
    for membership in memberships:
        if membership.grievance_id in wanted:
            notifications.resubscribe(seller, membership.grievance)
        else:
            notifications.unsubscribe(seller, membership.grievance)
