"""Coalition web pages: server-rendered, and every one works without JavaScript.

Each view finds what the viewer may see through coalition.queries (404 for what they may not
know exists) and makes every change through coalition.actions; an ActionRefused becomes an
error next to the form field it names, or an error message.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from functools import wraps
from typing import Any

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.db.models import Count, Q, QuerySet
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import translation
from django.utils.http import url_has_allowed_host_and_scheme, urlencode
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_GET, require_http_methods, require_POST
from django.views.i18n import set_language as django_set_language
from django_ratelimit.decorators import ratelimit
from django_ratelimit.exceptions import Ratelimited

from coalition import actions, queries
from coalition.categories import Category, checklist_for
from coalition.errors import ActionRefused
from coalition.forms import (
    COMMON_CURRENCIES,
    CaseForm,
    GrievanceCreateForm,
    GrievanceEditForm,
    GrievanceFilterForm,
    HideForm,
    MergeForm,
    ProfileForm,
    StoreForm,
)
from coalition.models import Grievance, Membership
from coalition.timeline import describe, grievance_timeline

PAGE_SIZE = 20
HOME_TOP = 5
TIMELINE_LIMIT = 50

# One plain sentence per category for the home page's "What happened to you?" tiles.
CATEGORY_HINTS = {
    Category.IP_CLAIM_AGAINST_SELLER: gettext_lazy(
        "A rights owner complained about your listings and the platform took them down or suspended your store."
    ),
    Category.COUNTERFEIT_INFRINGER: gettext_lazy(
        "Other stores copy your products or brand and the platform does nothing."
    ),
    Category.REFUND_DISPUTE: gettext_lazy(
        "Buyers were refunded at your cost without a clear reason."
    ),
    Category.FUNDS_WITHHELD: gettext_lazy("Your payouts are frozen or held back."),
    Category.DUPLICATE_LISTING: gettext_lazy("Your store was suspended for duplicate listings."),
    Category.ACCOUNT_LINKING: gettext_lazy(
        "Your store was tied to another account by device, network or IP, and closed."
    ),
    Category.FULFILMENT_PERFORMANCE: gettext_lazy(
        "Late shipments, refund or fulfilment rates led to a penalty or suspension."
    ),
    Category.OFF_PLATFORM: gettext_lazy("You were accused of steering buyers off the platform."),
    Category.MISLEADING_AUTHORIZATION: gettext_lazy(
        "Your brand authorisation was called false or misleading."
    ),
    Category.POLICY_CHANGE: gettext_lazy("The platform changed its rules without fair notice."),
    Category.OTHER: gettext_lazy("Something else the platform did to you."),
}


# --- extension point: extra sections on the grievance page ----------------------------------


@dataclass(frozen=True)
class GrievanceSection:
    """A block another app adds to the grievance page (appeals adds its rounds).

    `context(request, grievance=, membership=, organiser=)` returns the template's extra context
    (added to the page's own: grievance, membership, organiser, agg, members, ...), or None to
    leave the section out for this viewer. `slot` is "main" (after the demands) or "side" (after
    "Your part"); `replaces` names a built-in block the section supersedes — today only
    "checklist", the static evidence list. coalition never imports appeals, so appeals registers
    its sections from its AppConfig.ready().
    """

    template: str
    context: Callable[..., dict[str, Any] | None]
    order: int = 50
    slot: str = "main"
    replaces: str = ""


GRIEVANCE_SECTIONS: list[GrievanceSection] = []


def register_grievance_section(
    template: str,
    context: Callable[..., dict[str, Any] | None],
    *,
    order: int = 50,
    slot: str = "main",
    replaces: str = "",
) -> None:
    """Add a section to every grievance page; registering the same section twice is harmless."""
    if slot not in {"main", "side"}:
        raise ValueError(f"unknown grievance page slot {slot!r}")
    section = GrievanceSection(template, context, order, slot, replaces)
    if section not in GRIEVANCE_SECTIONS:
        GRIEVANCE_SECTIONS.append(section)
        GRIEVANCE_SECTIONS.sort(key=lambda s: s.order)


def _render_sections(request: HttpRequest, base: dict[str, Any]) -> dict[str, Any]:
    """{"main": [html, ...], "side": [...], "replaced": {"checklist", ...}} for this viewer."""
    rendered: dict[str, Any] = {"main": [], "side": [], "replaced": set()}
    for section in GRIEVANCE_SECTIONS:
        extra = section.context(
            request,
            grievance=base["grievance"],
            membership=base["membership"],
            organiser=base["organiser"],
        )
        if extra is None:
            continue
        html = render_to_string(section.template, {**base, **extra}, request=request)
        rendered[section.slot].append(html)
        if section.replaces:
            rendered["replaced"].add(section.replaces)
    return rendered


# --- helpers -------------------------------------------------------------------------------


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


def _refuse(form, exc: ActionRefused) -> None:
    """Show an action's refusal next to the field it names, else at the top of the form."""
    field = exc.field if exc.field in form.fields else None
    form.add_error(field, str(exc.message))


def _safe_next(request: HttpRequest) -> str:
    url = request.POST.get("next") or request.GET.get("next") or ""
    if url and url_has_allowed_host_and_scheme(
        url, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    ):
        return url
    return ""


def _reachable(request: HttpRequest, pk: int) -> Grievance:
    return get_object_or_404(queries.reachable_grievances(request.user, _share_key(request)), pk=pk)


def _with_key(url: str, key: str | None) -> str:
    return f"{url}?{urlencode({'key': key})}" if key else url


def _share_url(request: HttpRequest, grievance: Grievance, membership) -> str:
    """Members and staff can pass an unlisted grievance on; its link carries the share key."""
    if grievance.visibility != Grievance.Visibility.UNLISTED:
        return ""
    if membership is None and not queries.is_staff(request.user):
        return ""
    return _with_key(request.build_absolute_uri(grievance.get_absolute_url()), grievance.share_key)


def _share_key(request: HttpRequest) -> str | None:
    """An unlisted grievance's secret, carried in its share link as ?key=."""
    return request.GET.get("key") or None


def _organised(request: HttpRequest, pk: int) -> Grievance:
    """The grievance, for its organisers (and staff) only: 404 if unreachable, 403 otherwise."""
    grievance = _reachable(request, pk)
    if not queries.can_organise(request.user, grievance):
        raise PermissionDenied(_("Only the grievance's organisers can do this."))
    return grievance


def _member_name(membership: Membership) -> str:
    return membership.seller.display_name


# --- home and lists ------------------------------------------------------------------------


def home(request: HttpRequest) -> HttpResponse:
    listed = queries.listed_grievances(request.user).filter(
        state=Grievance.State.OPEN, visibility=Grievance.Visibility.PUBLIC
    )
    top = queries.with_member_count(listed).order_by("-member_count", "-created_at")[:HOME_TOP]
    open_counts = dict(listed.order_by().values_list("category").annotate(n=Count("id")))
    tiles = [
        {
            "value": c.value,
            "label": c.label,
            "hint": CATEGORY_HINTS.get(c, ""),
            "open": open_counts.get(c.value, 0),
        }
        for c in Category
    ]
    return render(request, "coalition/home.html", {"top": list(top), "tiles": tiles})


def _filtered(qs: QuerySet[Grievance], filters: dict[str, Any]) -> QuerySet[Grievance]:
    if filters.get("platform"):
        qs = qs.filter(platform=filters["platform"])
    if filters.get("category"):
        qs = qs.filter(category=filters["category"])
    if filters.get("state"):
        qs = qs.filter(state=filters["state"])
    return queries.search_grievances(qs, filters.get("q", ""))


def grievance_list(request: HttpRequest) -> HttpResponse:
    form = GrievanceFilterForm(request.GET or None)
    filters: dict[str, Any] = {}
    if form.is_bound:
        form.is_valid()  # keep whatever filters are valid; a stale platform slug is just ignored
        filters = {k: v for k, v in form.cleaned_data.items() if v}
    qs = queries.with_member_count(_filtered(queries.listed_grievances(request.user), filters))
    qs = qs.order_by("-member_count", "-created_at", "-pk")
    page = Paginator(qs, PAGE_SIZE).get_page(request.GET.get("page"))
    return render(
        request,
        "coalition/grievance_list.html",
        {
            "form": form,
            "page_obj": page,
            "grievances": page.object_list,
            "filtered": bool(filters),
        },
    )


@require_GET
def similar(request: HttpRequest) -> JsonResponse:
    """Open grievances like the title being typed, for the create form's live suggestions."""
    platform = request.GET.get("platform", "")
    title = request.GET.get("title", "")[:160]
    found = queries.similar_grievances(
        int(platform) if platform.isdigit() else None, title, user=request.user
    )
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


def grievance_detail(request: HttpRequest, pk: int) -> HttpResponse:
    grievance = get_object_or_404(
        queries.reachable_grievances(request.user, _share_key(request)).select_related(
            "merged_into"
        ),
        pk=pk,
    )
    if grievance.state == Grievance.State.MERGED and grievance.merged_into_id:
        messages.info(
            request,
            _("“%(old)s” was merged into this grievance; its members are here now.")
            % {"old": grievance.title},
        )
        return redirect(grievance.merged_into)
    membership = queries.membership_of(request.user, grievance)
    organiser = queries.can_organise(request.user, grievance, membership)
    members = list(queries.visible_members(request.user, grievance, organiser=organiser))
    context = {
        "grievance": grievance,
        "membership": membership,
        "organiser": organiser,
        "join_url": _with_key(reverse("coalition:join", args=[grievance.pk]), _share_key(request)),
        "share_url": _share_url(request, grievance, membership),
        "is_staff": queries.is_staff(request.user),
        "agg": queries.aggregates(grievance, organiser=organiser),
        "min_contributors": queries.AGGREGATE_MIN_CONTRIBUTORS,
        "checklist": checklist_for(grievance.category),
        "members": members,
        "events": _timeline(grievance, members, organiser),
        "next_states": _next_states(grievance) if organiser else [],
    }
    context["sections"] = _render_sections(request, context)
    return render(request, "coalition/grievance_detail.html", context)


def _timeline(
    grievance: Grievance, members: list[Membership], organiser: bool
) -> list[dict[str, Any]]:
    """Events with who did them. Names follow the member list's rule (DESIGN.md §5): everyone
    for organisers, consenting members for members; anyone else reads "A member" or
    "An organiser"."""
    named = {m.seller_id for m in members}
    organisers = set(grievance.memberships.organisers().values_list("seller_id", flat=True))
    events = grievance_timeline(grievance)[:TIMELINE_LIMIT]
    return [
        {
            "event": e,
            "label": describe(e),
            "actor": _actor_name(e.actor, named, organisers, organiser),
        }
        for e in events
    ]


def _actor_name(user, named: set[int], organisers: set[int], organiser: bool) -> str:
    if user is None:
        return _("Coalition")
    seller = getattr(user, "seller", None)
    if seller is not None and (organiser or seller.pk in named):
        return seller.display_name
    if seller is not None and seller.pk in organisers:
        return _("An organiser")
    if user.is_staff:
        return _("Coalition staff")
    return _("A member")


def _next_states(grievance: Grievance) -> list[dict[str, str]]:
    labels = {
        Grievance.State.RESOLVED: _("Mark resolved"),
        Grievance.State.CLOSED: _("Close"),
        Grievance.State.OPEN: _("Reopen"),
    }
    moves = actions.GRIEVANCE_MOVES.get(grievance.state, set())
    return [{"state": s.value, "label": labels[s]} for s in labels if s in moves]


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
            similar_found = queries.similar_grievances(
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
                grievance = actions.create_grievance(actor=request.user, **fields)
            except ActionRefused as exc:
                _refuse(form, exc)
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
    grievance = _organised(request, pk)
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
            actions.update_grievance(grievance, actor=request.user, **form.cleaned_data)
        except ActionRefused as exc:
            _refuse(form, exc)
        else:
            messages.success(request, _("Your changes are saved."))
            return redirect(grievance)
    return render(request, "coalition/grievance_edit.html", {"form": form, "grievance": grievance})


@login_required
@require_POST
def grievance_state(request: HttpRequest, pk: int) -> HttpResponse:
    grievance = _organised(request, pk)
    state = request.POST.get("state", "")
    if state not in Grievance.State.values:
        messages.error(request, _("Choose what should happen to the grievance."))
        return redirect(grievance)
    try:
        actions.set_grievance_state(grievance, state, actor=request.user)
    except ActionRefused as exc:
        messages.error(request, exc.message)
    else:
        messages.success(
            request,
            _("The grievance is now: %(state)s.") % {"state": grievance.get_state_display()},
        )
    return redirect(grievance)


def _merge_candidates(user, grievance: Grievance) -> QuerySet[Grievance]:
    """Open grievances on the same platform that this user organises too (staff: all)."""
    qs = Grievance.objects.filter(
        platform_id=grievance.platform_id, state=Grievance.State.OPEN, hidden=False
    )
    qs = qs.exclude(pk=grievance.pk)
    if not queries.is_staff(user):
        seller = queries.seller_of(user)
        qs = qs.filter(
            pk__in=Membership.objects.organisers().filter(seller=seller).values("grievance_id")
        )
    return queries.with_member_count(qs).order_by("title")


@login_required
def grievance_merge(request: HttpRequest, pk: int) -> HttpResponse:
    grievance = _organised(request, pk)
    if grievance.state == Grievance.State.MERGED:
        messages.info(request, _("This grievance was already merged."))
        return redirect(grievance)
    form = MergeForm(request.POST or None, candidates=_merge_candidates(request.user, grievance))
    if request.method == "POST" and form.is_valid():
        try:
            into = actions.merge_grievances(
                grievance, into=form.cleaned_data["into"], actor=request.user
            )
        except ActionRefused as exc:
            _refuse(form, exc)
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
    if not queries.is_staff(request.user):
        raise PermissionDenied
    grievance = get_object_or_404(Grievance, pk=pk)
    form = HideForm(request.POST)
    reason = form.cleaned_data.get("reason", "") if form.is_valid() else ""
    hide = request.POST.get("hidden", "1") != "0"
    actions.hide_grievance(grievance, actor=request.user, reason=reason, hidden=hide)
    messages.success(
        request,
        _("The grievance is hidden from everyone but its members and staff.")
        if hide
        else _("The grievance is visible again."),
    )
    return redirect(grievance)


# --- membership ----------------------------------------------------------------------------


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
            "min_contributors": queries.AGGREGATE_MIN_CONTRIBUTORS,
        },
    )


def _stores_for(request: HttpRequest, grievance: Grievance):
    return queries.own_stores(request.user).filter(platform_id=grievance.platform_id)


@login_required
@rate_limited("30/h")
@require_http_methods(["GET", "POST"])
def join(request: HttpRequest, pk: int) -> HttpResponse:
    grievance = _reachable(request, pk)
    if queries.membership_of(request.user, grievance) is not None:
        messages.info(request, _("You are already a member. You can update your case here."))
        return redirect("coalition:case_edit", pk=grievance.pk)
    if not grievance.is_open:
        messages.error(request, _("This grievance is not open for new members."))
        return redirect(grievance)
    # Someone who left and comes back finds their earlier case filled in.
    earlier = Membership.objects.filter(grievance=grievance, seller__user=request.user).first()
    initial = CaseForm.initial_from(earlier) if earlier else {"currency": "USD"}
    form = CaseForm(request.POST or None, stores=_stores_for(request, grievance), initial=initial)
    if request.method == "POST" and form.is_valid():
        try:
            actions.join_grievance(grievance, actor=request.user, **form.case())
        except ActionRefused as exc:
            _refuse(form, exc)
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
    grievance = _reachable(request, pk)
    membership = queries.membership_of(request.user, grievance)
    if membership is None:
        return redirect("coalition:join", pk=grievance.pk)
    form = CaseForm(
        request.POST or None,
        stores=_stores_for(request, grievance),
        initial=CaseForm.initial_from(membership),
    )
    if request.method == "POST" and form.is_valid():
        try:
            actions.update_case(membership, actor=request.user, **form.case())
        except ActionRefused as exc:
            _refuse(form, exc)
        else:
            messages.success(request, _("Your case is updated."))
            return redirect(grievance)
    return _case_page(request, grievance, form, "edit")


@login_required
@require_http_methods(["GET", "POST"])
def leave(request: HttpRequest, pk: int) -> HttpResponse:
    grievance = _reachable(request, pk)
    membership = queries.membership_of(request.user, grievance)
    if membership is None:
        messages.info(request, _("You are not a member of this grievance."))
        return redirect(grievance)
    if request.method == "POST":
        try:
            actions.leave_grievance(grievance, actor=request.user)
        except ActionRefused as exc:
            messages.error(request, exc.message)
            return redirect(reverse("coalition:grievance_detail", args=[grievance.pk]) + "#members")
        messages.success(
            request,
            _("You left “%(title)s”. You can join again at any time.") % {"title": grievance.title},
        )
        if grievance.hidden and not queries.is_staff(request.user):
            return redirect("coalition:grievance_list")
        return redirect(grievance)
    return render(
        request, "coalition/leave_confirm.html", {"grievance": grievance, "membership": membership}
    )


def _member_action(
    request: HttpRequest, pk: int, membership_id: int, action, success: str
) -> HttpResponse:
    grievance = _organised(request, pk)
    target = get_object_or_404(
        grievance.memberships.active().select_related("seller"), pk=membership_id
    )
    try:
        action(target, actor=request.user)
    except ActionRefused as exc:
        messages.error(request, exc.message)
    else:
        messages.success(request, success % {"name": _member_name(target)})
    return redirect(reverse("coalition:grievance_detail", args=[grievance.pk]) + "#members")


@login_required
@require_POST
def member_verify(request: HttpRequest, pk: int, membership_id: int) -> HttpResponse:
    return _member_action(
        request, pk, membership_id, actions.verify_member, _("%(name)s is verified.")
    )


@login_required
@require_POST
def member_promote(request: HttpRequest, pk: int, membership_id: int) -> HttpResponse:
    return _member_action(
        request, pk, membership_id, actions.promote_member, _("%(name)s is now a co-organiser.")
    )


@login_required
@require_POST
def step_down(request: HttpRequest, pk: int) -> HttpResponse:
    grievance = _reachable(request, pk)
    membership = queries.membership_of(request.user, grievance)
    if membership is None:
        messages.info(request, _("You are not a member of this grievance."))
        return redirect(grievance)
    try:
        actions.step_down(membership, actor=request.user)
    except ActionRefused as exc:
        messages.error(request, exc.message)
    else:
        messages.success(request, _("You are no longer an organiser; you stay a member."))
    return redirect(reverse("coalition:grievance_detail", args=[grievance.pk]) + "#members")


# --- stores --------------------------------------------------------------------------------


@login_required
def store_list(request: HttpRequest) -> HttpResponse:
    in_use = Count("memberships", filter=~Q(memberships__state=Membership.State.WITHDRAWN))
    stores = (
        queries.own_stores(request.user)
        .annotate(grievance_count=in_use)
        .order_by("platform__name", "name")
    )
    return render(request, "coalition/store_list.html", {"stores": stores})


@login_required
def store_create(request: HttpRequest) -> HttpResponse:
    platform = request.GET.get("platform", "")
    form = StoreForm(
        request.POST or None, initial={"platform": platform} if platform.isdigit() else {}
    )
    next_url = _safe_next(request)
    if request.method == "POST" and form.is_valid():
        try:
            store = actions.create_store(actor=request.user, **form.cleaned_data)
        except ActionRefused as exc:
            _refuse(form, exc)
        else:
            messages.success(request, _("Your store “%(name)s” is added.") % {"name": store.name})
            return redirect(next_url or "coalition:store_list")
    return render(
        request, "coalition/store_form.html", {"form": form, "next": next_url, "store": None}
    )


@login_required
def store_edit(request: HttpRequest, pk: int) -> HttpResponse:
    store = get_object_or_404(queries.own_stores(request.user), pk=pk)
    form = StoreForm(request.POST or None, initial=StoreForm.initial_from(store))
    if request.method == "POST" and form.is_valid():
        try:
            actions.update_store(store, actor=request.user, **form.cleaned_data)
        except ActionRefused as exc:
            _refuse(form, exc)
        else:
            messages.success(request, _("Your store is saved."))
            return redirect("coalition:store_list")
    return render(request, "coalition/store_form.html", {"form": form, "store": store, "next": ""})


@login_required
@require_http_methods(["GET", "POST"])
def store_delete(request: HttpRequest, pk: int) -> HttpResponse:
    store = get_object_or_404(queries.own_stores(request.user), pk=pk)
    if request.method == "POST":
        actions.delete_store(store, actor=request.user)
        messages.success(request, _("The store “%(name)s” is removed.") % {"name": store.name})
        return redirect("coalition:store_list")
    in_use = store.memberships.active().count()
    return render(
        request, "coalition/store_confirm_delete.html", {"store": store, "in_use": in_use}
    )


# --- account -------------------------------------------------------------------------------


@login_required
def profile(request: HttpRequest) -> HttpResponse:
    seller = actions.ensure_seller(request.user)
    form = ProfileForm(request.POST or None, initial=ProfileForm.initial_from(seller))
    if request.method == "POST" and form.is_valid():
        actions.update_profile(seller, actor=request.user, **form.cleaned_data)
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


def ratelimited(request, exception=None):
    """django-ratelimit sends refused requests here (RATELIMIT_VIEW)."""
    message = _("Too many requests. Please wait a moment and try again.")
    if request.path.startswith("/api/"):
        return JsonResponse({"detail": message, "errors": {}, "code": "throttled"}, status=429)
    return render(request, "coalition/ratelimited.html", {"message": message}, status=429)


def set_language(request):
    """Django's language switch, also saved on the seller's profile when signed in."""
    response = django_set_language(request)
    lang = request.POST.get("language")
    if request.method == "POST" and request.user.is_authenticated and lang in {"en", "zh-hans"}:
        seller = actions.ensure_seller(request.user)
        actions.update_profile(seller, actor=request.user, language=lang)
    return response
