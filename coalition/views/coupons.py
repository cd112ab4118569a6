"""Members' coupon offers (rewards for confirmed watcher reports) and their brand's report link."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.db.models import Count, Prefetch, Q
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST

from coalition.actions.coupons import offer_coupons, withdraw_coupon_offer
from coalition.errors import ActionRefused
from coalition.forms.coupons import BrandLinkForm, CouponOfferForm
from coalition.models import Coupon
from coalition.queries.coupons import own_offers
from coalition.queries.reports import brand_link_token
from coalition.queries.sellers import seller_of
from coalition.views.common import refuse


@login_required
@require_http_methods(["GET", "POST"])
def coupon_offers(request: HttpRequest) -> HttpResponse:
    form = CouponOfferForm(request.POST or None, user=request.user)
    if request.method == "POST" and form.is_valid():
        d = form.cleaned_data
        try:
            offer = offer_coupons(
                d["membership"],
                actor=request.user,
                store=d["store"],
                discount=d["discount"],
                expires_on=d["expires_on"],
                quantity=d.get("quantity"),
                codes=d["codes"],
            )
        except ActionRefused as exc:
            refuse(form, exc)
        else:
            messages.success(
                request,
                _("Thank you: %(n)s coupons are in the reward pool.") % {"n": offer.quantity},
            )
            return redirect("coalition:coupon_offers")
    seller = seller_of(request.user)
    offers = (
        own_offers(request.user)
        .select_related("membership__grievance", "store__platform")
        .annotate(issued=Count("coupons", filter=Q(coupons__issued_to_report__isnull=False)))
        .prefetch_related(Prefetch("coupons", queryset=Coupon.objects.order_by("pk")))
        .order_by("-created_at", "-pk")
    )
    brand_form = BrandLinkForm(request.GET if "brand" in request.GET else None)
    brand_link = ""
    if seller is not None and brand_form.is_bound and brand_form.is_valid():
        token = brand_link_token(seller, brand_form.cleaned_data["brand"])
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
        own_offers(request.user).select_related("membership__seller"),
        pk=pk,
    )
    withdraw_coupon_offer(offer, actor=request.user)
    messages.success(request, _("The offer is withdrawn: no more of its codes will be sent."))
    return redirect("coalition:coupon_offers")
