"""The member list of a grievance for its organisers: search, filters, paging and the bulk
actions (verify, remind to sign). The grievance page shows only a summary."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.utils.translation import ngettext
from django.views.decorators.http import require_POST

from appeals.actions.organising import remind_members
from appeals.forms.members import BulkMembersForm, MemberFilterForm
from appeals.pages.members import PAGE_SIZE, member_rows
from appeals.queries.members import member_list as members_of
from coalition.actions.memberships import verify_members
from coalition.errors import ActionRefused
from coalition.pages.grievances import organised_grievance
from coalition.queries.memberships import member_summary


@login_required
def member_list(request: HttpRequest, pk: int) -> HttpResponse:
    grievance = organised_grievance(request, pk)
    form = MemberFilterForm(request.GET or None)
    context = {"grievance": grievance, "form": form, "rows": [], "page_obj": None}
    if form.is_bound and not form.is_valid():
        # Never an unfiltered list for a filter that did not apply: say which value is wrong.
        return render(request, "appeals/members.html", context, status=400)
    filters = form.cleaned_data if form.is_bound else {}
    page = Paginator(members_of(grievance, filters), PAGE_SIZE).get_page(request.GET.get("page"))
    context.update(
        page_obj=page,
        rows=member_rows(page),
        summary=member_summary(grievance),
        filtered=any(v for k, v in filters.items()),
        here=request.get_full_path(),
    )
    return render(request, "appeals/members.html", context)


@login_required
@require_POST
def member_bulk(request: HttpRequest, pk: int) -> HttpResponse:
    grievance = organised_grievance(request, pk)
    form = BulkMembersForm(request.POST)
    back = request.POST.get("next", "")
    if not url_has_allowed_host_and_scheme(back, {request.get_host()}, request.is_secure()):
        back = reverse("appeals:member_list", args=[grievance.pk])
    if not form.is_valid():
        for errors in form.errors.values():
            for error in errors:
                messages.error(request, error)
        return redirect(back)
    ids = form.cleaned_data["members"]
    try:
        if form.cleaned_data["action"] == "verify":
            n = verify_members(grievance, ids, actor=request.user)
            text = ngettext("%(n)s member verified.", "%(n)s members verified.", n)
        else:
            n = remind_members(grievance, ids, actor=request.user)
            text = ngettext("%(n)s member reminded to sign.", "%(n)s members reminded to sign.", n)
    except ActionRefused as exc:
        messages.error(request, exc.message)
    else:
        messages.success(request, text % {"n": n} if n else _("Nothing to do for these members."))
    return redirect(back)
