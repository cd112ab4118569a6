"""Store health checks: the caller's own stores only. Figures typed in or imported from a CSV
order export, each rate against the platform's threshold, the history as charts, and the
grievances that fight the suspensions the risks lead to."""

from __future__ import annotations

from datetime import date
from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.db.models import Prefetch
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST

from coalition.actions.health import (
    delete_health_check,
    drop_stash,
    read_stash,
    record_health_check,
    stash_export,
)
from coalition.errors import ActionRefused
from coalition.forms.health import HealthCheckForm, HealthMappingForm, HealthUploadForm
from coalition.models import HealthCheck
from coalition.pages.health import charts
from coalition.queries.health import earlier_check, matching_grievances, own_health_checks
from coalition.queries.sellers import own_stores
from coalition.rules.csv_import import check_export, guess_mapping, read_export, read_upload
from coalition.rules.integers import parse_id
from coalition.rules.thresholds import (
    LEVEL_LABELS,
    Thresholds,
    assess,
    matching_categories,
    overall,
    percent,
)
from coalition.views.common import refuse

HISTORY_LIMIT = 24  # periods shown in a store's history and chart


MAPPING_SESSION_KEY = "health_csv_mapping"  # the columns of the seller's last import
UPLOAD_SESSION_KEY = "health_csv_upload"  # the file being mapped: its stash token, store, period


def _my_checks(request: HttpRequest):
    return own_health_checks(request.user).select_related("store__platform")


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
        level = overall(risks) if check else None
        rows.append(
            {
                "store": store,
                "check": check,
                "risks": risks,
                "count": len(store.checks),
                "level": level,
                "level_label": LEVEL_LABELS[level] if level else "",
            }
        )
    return render(request, "coalition/health/list.html", {"rows": rows})


def _store_initial(request: HttpRequest) -> dict[str, Any]:
    store = request.GET.get("store", "")
    store_id = parse_id(store)
    return {"store": store_id} if store_id is not None else {}


@login_required
@require_http_methods(["GET", "POST"])
def health_check_new(request: HttpRequest) -> HttpResponse:
    form = HealthCheckForm(request.POST or None, user=request.user, initial=_store_initial(request))
    if request.method == "POST" and form.is_valid():
        d = form.cleaned_data
        try:
            check, created = record_health_check(
                d["store"],
                actor=request.user,
                period_start=d["period_start"],
                period_end=d["period_end"],
                figures=form.figures(),
                replace=d.get("replace", False),
            )
        except ActionRefused as exc:
            refuse(form, exc)
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
    """Step 1: the store, the period and the file. A file that cannot be read is refused here,
    with what to do; a readable one is kept privately while its columns are mapped."""
    form = HealthUploadForm(
        request.POST or None,
        request.FILES or None,
        user=request.user,
        initial=_store_initial(request),
    )
    if request.method == "POST" and form.is_valid():
        d = form.cleaned_data
        try:
            data = read_upload(d["file"])
            read_export(data)
        except ActionRefused as exc:
            refuse(form, exc)
        else:
            _forget_upload(request)
            request.session[UPLOAD_SESSION_KEY] = {
                "token": stash_export(data),
                "name": d["file"].name[:200],
                "store": d["store"].pk,
                "start": d["period_start"].isoformat(),
                "end": d["period_end"].isoformat(),
            }
            return redirect("coalition:health_check_import_map")
    return render(
        request,
        "coalition/health/form.html",
        {"form": form, "mode": "import"},
        status=400 if form.errors else 200,
    )


@login_required
@require_http_methods(["GET", "POST"])
def health_check_import_map(request: HttpRequest) -> HttpResponse:
    """Step 2: choose the columns from the file's own header (guessed from common English and
    Chinese export headers, or the seller's last import when this file has those columns), see
    every problem with its row number and the figures it gives, then import — replacing an
    earlier check of the period only when the seller ticks "Replace them"."""
    upload = request.session.get(UPLOAD_SESSION_KEY) or {}
    store = own_stores(request.user).filter(pk=upload.get("store")).first()
    data = read_stash(upload.get("token", "")) if store is not None else None
    if data is None:
        messages.info(request, _("Upload your order export first."))
        return redirect("coalition:health_check_import")
    header, rows = read_export(data)
    start, end = date.fromisoformat(upload["start"]), date.fromisoformat(upload["end"])
    earlier = earlier_check(store, start, end)
    guess = guess_mapping(header, request.session.get(MAPPING_SESSION_KEY))
    form = HealthMappingForm(
        request.POST or None,
        header=header,
        ask_replace=earlier is not None,
        initial={**guess, **_remembered_words(request)},
    )
    report = None
    if form.is_bound and form.is_valid():
        try:
            report = check_export(data, form.mapping())
        except ActionRefused as exc:
            refuse(form, exc)
        if report is not None and report.figures is None:
            form.add_error("order_id", _("No row of your file has an order ID in this column."))
        elif report is not None and request.POST.get("action") == "import":
            try:
                check, _created = record_health_check(
                    store,
                    actor=request.user,
                    period_start=start,
                    period_end=end,
                    figures=report.figures,
                    source=HealthCheck.Source.CSV,
                    replace=form.cleaned_data.get("replace", False),
                )
            except ActionRefused as exc:
                refuse(form, exc)
            else:
                request.session[MAPPING_SESSION_KEY] = form.saved_mapping()
                _forget_upload(request)
                messages.success(
                    request,
                    _("Imported %(n)s orders from your file.") % {"n": report.figures.orders},
                )
                return redirect("coalition:health_check_detail", pk=check.pk)
    return render(
        request,
        "coalition/health/import_map.html",
        {
            "form": form,
            "upload": upload,
            "store": store,
            "period": (start, end),
            "earlier": earlier,
            "header": header,
            "preview": report.preview if report else rows[:5],
            "report": report,
        },
        status=400 if form.errors else 200,
    )


def _remembered_words(request: HttpRequest) -> dict[str, str]:
    last = request.session.get(MAPPING_SESSION_KEY) or {}
    return {k: last[k] for k in ("fulfilled_values", "refund_words") if last.get(k)}


def _forget_upload(request: HttpRequest) -> None:
    upload = request.session.pop(UPLOAD_SESSION_KEY, None)
    if upload and upload.get("token"):
        drop_stash(upload["token"])


@login_required
def health_check_store(request: HttpRequest, store: int) -> HttpResponse:
    store_obj = get_object_or_404(own_stores(request.user), pk=store)
    checks = list(store_obj.health_checks.order_by("-period_end", "-pk")[:HISTORY_LIMIT])
    limits = Thresholds.from_platform(store_obj.platform)
    periods = [
        (f"{c.period_start:%Y-%m-%d} \u2013 {c.period_end:%Y-%m-%d}", c.figures())
        for c in reversed(checks)
    ]
    rows = [{"check": c, "risks": assess(c.figures(), limits)} for c in checks]
    return render(
        request,
        "coalition/health/store.html",
        {
            "store": store_obj,
            "rows": rows,
            "charts": charts(periods, limits),
            "limits": limits,
            "limit_text": {
                name: percent(getattr(limits, name))
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
    level = overall(risks)
    return render(
        request,
        "coalition/health/detail.html",
        {
            "check": check,
            "store": check.store,
            "risks": risks,
            "level": level,
            "level_label": LEVEL_LABELS[level],
            "grievances": list(matching_grievances(check.store.platform, risks, user=request.user)),
            "categories": matching_categories(risks),
        },
    )


@login_required
@require_POST
def health_check_delete(request: HttpRequest, pk: int) -> HttpResponse:
    check = get_object_or_404(_my_checks(request).select_related("store__seller"), pk=pk)
    store_pk = check.store_id
    delete_health_check(check, actor=request.user)
    messages.success(request, _("The health check is deleted."))
    return redirect("coalition:health_check_store", store=store_pk)
