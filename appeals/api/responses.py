"""The platform's responses to a round, as /api/v1/appeals/<id>/responses/ reads and records them."""

from __future__ import annotations

from rest_framework import serializers

from appeals.models import PlatformResponse


class ResponseSerializer(serializers.ModelSerializer):
    class Meta:
        model = PlatformResponse
        fields = ["id", "received_at", "channel", "classification", "text", "created_at"]
        read_only_fields = fields


class ResponseCreateSerializer(serializers.Serializer):
    received_at = serializers.DateTimeField()
    channel = serializers.ChoiceField(choices=PlatformResponse.Channel.choices)
    text = serializers.CharField(max_length=30000)
    classification = serializers.ChoiceField(choices=PlatformResponse.Classification.choices)
