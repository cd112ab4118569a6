"""Pages for infringement reports: the public form, the watcher's confirmation and status links,
and the organisers' review.

What a viewer may see comes from a scoped queryset (404 for what they may not know exists), and
every change goes through coalition/actions/reports.py.
"""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.db.models import Count
from django.http import FileResponse, Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import translation
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST

from coalition.actions.reports import (
    Decision,
    confirm_watcher_email,
    review_report,
    submit_report,
)
from coalition.errors import ActionRefused
from coalition.forms.reports import ReportForm, ReviewFilterForm, ReviewForm
from coalition.models import InfringementReport, ReportScreenshot
from coalition.pages.reports import review_message
from coalition.queries.coupons import pool_for
from coalition.queries.reports import (
    coupon_of,
    duplicates_of,
    read_brand_token,
    reviewable_reports,
)
from coalition.queries.reports import report_status as find_report_status
from coalition.rules.integers import parse_id
from coalition.views.common import private, refuse
from coalition.views.ratelimits import public_form_limit

PAGE_SIZE = 20


# --- the public report form ----------------------------------------------------------------


@public_form_limit
@require_http_methods(["GET", "POST"])
def report_new(request: HttpRequest) -> HttpResponse:
    token = request.POST.get("brand_token") or request.GET.get("brand") or ""
    brand = read_brand_token(token) if token else None
    if token and brand is None:
        raise Http404(_("This report link is not valid."))
    initial = {}
    grievance_id = parse_id(request.GET.get("grievance", ""))
    if grievance_id is not None:
        initial["grievance"] = grievance_id
    form = ReportForm(
        request.POST or None, request.FILES or None, user=request.user, brand=brand, initial=initial
    )
    if request.method == "POST" and form.is_valid():
        try:
            report = submit_report(
                actor=request.user, language=translation.get_language(), **form.report_fields()
            )
        except ActionRefused as exc:
            refuse(form, exc)
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
            report = confirm_watcher_email(token)
        except ActionRefused as exc:
            error = str(exc.message)
        else:
            if request.method == "POST":
                messages.success(
                    request, _("Thank you: your email address is confirmed and your report counts.")
                )
            return redirect("coalition:report_status", token=report.status_token)
    return private(
        render(request, "coalition/reports/report_confirm.html", {"report": report, "error": error})
    )


def report_status(request: HttpRequest, token: str) -> HttpResponse:
    status = find_report_status(token)
    if status is None:
        raise Http404(_("This status link is not valid."))
    return private(
        render(
            request,
            "coalition/reports/report_status.html",
            {"status": status, "report": status.report},
        )
    )


# --- review --------------------------------------------------------------------------------


def _reviewable(request: HttpRequest):
    return reviewable_reports(request.user).select_related("grievance", "platform", "brand_owner")


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
    waiting = reviewable_reports(request.user).filter(state=InfringementReport.State.NEW).count()
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
            "duplicates": list(duplicates_of(report)),
            "coupon": coupon_of(report),
            "pool_left": pool_for(report).count() if report.from_watcher else None,
        },
        status=status,
    )


def _decide(request: HttpRequest, pk: int, decision: str) -> HttpResponse:
    report = get_object_or_404(_reviewable(request), pk=pk)
    form = ReviewForm(request.POST)
    if not form.is_valid():
        return _review_page(request, report, form, status=400)
    try:
        result = review_report(
            report, actor=request.user, decision=decision, reason=form.cleaned_data["reason"]
        )
    except ActionRefused as exc:
        refuse(form, exc)
        return _review_page(request, report, form, status=400)
    messages.success(request, review_message(result, decision))
    return redirect("coalition:report_review_detail", pk=report.pk)


@login_required
@require_POST
def report_review_confirm(request: HttpRequest, pk: int) -> HttpResponse:
    return _decide(request, pk, Decision.CONFIRM)


@login_required
@require_POST
def report_review_reject(request: HttpRequest, pk: int) -> HttpResponse:
    return _decide(request, pk, Decision.REJECT)


@login_required
def report_screenshot(request: HttpRequest, pk: int, shot: int) -> FileResponse:
    report = get_object_or_404(reviewable_reports(request.user), pk=pk)
    screenshot = get_object_or_404(ReportScreenshot, pk=shot, report=report)
    response = FileResponse(screenshot.file.open("rb"), content_type=screenshot.content_type)
    response["Content-Disposition"] = "inline"
    response["X-Content-Type-Options"] = "nosniff"
    response["Cache-Control"] = "private, no-store"
    return response
