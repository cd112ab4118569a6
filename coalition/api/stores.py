"""The caller's own stores."""

from __future__ import annotations

from django.db.models import QuerySet
from drf_spectacular.utils import OpenApiExample, extend_schema, extend_schema_view
from rest_framework import mixins, serializers
from rest_framework.permissions import IsAuthenticated
from rest_framework.viewsets import GenericViewSet

from coalition.actions.sellers import create_store, delete_store, update_store
from coalition.api.errors import error_responses as errors
from coalition.api.validation import ValidateOnly
from coalition.models import Platform, Store
from coalition.queries.sellers import own_stores

# Schema texts (summaries, examples) are English only: they are for developers reading the docs;
# what a seller reads in a response (error messages) is translated.
# Schema texts (summaries, examples) are English only: they are for developers reading the docs;
# what a seller reads in a response (error messages) is translated.
# Request examples for the docs (schemathesis also sends them as they are).
STORE_EXAMPLE = OpenApiExample(
    "A suspended store",
    request_only=True,
    value={
        "platform": "wish",
        "name": "Sunrise Home",
        "platform_store_id": "5f1e2a9c",
        "state": "suspended",
    },
)


class StoreSerializer(ValidateOnly, serializers.ModelSerializer):
    """A seller's own store. Only its owner ever gets this representation."""

    platform = serializers.SlugRelatedField(slug_field="slug", queryset=Platform.objects.all())
    platform_name = serializers.CharField(source="platform.name", read_only=True)

    class Meta:
        model = Store
        fields = [
            "id",
            "platform",
            "platform_name",
            "name",
            "platform_store_id",
            "state",
            "created_at",
        ]
        read_only_fields = ["id", "platform_name", "created_at"]


class StoreSummarySerializer(serializers.ModelSerializer):
    class Meta:
        model = Store
        fields = ["id", "name", "platform_store_id"]
        read_only_fields = fields


@extend_schema(tags=["stores"])
@extend_schema_view(
    list=extend_schema(
        summary="Your stores", responses={200: StoreSerializer(many=True), **errors(403, 404)}
    ),
    create=extend_schema(
        summary="Add a store",
        examples=[STORE_EXAMPLE],
        responses={201: StoreSerializer, **errors(400, 403, 415)},
    ),
    retrieve=extend_schema(
        summary="One of your stores", responses={200: StoreSerializer, **errors(403, 404)}
    ),
    update=extend_schema(
        summary="Change a store", responses={200: StoreSerializer, **errors(400, 403, 404, 415)}
    ),
    partial_update=extend_schema(
        summary="Change a store", responses={200: StoreSerializer, **errors(400, 403, 404, 415)}
    ),
    destroy=extend_schema(summary="Remove a store", responses={204: None, **errors(403, 404)}),
)
class StoreViewSet(
    mixins.ListModelMixin,
    mixins.CreateModelMixin,
    mixins.RetrieveModelMixin,
    mixins.UpdateModelMixin,
    mixins.DestroyModelMixin,
    GenericViewSet,
):
    """The caller's own stores; anybody else's store is a 404."""

    serializer_class = StoreSerializer
    permission_classes = [IsAuthenticated]
    filter_backends: list = []

    def get_queryset(self) -> QuerySet[Store]:
        return own_stores(self.request.user).order_by("name", "id")

    def perform_create(self, serializer: StoreSerializer) -> None:
        serializer.instance = create_store(actor=self.request.user, **serializer.validated_data)

    def perform_update(self, serializer: StoreSerializer) -> None:
        serializer.instance = update_store(
            serializer.instance, actor=self.request.user, **serializer.validated_data
        )

    def perform_destroy(self, instance: Store) -> None:
        delete_store(instance, actor=self.request.user)
