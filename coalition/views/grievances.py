"""The home page, the grievance list and search, one grievance's page, and what its organisers
(and staff) do with it."""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_POST

from coalition.actions.grievances import (
    create_grievance,
    hide_grievance,
    merge_grievances,
    set_grievance_state,
    update_grievance,
)
from coalition.cache import LISTS, cached_page, grievance_scope
from coalition.categories import checklist_for
from coalition.errors import ActionRefused
from coalition.forms.grievances import (
    GrievanceCreateForm,
    GrievanceEditForm,
    GrievanceFilterForm,
    HideForm,
    MergeForm,
)
from coalition.models import Grievance
from coalition.pages.grievances import (
    TIMELINE_PREVIEW,
    home_tiles,
    next_states,
    organised_grievance,
    share_key,
    share_url,
    timeline_rows,
    with_key,
)
from coalition.pages.sections import render_sections
from coalition.queries.grievances import (
    filtered_grievances,
    listed_grievances,
    merge_candidates,
    reachable_grievances,
    similar_grievances,
    with_member_count,
)
from coalition.queries.memberships import (
    AGGREGATE_MIN_CONTRIBUTORS,
    aggregates,
    can_organise,
    member_summary,
    membership_of,
    verification_queue,
    visible_members,
)
from coalition.queries.search import closest_grievances
from coalition.queries.sellers import is_staff
from coalition.queries.tallies import public_aggregates
from coalition.queries.timeline import grievance_timeline
from coalition.rules.integers import parse_id
from coalition.views.common import refuse

PAGE_SIZE = 20
MEMBER_PREVIEW = 50  # consenting members named to a member on the grievance page
QUEUE_PREVIEW = 10  # members waiting for verification shown to organisers on the grievance page


HOME_TOP = 5


# --- home and lists ------------------------------------------------------------------------


@cached_page(lambda request: [LISTS])
def home(request: HttpRequest) -> HttpResponse:
    listed = listed_grievances(request.user).filter(
        state=Grievance.State.OPEN, visibility=Grievance.Visibility.PUBLIC
    )
    top = with_member_count(listed).order_by("-member_count", "-created_at")[:HOME_TOP]
    return render(request, "coalition/home.html", {"top": list(top), "tiles": home_tiles(listed)})


@cached_page(lambda request: [LISTS])
def grievance_list(request: HttpRequest) -> HttpResponse:
    form = GrievanceFilterForm(request.GET or None)
    filters: dict[str, Any] = {}
    if form.is_bound:
        form.is_valid()  # keep whatever filters are valid; a stale platform slug is just ignored
        filters = {k: v for k, v in form.cleaned_data.items() if v}
    qs = with_member_count(filtered_grievances(listed_grievances(request.user), filters))
    # A search lists the best match first; the plain list, the coalitions sellers join most.
    ranked = ("-search_rank",) if filters.get("q") else ()
    qs = qs.order_by(*ranked, "-member_count", "-created_at", "-pk")
    page = Paginator(qs, PAGE_SIZE).get_page(request.GET.get("page"))
    closest: list[Grievance] = []
    if filters.get("q") and not page.object_list:
        # Before "register a new one": what exists that comes closest, under the same filters.
        unsearched = filtered_grievances(listed_grievances(request.user), {**filters, "q": ""})
        closest = closest_grievances(with_member_count(unsearched), filters["q"])
    return render(
        request,
        "coalition/grievance_list.html",
        {
            "form": form,
            "page_obj": page,
            "grievances": page.object_list,
            "filtered": bool(filters),
            "closest": closest,
        },
    )


@require_GET
def similar(request: HttpRequest) -> JsonResponse:
    """Open grievances like the title being typed, for the create form's live suggestions."""
    platform = request.GET.get("platform", "")
    title = request.GET.get("title", "")[:160]
    found = similar_grievances(parse_id(platform), title, user=request.user)
    return JsonResponse(
        {
            "results": [
                {
                    "title": g.title,
                    "url": g.get_absolute_url(),
                    "member_count": g.member_count,
                    "category": str(g.get_category_display()),
                }
                for g in found
            ]
        }
    )


# --- one grievance -------------------------------------------------------------------------


@cached_page(lambda request, pk: [grievance_scope(pk)])
def grievance_detail(request: HttpRequest, pk: int) -> HttpResponse:
    grievance = get_object_or_404(
        reachable_grievances(request.user, share_key(request)).select_related("merged_into"),
        pk=pk,
    )
    if grievance.state == Grievance.State.MERGED and grievance.merged_into_id:
        messages.info(
            request,
            _("“%(old)s” was merged into this grievance; its members are here now.")
            % {"old": grievance.title},
        )
        return redirect(grievance.merged_into)
    membership = membership_of(request.user, grievance)
    organiser = can_organise(request.user, grievance, membership)
    # Organisers get a summary and the verification queue here, the full list on its own page;
    # members see the first names only: the page stays short at thousands of members.
    members = (
        []
        if organiser
        else list(visible_members(request.user, grievance, organiser=False)[:MEMBER_PREVIEW])
    )
    context = {
        "grievance": grievance,
        "membership": membership,
        "organiser": organiser,
        "join_url": with_key(reverse("coalition:join", args=[grievance.pk]), share_key(request)),
        "share_url": share_url(request, grievance, membership),
        "is_staff": is_staff(request.user),
        # Organisers' exact figures are summed now; everyone else reads the kept ones.
        "agg": aggregates(grievance, organiser=True) if organiser else public_aggregates(grievance),
        "min_contributors": AGGREGATE_MIN_CONTRIBUTORS,
        "checklist": checklist_for(grievance.category),
        "members": members,
        "member_preview": MEMBER_PREVIEW,
        "member_summary": member_summary(grievance) if organiser else None,
        "verification_queue": list(verification_queue(grievance)[:QUEUE_PREVIEW])
        if organiser
        else [],
        "events": timeline_rows(
            grievance,
            grievance_timeline(grievance)[:TIMELINE_PREVIEW],
            organiser=organiser,
            member=membership is not None,
        ),
        "next_states": next_states(grievance) if organiser else [],
    }
    context["sections"] = render_sections(request, context)
    return render(request, "coalition/grievance_detail.html", context)


@login_required
def grievance_create(request: HttpRequest) -> HttpResponse:
    prefill = {k: request.GET[k] for k in ("platform", "category", "title") if request.GET.get(k)}
    form = GrievanceCreateForm(request.POST or None, initial=prefill)
    similar_found: list[Grievance] = []
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        # Without JavaScript the suggestions come here, before saving: coalitions should grow,
        # not split, so a new grievance needs the seller to say none of these is theirs.
        if not data["confirm_new"]:
            similar_found = similar_grievances(
                data["platform"], data["title"], data["summary"], user=request.user
            )
            if similar_found and request.POST.get("seen_similar"):
                form.add_error(
                    "confirm_new",
                    _("Join one of these, or tick this box if none of them is your case."),
                )
        if not similar_found:
            fields = {
                k: data[k]
                for k in (
                    "platform",
                    "category",
                    "title",
                    "summary",
                    "demands",
                    "visibility",
                    "infraction_date",
                )
            }
            try:
                grievance = create_grievance(actor=request.user, **fields)
            except ActionRefused as exc:
                refuse(form, exc)
            else:
                messages.success(
                    request,
                    _(
                        "Your grievance is registered and you are its organiser. Share its link with sellers it happened to."
                    ),
                )
                return redirect(grievance)
    return render(
        request, "coalition/grievance_create.html", {"form": form, "similar": similar_found}
    )


@login_required
def grievance_edit(request: HttpRequest, pk: int) -> HttpResponse:
    grievance = organised_grievance(request, pk)
    initial = {
        f: getattr(grievance, f)
        for f in (
            "category",
            "title",
            "summary",
            "demands",
            "rung",
            "visibility",
            "infraction_date",
            "auto_rounds",
        )
    }
    form = GrievanceEditForm(request.POST or None, initial=initial)
    if request.method == "POST" and form.is_valid():
        try:
            update_grievance(grievance, actor=request.user, **form.cleaned_data)
        except ActionRefused as exc:
            refuse(form, exc)
        else:
            messages.success(request, _("Your changes are saved."))
            return redirect(grievance)
    return render(request, "coalition/grievance_edit.html", {"form": form, "grievance": grievance})


@login_required
@require_POST
def grievance_state(request: HttpRequest, pk: int) -> HttpResponse:
    grievance = organised_grievance(request, pk)
    state = request.POST.get("state", "")
    if state not in Grievance.State.values:
        messages.error(request, _("Choose what should happen to the grievance."))
        return redirect(grievance)
    try:
        set_grievance_state(grievance, state, actor=request.user)
    except ActionRefused as exc:
        messages.error(request, exc.message)
    else:
        messages.success(
            request,
            _("The grievance is now: %(state)s.") % {"state": grievance.get_state_display()},
        )
    return redirect(grievance)


@login_required
def grievance_merge(request: HttpRequest, pk: int) -> HttpResponse:
    grievance = organised_grievance(request, pk)
    if grievance.state == Grievance.State.MERGED:
        messages.info(request, _("This grievance was already merged."))
        return redirect(grievance)
    form = MergeForm(request.POST or None, candidates=merge_candidates(request.user, grievance))
    if request.method == "POST" and form.is_valid():
        try:
            into = merge_grievances(grievance, into=form.cleaned_data["into"], actor=request.user)
        except ActionRefused as exc:
            refuse(form, exc)
        else:
            messages.success(
                request,
                _("Merged. The members of “%(old)s” are now in this grievance.")
                % {"old": grievance.title},
            )
            return redirect(into)
    return render(request, "coalition/grievance_merge.html", {"form": form, "grievance": grievance})


@login_required
@require_POST
def grievance_hide(request: HttpRequest, pk: int) -> HttpResponse:
    if not is_staff(request.user):
        raise PermissionDenied
    grievance = get_object_or_404(Grievance, pk=pk)
    form = HideForm(request.POST)
    reason = form.cleaned_data.get("reason", "") if form.is_valid() else ""
    hide = request.POST.get("hidden", "1") != "0"
    hide_grievance(grievance, actor=request.user, reason=reason, hidden=hide)
    messages.success(
        request,
        _("The grievance is hidden from everyone but its members and staff.")
        if hide
        else _("The grievance is visible again."),
    )
    return redirect(grievance)
