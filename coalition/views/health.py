"""Store health checks: the caller's own stores only. Figures typed in or imported from a CSV
order export, each rate against the platform's threshold, the history as charts, and the
grievances that fight the suspensions the risks lead to."""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.db.models import Prefetch
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST

from coalition.actions.health import delete_health_check, record_health_check
from coalition.errors import ActionRefused
from coalition.forms.health import HealthCheckForm, HealthImportForm
from coalition.models import HealthCheck
from coalition.pages.health import charts
from coalition.queries.health import matching_grievances, own_health_checks
from coalition.queries.sellers import own_stores
from coalition.rules.csv_import import figures_from_export, read_upload
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


MAPPING_SESSION_KEY = "health_csv_mapping"


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
    return {"store": int(store)} if store.isdigit() else {}


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
    initial = {**request.session.get(MAPPING_SESSION_KEY, {}), **_store_initial(request)}
    form = HealthImportForm(
        request.POST or None, request.FILES or None, user=request.user, initial=initial
    )
    if request.method == "POST" and form.is_valid():
        d = form.cleaned_data
        try:
            figures = figures_from_export(read_upload(d["file"]), form.mapping())
            check, _created = record_health_check(
                d["store"],
                actor=request.user,
                period_start=d["period_start"],
                period_end=d["period_end"],
                figures=figures,
                source=HealthCheck.Source.CSV,
            )
        except ActionRefused as exc:
            refuse(form, exc)
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
