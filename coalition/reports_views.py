"""Pages for infringement reports (the public form, the watcher's confirmation and status links,
the organisers' review), coupon offers, and store health checks.

Like coalition/views.py: what a viewer may see comes from a scoped queryset (404 for what they may
not know exists), and every change goes through coalition/reports.py or coalition/health.py.
"""

from __future__ import annotations

from functools import wraps
from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.db.models import Count, Prefetch, Q
from django.http import FileResponse, Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import translation
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST
from django_ratelimit.decorators import ratelimit
from django_ratelimit.exceptions import Ratelimited

from coalition import health, reports
from coalition.errors import ActionRefused
from coalition.models import Coupon, CouponOffer, HealthCheck, InfringementReport, ReportScreenshot
from coalition.queries import own_stores, seller_of
from coalition.reports_forms import (
    BrandLinkForm,
    CouponOfferForm,
    HealthCheckForm,
    HealthImportForm,
    ReportForm,
    ReviewFilterForm,
    ReviewForm,
)
from coalition.views import ratelimited

PAGE_SIZE = 20
HISTORY_LIMIT = 24  # periods shown in a store's history and chart
MAPPING_SESSION_KEY = "health_csv_mapping"


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


def _refuse(form, exc: ActionRefused) -> None:
    field = exc.field if exc.field in form.fields else None
    form.add_error(field, str(exc.message))


def _private(response: HttpResponse) -> HttpResponse:
    # Pages reached through a private token: never indexed, and the token never leaves the site as
    # a referrer ("same-origin", not "no-referrer": that would send "Origin: null" with the page's
    # own form and fail the CSRF check).
    response["Referrer-Policy"] = "same-origin"
    response["X-Robots-Tag"] = "noindex, nofollow"
    response["Cache-Control"] = "private, no-store"
    return response


# --- the public report form ----------------------------------------------------------------


@public_form_limit
@require_http_methods(["GET", "POST"])
def report_new(request: HttpRequest) -> HttpResponse:
    token = request.POST.get("brand_token") or request.GET.get("brand") or ""
    brand = reports.read_brand_token(token) if token else None
    if token and brand is None:
        raise Http404(_("This report link is not valid."))
    initial = {}
    if request.GET.get("grievance", "").isdigit():
        initial["grievance"] = int(request.GET["grievance"])
    form = ReportForm(
        request.POST or None, request.FILES or None, user=request.user, brand=brand, initial=initial
    )
    if request.method == "POST" and form.is_valid():
        try:
            report = reports.submit_report(
                actor=request.user, language=translation.get_language(), **form.report_fields()
            )
        except ActionRefused as exc:
            _refuse(form, exc)
        else:
            if report.counts:
                messages.success(
                    request, _("Thank you. Your report is in and the organisers will review it.")
                )
            else:
                messages.success(
                    request,
                    _(
                        "Almost done: we emailed you a link. Your report counts once you "
                        "confirm your email address."
                    ),
                )
            return redirect("coalition:report_status", token=report.status_token)
    no_target = brand is None and not form.fields["grievance"].queryset.exists()
    return render(
        request,
        "coalition/reports/report_form.html",
        {
            "form": form,
            "brand": brand,
            "brand_token": token if brand else "",
            "no_target": no_target,
        },
    )


@require_http_methods(["GET", "POST"])
def report_confirm(request: HttpRequest, token: str) -> HttpResponse:
    """The email's link shows a button; only the POST confirms, so mail scanners that open
    links cannot confirm a report on the watcher's behalf."""
    report = InfringementReport.objects.filter(confirm_token=token).first()
    if report is None:
        raise Http404(_("This confirmation link is not valid."))
    error = ""
    if request.method == "POST" or report.counts:
        try:
            report = reports.confirm_watcher_email(token)
        except ActionRefused as exc:
            error = str(exc.message)
        else:
            if request.method == "POST":
                messages.success(
                    request, _("Thank you: your email address is confirmed and your report counts.")
                )
            return redirect("coalition:report_status", token=report.status_token)
    return _private(
        render(request, "coalition/reports/report_confirm.html", {"report": report, "error": error})
    )


def report_status(request: HttpRequest, token: str) -> HttpResponse:
    status = reports.report_status(token)
    if status is None:
        raise Http404(_("This status link is not valid."))
    return _private(
        render(
            request,
            "coalition/reports/report_status.html",
            {"status": status, "report": status.report},
        )
    )


# --- review --------------------------------------------------------------------------------


def _reviewable(request: HttpRequest):
    return reports.reviewable_reports(request.user).select_related(
        "grievance", "platform", "brand_owner"
    )


@login_required
def report_review(request: HttpRequest) -> HttpResponse:
    form = ReviewFilterForm(request.GET or {"state": InfringementReport.State.NEW})
    qs = _reviewable(request).annotate(screenshot_count=Count("screenshots"))
    if form.is_valid():
        if form.cleaned_data.get("state"):
            qs = qs.filter(state=form.cleaned_data["state"])
        if form.cleaned_data.get("grievance"):
            qs = qs.filter(grievance_id=form.cleaned_data["grievance"])
    page = Paginator(qs.order_by("-created_at", "-pk"), PAGE_SIZE).get_page(request.GET.get("page"))
    waiting = (
        reports.reviewable_reports(request.user).filter(state=InfringementReport.State.NEW).count()
    )
    return render(
        request,
        "coalition/reports/review_list.html",
        {
            "form": form,
            "page_obj": page,
            "reports": page.object_list,
            "waiting": waiting,
            "state": form.cleaned_data.get("state", "") if form.is_valid() else "",
        },
    )


@login_required
def report_review_detail(request: HttpRequest, pk: int) -> HttpResponse:
    report = get_object_or_404(
        _reviewable(request).select_related("reporter_membership__seller", "duplicate_of"), pk=pk
    )
    return _review_page(request, report, ReviewForm())


def _review_page(
    request: HttpRequest, report: InfringementReport, form: ReviewForm, status: int = 200
) -> HttpResponse:
    return render(
        request,
        "coalition/reports/review_detail.html",
        {
            "report": report,
            "form": form,
            "screenshots": list(report.screenshots.all()),
            "duplicates": list(reports.duplicates_of(report)),
            "coupon": Coupon.objects.select_related("offer__store")
            .filter(issued_to_report=report)
            .first(),
            "pool_left": reports.pool_for(report).count() if report.from_watcher else None,
        },
        status=status,
    )


def _decide(request: HttpRequest, pk: int, decision: str) -> HttpResponse:
    report = get_object_or_404(_reviewable(request), pk=pk)
    form = ReviewForm(request.POST)
    if not form.is_valid():
        return _review_page(request, report, form, status=400)
    try:
        result = reports.review_report(
            report, actor=request.user, decision=decision, reason=form.cleaned_data["reason"]
        )
    except ActionRefused as exc:
        _refuse(form, exc)
        return _review_page(request, report, form, status=400)
    messages.success(request, _review_message(result, decision))
    return redirect("coalition:report_review_detail", pk=report.pk)


def _review_message(result: reports.ReviewResult, decision: str) -> str:
    if decision == reports.Decision.REJECT:
        return _("The report is rejected. The watcher sees your reason on their status page.")
    parts = [_("The report is confirmed.")]
    if result.report.duplicate_of_id:
        parts.append(
            _(
                "Its listing was already reported, so it is linked to that report and not counted twice."
            )
        )
    if result.evidence:
        parts.append(_("Its screenshots are now in the grievance's evidence."))
    if result.coupon is not None:
        parts.append(_("The watcher gets a coupon by email."))
    elif result.coupon_owed:
        parts.append(
            _("The reward pool is empty, so the watcher gets no coupon until a member offers more.")
        )
    return " ".join(parts)


@login_required
@require_POST
def report_review_confirm(request: HttpRequest, pk: int) -> HttpResponse:
    return _decide(request, pk, reports.Decision.CONFIRM)


@login_required
@require_POST
def report_review_reject(request: HttpRequest, pk: int) -> HttpResponse:
    return _decide(request, pk, reports.Decision.REJECT)


@login_required
def report_screenshot(request: HttpRequest, pk: int, shot: int) -> FileResponse:
    report = get_object_or_404(reports.reviewable_reports(request.user), pk=pk)
    screenshot = get_object_or_404(ReportScreenshot, pk=shot, report=report)
    response = FileResponse(screenshot.file.open("rb"), content_type=screenshot.content_type)
    response["Content-Disposition"] = "inline"
    response["X-Content-Type-Options"] = "nosniff"
    response["Cache-Control"] = "private, no-store"
    return response


# --- coupon offers -------------------------------------------------------------------------


@login_required
@require_http_methods(["GET", "POST"])
def coupon_offers(request: HttpRequest) -> HttpResponse:
    form = CouponOfferForm(request.POST or None, user=request.user)
    if request.method == "POST" and form.is_valid():
        d = form.cleaned_data
        try:
            offer = reports.offer_coupons(
                d["membership"],
                actor=request.user,
                store=d["store"],
                discount=d["discount"],
                expires_on=d["expires_on"],
                quantity=d.get("quantity"),
                codes=d["codes"],
            )
        except ActionRefused as exc:
            _refuse(form, exc)
        else:
            messages.success(
                request,
                _("Thank you: %(n)s coupons are in the reward pool.") % {"n": offer.quantity},
            )
            return redirect("coalition:coupon_offers")
    seller = seller_of(request.user)
    offers = (
        CouponOffer.objects.filter(membership__seller=seller)
        .select_related("membership__grievance", "store__platform")
        .annotate(issued=Count("coupons", filter=Q(coupons__issued_to_report__isnull=False)))
        .prefetch_related(Prefetch("coupons", queryset=Coupon.objects.order_by("pk")))
        .order_by("-created_at", "-pk")
    )
    brand_form = BrandLinkForm(request.GET if "brand" in request.GET else None)
    brand_link = ""
    if seller is not None and brand_form.is_bound and brand_form.is_valid():
        token = reports.brand_link_token(seller, brand_form.cleaned_data["brand"])
        brand_link = request.build_absolute_uri(reverse("coalition:report_new") + f"?brand={token}")
    return render(
        request,
        "coalition/reports/coupon_offers.html",
        {
            "form": form,
            "offers": offers,
            "has_memberships": form.fields["membership"].queryset.exists(),
            "has_stores": form.fields["store"].queryset.exists(),
            "brand_form": brand_form,
            "brand_link": brand_link,
        },
    )


@login_required
@require_POST
def coupon_offer_withdraw(request: HttpRequest, pk: int) -> HttpResponse:
    offer = get_object_or_404(
        CouponOffer.objects.filter(membership__seller=seller_of(request.user)).select_related(
            "membership__seller"
        ),
        pk=pk,
    )
    reports.withdraw_coupon_offer(offer, actor=request.user)
    messages.success(request, _("The offer is withdrawn: no more of its codes will be sent."))
    return redirect("coalition:coupon_offers")


# --- health checks -------------------------------------------------------------------------


def _my_checks(request: HttpRequest):
    return HealthCheck.objects.filter(store__in=own_stores(request.user)).select_related(
        "store__platform"
    )


@login_required
def health_check_list(request: HttpRequest) -> HttpResponse:
    latest = Prefetch(
        "health_checks",
        queryset=HealthCheck.objects.order_by("-period_end", "-pk"),
        to_attr="checks",
    )
    stores = own_stores(request.user).prefetch_related(latest).order_by("platform__name", "name")
    rows = []
    for store in stores:
        check = store.checks[0] if store.checks else None
        risks = check.risks() if check else []
        level = health.overall(risks) if check else None
        rows.append(
            {
                "store": store,
                "check": check,
                "risks": risks,
                "count": len(store.checks),
                "level": level,
                "level_label": health.LEVEL_LABELS[level] if level else "",
            }
        )
    return render(request, "coalition/health/list.html", {"rows": rows})


def _store_initial(request: HttpRequest) -> dict[str, Any]:
    store = request.GET.get("store", "")
    return {"store": int(store)} if store.isdigit() else {}


@login_required
@require_http_methods(["GET", "POST"])
def health_check_new(request: HttpRequest) -> HttpResponse:
    form = HealthCheckForm(request.POST or None, user=request.user, initial=_store_initial(request))
    if request.method == "POST" and form.is_valid():
        d = form.cleaned_data
        try:
            check, created = health.record_health_check(
                d["store"],
                actor=request.user,
                period_start=d["period_start"],
                period_end=d["period_end"],
                figures=form.figures(),
            )
        except ActionRefused as exc:
            _refuse(form, exc)
        else:
            messages.success(
                request,
                _("Saved.")
                if created
                else _("Saved: this replaces your earlier figures for the same period."),
            )
            return redirect("coalition:health_check_detail", pk=check.pk)
    return render(request, "coalition/health/form.html", {"form": form, "mode": "manual"})


@login_required
@require_http_methods(["GET", "POST"])
def health_check_import(request: HttpRequest) -> HttpResponse:
    initial = {**request.session.get(MAPPING_SESSION_KEY, {}), **_store_initial(request)}
    form = HealthImportForm(
        request.POST or None, request.FILES or None, user=request.user, initial=initial
    )
    if request.method == "POST" and form.is_valid():
        d = form.cleaned_data
        try:
            figures = health.figures_from_export(health.read_upload(d["file"]), form.mapping())
            check, _created = health.record_health_check(
                d["store"],
                actor=request.user,
                period_start=d["period_start"],
                period_end=d["period_end"],
                figures=figures,
                source=HealthCheck.Source.CSV,
            )
        except ActionRefused as exc:
            _refuse(form, exc)
        else:
            request.session[MAPPING_SESSION_KEY] = form.saved_mapping()
            messages.success(
                request, _("Imported %(n)s orders from your file.") % {"n": figures.orders}
            )
            return redirect("coalition:health_check_detail", pk=check.pk)
    return render(
        request,
        "coalition/health/form.html",
        {"form": form, "mode": "import"},
        status=400 if form.errors else 200,
    )


@login_required
def health_check_store(request: HttpRequest, store: int) -> HttpResponse:
    store_obj = get_object_or_404(own_stores(request.user), pk=store)
    checks = list(store_obj.health_checks.order_by("-period_end", "-pk")[:HISTORY_LIMIT])
    limits = health.Thresholds.from_platform(store_obj.platform)
    periods = [
        (f"{c.period_start:%Y-%m-%d} \u2013 {c.period_end:%Y-%m-%d}", c.figures())
        for c in reversed(checks)
    ]
    rows = [{"check": c, "risks": health.assess(c.figures(), limits)} for c in checks]
    return render(
        request,
        "coalition/health/store.html",
        {
            "store": store_obj,
            "rows": rows,
            "charts": health.charts(periods, limits),
            "limits": limits,
            "limit_text": {
                name: health.percent(getattr(limits, name))
                for name in (
                    "max_unfulfillable_refund_rate",
                    "max_chargeback_rate",
                    "min_fulfilment_rate",
                )
            },
        },
    )


@login_required
def health_check_detail(request: HttpRequest, pk: int) -> HttpResponse:
    check = get_object_or_404(_my_checks(request), pk=pk)
    risks = check.risks()
    level = health.overall(risks)
    return render(
        request,
        "coalition/health/detail.html",
        {
            "check": check,
            "store": check.store,
            "risks": risks,
            "level": level,
            "level_label": health.LEVEL_LABELS[level],
            "grievances": list(
                health.matching_grievances(check.store.platform, risks, user=request.user)
            ),
            "categories": health.matching_categories(risks),
        },
    )


@login_required
@require_POST
def health_check_delete(request: HttpRequest, pk: int) -> HttpResponse:
    check = get_object_or_404(_my_checks(request).select_related("store__seller"), pk=pk)
    store_pk = check.store_id
    health.delete_health_check(check, actor=request.user)
    messages.success(request, _("The health check is deleted."))
    return redirect("coalition:health_check_store", store=store_pk)


# --- the block on the grievance page -------------------------------------------------------


def grievance_section(
    request: HttpRequest, *, grievance, membership, organiser: bool
) -> dict[str, Any] | None:
    """Context for templates/coalition/reports/_grievance_section.html, shown on grievances that
    collect reports (register with coalition.views.register_grievance_section)."""
    if grievance.category not in reports.REPORTABLE_CATEGORIES:
        return None
    context: dict[str, Any] = {"reports_confirmed": reports.confirmed_listings(grievance).count()}
    if organiser:
        waiting = grievance.infringement_reports.filter(
            state=InfringementReport.State.NEW, email_confirmed_at__isnull=False
        )
        context.update(
            reports_waiting=waiting.count(),
            coupons_left=reports.free_coupons(grievance=grievance).count(),
        )
    return context
