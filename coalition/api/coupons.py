"""Coupon offers: the rewards a member offers for confirmed watcher reports. Only their own."""

from __future__ import annotations

from typing import Any

from django.db.models import Count, Prefetch, Q, QuerySet
from django.utils.translation import gettext_lazy as _
from drf_spectacular.utils import extend_schema, extend_schema_field, extend_schema_view
from rest_framework import mixins, serializers, status
from rest_framework.decorators import action
from rest_framework.permissions import IsAuthenticated
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.viewsets import GenericViewSet

from coalition.actions.coupons import offer_coupons, withdraw_coupon_offer
from coalition.api.errors import error_responses as errors
from coalition.api.parameters import ID
from coalition.api.validation import FlatListField, ValidateOnly, caller
from coalition.models import Coupon, CouponOffer, Membership, Store
from coalition.queries.coupons import own_offers
from coalition.queries.sellers import own_stores, seller_of
from coalition.rules.coupons import MAX_COUPONS_PER_OFFER


class CouponOfferSerializer(serializers.ModelSerializer):
    grievance = serializers.IntegerField(source="membership.grievance_id", read_only=True)
    issued = serializers.IntegerField(read_only=True)
    codes = serializers.SerializerMethodField()

    class Meta:
        model = CouponOffer
        fields = [
            "id",
            "grievance",
            "membership",
            "store",
            "discount",
            "quantity",
            "issued",
            "expires_on",
            "created_at",
            "withdrawn_at",
            "codes",
        ]
        read_only_fields = fields

    @extend_schema_field(serializers.ListField(child=serializers.DictField()))
    def get_codes(self, obj: CouponOffer) -> list[dict[str, Any]]:
        return [
            {"code": c.code, "issued": c.issued_to_report_id is not None} for c in obj.coupons.all()
        ]


class CouponOfferCreateSerializer(ValidateOnly, serializers.Serializer):
    membership = serializers.PrimaryKeyRelatedField(
        queryset=Membership.objects.none(),
        help_text=_("Your membership in the grievance whose watchers you reward."),
    )
    store = serializers.PrimaryKeyRelatedField(queryset=Store.objects.none())
    discount = serializers.CharField(max_length=200)
    expires_on = serializers.DateField()
    quantity = serializers.IntegerField(
        min_value=1, max_value=MAX_COUPONS_PER_OFFER, required=False, allow_null=True
    )
    codes = FlatListField(child=serializers.CharField(max_length=64), required=False, default=list)

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        user = caller(self)
        self.fields["membership"].queryset = Membership.objects.active().filter(
            seller=seller_of(user)
        )
        self.fields["store"].queryset = own_stores(user)


@extend_schema_view(
    list=extend_schema(
        summary=_("Your coupon offers"),
        responses={200: CouponOfferSerializer(many=True), **errors(403, 404)},
    ),
    retrieve=extend_schema(
        summary=_("One of your coupon offers"),
        responses={200: CouponOfferSerializer, **errors(403, 404)},
    ),
)
class CouponOfferViewSet(mixins.ListModelMixin, mixins.RetrieveModelMixin, GenericViewSet):
    """Coupons a member offers as rewards for confirmed watcher reports. Only their own."""

    serializer_class = CouponOfferSerializer
    permission_classes = [IsAuthenticated]
    filter_backends: list = []
    lookup_value_regex = ID

    def get_queryset(self) -> QuerySet[CouponOffer]:
        return (
            own_offers(self.request.user)
            .select_related("membership__seller")
            .annotate(issued=Count("coupons", filter=Q(coupons__issued_to_report__isnull=False)))
            .prefetch_related(Prefetch("coupons", queryset=Coupon.objects.order_by("pk")))
            .order_by("-created_at", "-pk")
        )

    @extend_schema(
        summary=_("Offer coupons: your own codes, or a number of codes made for you"),
        request=CouponOfferCreateSerializer,
        responses={201: CouponOfferSerializer, **errors(400, 403)},
    )
    def create(self, request: Request) -> Response:
        data = CouponOfferCreateSerializer(data=request.data, context=self.get_serializer_context())
        data.is_valid(raise_exception=True)
        d = data.validated_data
        offer = offer_coupons(
            d["membership"],
            actor=request.user,
            store=d["store"],
            discount=d["discount"],
            expires_on=d["expires_on"],
            quantity=d.get("quantity"),
            codes=d["codes"],
        )
        return Response(
            self.get_serializer(self.get_queryset().get(pk=offer.pk)).data,
            status=status.HTTP_201_CREATED,
        )

    @extend_schema(
        summary=_("Withdraw an offer: its remaining codes are no longer sent"),
        request=None,
        responses={200: CouponOfferSerializer, **errors(403, 404)},
    )
    @action(detail=True, methods=["post"])
    def withdraw(self, request: Request, pk: str) -> Response:
        offer = withdraw_coupon_offer(self.get_object(), actor=request.user)
        return Response(self.get_serializer(self.get_queryset().get(pk=offer.pk)).data)
