"""A seller's own stores: list, add, change, remove."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.db.models import Count, Q
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods

from coalition.actions.sellers import create_store, delete_store, update_store
from coalition.errors import ActionRefused
from coalition.forms.stores import StoreForm
from coalition.models import Membership
from coalition.queries.sellers import own_stores
from coalition.rules.integers import parse_id
from coalition.views.common import refuse, safe_next


@login_required
def store_list(request: HttpRequest) -> HttpResponse:
    in_use = Count("memberships", filter=~Q(memberships__state=Membership.State.WITHDRAWN))
    stores = (
        own_stores(request.user).annotate(grievance_count=in_use).order_by("platform__name", "name")
    )
    return render(request, "coalition/store_list.html", {"stores": stores})


@login_required
def store_create(request: HttpRequest) -> HttpResponse:
    platform = request.GET.get("platform", "")
    form = StoreForm(
        request.POST or None, initial={"platform": platform} if parse_id(platform) else {}
    )
    next_url = safe_next(request)
    if request.method == "POST" and form.is_valid():
        try:
            store = create_store(actor=request.user, **form.cleaned_data)
        except ActionRefused as exc:
            refuse(form, exc)
        else:
            messages.success(request, _("Your store “%(name)s” is added.") % {"name": store.name})
            return redirect(next_url or "coalition:store_list")
    return render(
        request, "coalition/store_form.html", {"form": form, "next": next_url, "store": None}
    )


@login_required
def store_edit(request: HttpRequest, pk: int) -> HttpResponse:
    store = get_object_or_404(own_stores(request.user), pk=pk)
    form = StoreForm(request.POST or None, initial=StoreForm.initial_from(store))
    if request.method == "POST" and form.is_valid():
        try:
            update_store(store, actor=request.user, **form.cleaned_data)
        except ActionRefused as exc:
            refuse(form, exc)
        else:
            messages.success(request, _("Your store is saved."))
            return redirect("coalition:store_list")
    return render(request, "coalition/store_form.html", {"form": form, "store": store, "next": ""})


@login_required
@require_http_methods(["GET", "POST"])
def store_delete(request: HttpRequest, pk: int) -> HttpResponse:
    store = get_object_or_404(own_stores(request.user), pk=pk)
    if request.method == "POST":
        delete_store(store, actor=request.user)
        messages.success(request, _("The store “%(name)s” is removed.") % {"name": store.name})
        return redirect("coalition:store_list")
    in_use = store.memberships.active().count()
    return render(
        request, "coalition/store_confirm_delete.html", {"store": store, "in_use": in_use}
    )
