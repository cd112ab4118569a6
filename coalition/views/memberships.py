"""Joining a grievance with one's case, updating it, leaving; organisers verifying and promoting
members; an organiser stepping down."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.http import url_has_allowed_host_and_scheme, urlencode
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST

from coalition.actions.memberships import (
    join_grievance,
    leave_grievance,
    promote_member,
    update_case,
    verify_member,
)
from coalition.actions.memberships import step_down as step_down_as_organiser
from coalition.errors import ActionRefused
from coalition.forms.fields import COMMON_CURRENCIES
from coalition.forms.memberships import CaseForm
from coalition.models import Grievance
from coalition.pages.grievances import member_name, organised_grievance, reachable_grievance
from coalition.queries.memberships import (
    AGGREGATE_MIN_CONTRIBUTORS,
    earlier_membership,
    membership_of,
)
from coalition.queries.sellers import is_staff, own_stores
from coalition.views.common import refuse
from coalition.views.ratelimits import rate_limited


def _case_page(request, grievance: Grievance, form: CaseForm, mode: str) -> HttpResponse:
    stores = form.fields["store"].queryset
    query = urlencode({"platform": grievance.platform_id, "next": request.path})
    add_store = f"{reverse('coalition:store_create')}?{query}"
    return render(
        request,
        "coalition/case_form.html",
        {
            "grievance": grievance,
            "form": form,
            "mode": mode,
            "has_stores": stores.exists(),
            "add_store_url": add_store,
            "currencies": COMMON_CURRENCIES,
            "min_contributors": AGGREGATE_MIN_CONTRIBUTORS,
        },
    )


def _stores_for(request: HttpRequest, grievance: Grievance):
    return own_stores(request.user).filter(platform_id=grievance.platform_id)


@login_required
@rate_limited("30/h")
@require_http_methods(["GET", "POST"])
def join(request: HttpRequest, pk: int) -> HttpResponse:
    grievance = reachable_grievance(request, pk)
    if membership_of(request.user, grievance) is not None:
        messages.info(request, _("You are already a member. You can update your case here."))
        return redirect("coalition:case_edit", pk=grievance.pk)
    if not grievance.is_open:
        messages.error(request, _("This grievance is not open for new members."))
        return redirect(grievance)
    # Someone who left and comes back finds their earlier case filled in.
    earlier = earlier_membership(request.user, grievance)
    initial = CaseForm.initial_from(earlier) if earlier else {"currency": "USD"}
    form = CaseForm(request.POST or None, stores=_stores_for(request, grievance), initial=initial)
    if request.method == "POST" and form.is_valid():
        try:
            join_grievance(grievance, actor=request.user, **form.case())
        except ActionRefused as exc:
            refuse(form, exc)
        else:
            messages.success(
                request,
                _("You joined “%(title)s”. Thank you — every member makes the appeal stronger.")
                % {"title": grievance.title},
            )
            return redirect(grievance)
    return _case_page(request, grievance, form, "join")


@login_required
@require_http_methods(["GET", "POST"])
def case_edit(request: HttpRequest, pk: int) -> HttpResponse:
    grievance = reachable_grievance(request, pk)
    membership = membership_of(request.user, grievance)
    if membership is None:
        return redirect("coalition:join", pk=grievance.pk)
    form = CaseForm(
        request.POST or None,
        stores=_stores_for(request, grievance),
        initial=CaseForm.initial_from(membership),
    )
    if request.method == "POST" and form.is_valid():
        try:
            update_case(membership, actor=request.user, **form.case())
        except ActionRefused as exc:
            refuse(form, exc)
        else:
            messages.success(request, _("Your case is updated."))
            return redirect(grievance)
    return _case_page(request, grievance, form, "edit")


@login_required
@require_http_methods(["GET", "POST"])
def leave(request: HttpRequest, pk: int) -> HttpResponse:
    grievance = reachable_grievance(request, pk)
    membership = membership_of(request.user, grievance)
    if membership is None:
        messages.info(request, _("You are not a member of this grievance."))
        return redirect(grievance)
    if request.method == "POST":
        try:
            leave_grievance(grievance, actor=request.user)
        except ActionRefused as exc:
            messages.error(request, exc.message)
            return redirect(reverse("coalition:grievance_detail", args=[grievance.pk]) + "#members")
        messages.success(
            request,
            _("You left “%(title)s”. You can join again at any time.") % {"title": grievance.title},
        )
        if grievance.hidden and not is_staff(request.user):
            return redirect("coalition:grievance_list")
        return redirect(grievance)
    return render(
        request, "coalition/leave_confirm.html", {"grievance": grievance, "membership": membership}
    )


def _member_action(
    request: HttpRequest, pk: int, membership_id: int, action, success: str
) -> HttpResponse:
    grievance = organised_grievance(request, pk)
    target = get_object_or_404(
        grievance.memberships.active().select_related("seller"), pk=membership_id
    )
    try:
        action(target, actor=request.user)
    except ActionRefused as exc:
        messages.error(request, exc.message)
    else:
        messages.success(request, success % {"name": member_name(target)})
    back = request.POST.get("next", "")
    if back and url_has_allowed_host_and_scheme(back, {request.get_host()}, request.is_secure()):
        return redirect(back)  # the member list the button was pressed on
    return redirect(reverse("coalition:grievance_detail", args=[grievance.pk]) + "#members")


@login_required
@require_POST
def member_verify(request: HttpRequest, pk: int, membership_id: int) -> HttpResponse:
    return _member_action(request, pk, membership_id, verify_member, _("%(name)s is verified."))


@login_required
@require_POST
def member_promote(request: HttpRequest, pk: int, membership_id: int) -> HttpResponse:
    return _member_action(
        request, pk, membership_id, promote_member, _("%(name)s is now a co-organiser.")
    )


@login_required
@require_POST
def step_down(request: HttpRequest, pk: int) -> HttpResponse:
    grievance = reachable_grievance(request, pk)
    membership = membership_of(request.user, grievance)
    if membership is None:
        messages.info(request, _("You are not a member of this grievance."))
        return redirect(grievance)
    try:
        step_down_as_organiser(membership, actor=request.user)
    except ActionRefused as exc:
        messages.error(request, exc.message)
    else:
        messages.success(request, _("You are no longer an organiser; you stay a member."))
    return redirect(reverse("coalition:grievance_detail", args=[grievance.pk]) + "#members")
