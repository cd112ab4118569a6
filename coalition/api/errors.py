"""Every API error is JSON: {"detail": "<clear message>", "errors": {"field": ["message", ...]}}."""

from __future__ import annotations

from django.core.exceptions import PermissionDenied
from django.core.exceptions import ValidationError as DjangoValidationError
from django.http import Http404, JsonResponse
from django.utils.translation import gettext as _
from django.views.defaults import page_not_found, server_error
from rest_framework import exceptions, serializers, status
from rest_framework.response import Response
from rest_framework.views import exception_handler as drf_exception_handler

from coalition.errors import ActionRefused


def exception_handler(exc, context):
    if isinstance(exc, ActionRefused):
        errors = {exc.field: [str(exc.message)]} if exc.field else {}
        return Response(
            {"detail": str(exc.message), "errors": errors, "code": exc.code},
            status=status.HTTP_400_BAD_REQUEST,
        )
    if isinstance(exc, DjangoValidationError):
        exc = exceptions.ValidationError(
            exc.message_dict if hasattr(exc, "error_dict") else {"non_field_errors": exc.messages}
        )
    response = drf_exception_handler(exc, context)
    if response is None:
        return None
    data = response.data
    if isinstance(exc, exceptions.ValidationError):
        errors = data if isinstance(data, dict) else {"non_field_errors": data}
        response.data = {
            "detail": _("Please correct the errors below."),
            "errors": errors,
            "code": "invalid",
        }
    elif isinstance(data, dict) and "detail" in data:
        response.data = {
            "detail": str(data["detail"]),
            "errors": {},
            "code": getattr(data["detail"], "code", "error"),
        }
    return response


def json_404(request, exception=None):
    if request.path.startswith("/api/"):
        return JsonResponse(
            {"detail": _("Not found."), "errors": {}, "code": "not_found"}, status=404
        )
    return page_not_found(request, exception or Http404())


def json_500(request):
    if request.path.startswith("/api/"):
        return JsonResponse(
            {"detail": _("Server error."), "errors": {}, "code": "server_error"}, status=500
        )
    return server_error(request)


class ErrorSerializer(serializers.Serializer):
    """The shape of every error response (coalition/api/errors.py)."""

    detail = serializers.CharField()
    errors = serializers.DictField(child=serializers.ListField(child=serializers.CharField()))
    code = serializers.CharField()


def error_responses(*codes: int) -> dict[int, type[ErrorSerializer]]:
    """Error responses for @extend_schema(responses=...); they all share one JSON shape.
    Lists also answer 404 for a page past the end; writes answer 415 for a body that is
    neither JSON nor a form."""
    return dict.fromkeys(codes, ErrorSerializer)


__all__ = [
    "ErrorSerializer",
    "PermissionDenied",
    "error_responses",
    "exception_handler",
    "json_404",
    "json_500",
]
