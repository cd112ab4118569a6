"""Integers from the URL checked against what the database can hold (coalition/rules/integers.py)
before any query sees them: an id in the path that no row could have is a 404, a filter or page
number out of range is a 400 naming the parameter.

- `BoundedIdsMixin` (first base of a viewset): every URL id (`pk`, `*_pk`, `*_id`) → 404.
- `query_id(request, "grievance")` / `query_int(...)`: a hand-read query parameter → int or None,
  or a 400 {"errors": {"grievance": [...]}}.
- `IdFilter`: a django-filter filter for ids (a FilterSet's `grievance = IdFilter(...)`).
- `BoundedPagination`: `?page=` must be a whole number from 1 to PAGE_MAX (or "last").
"""

from __future__ import annotations

import django_filters
from django import forms
from django.utils.translation import gettext_lazy as _
from rest_framework.exceptions import NotFound, ValidationError

from coalition.api.pagination import Pagination
from coalition.rules.integers import PAGE_MAX, parse_id, parse_int

INVALID_ID = _("Enter a valid id: a whole number such as 12.")
OUT_OF_RANGE = _("Enter a whole number from %(minimum)s to %(maximum)s.")


def query_int(request, name: str, *, minimum: int, maximum: int) -> int | None:
    """`?name=` as an int; None when absent or empty; a 400 naming it when not in range."""
    raw = request.query_params.get(name, "")
    if raw == "":
        return None
    number = parse_int(raw, minimum=minimum, maximum=maximum)
    if number is None:
        message = OUT_OF_RANGE % {"minimum": f"{minimum:,}", "maximum": f"{maximum:,}"}
        raise ValidationError({name: [message]})
    return number


def query_id(request, name: str) -> int | None:
    """`?name=` as an id; None when absent or empty; a 400 naming it when no row could have it."""
    raw = request.query_params.get(name, "")
    if raw == "":
        return None
    number = parse_id(raw)
    if number is None:
        raise ValidationError({name: [str(INVALID_ID)]})
    return number


def is_url_id(name: str) -> bool:
    return name in {"pk", "id"} or name.endswith(("_pk", "_id"))


class BoundedIdsMixin:
    """Answer 404 before authentication, permissions or any query when a URL id (`pk`, `id`,
    `*_pk`, `*_id` keyword) is not one the database could hold. Put it first among the bases."""

    def initial(self, request, *args, **kwargs):
        for name, value in kwargs.items():
            if is_url_id(name) and parse_id(value) is None:
                raise NotFound()
        super().initial(request, *args, **kwargs)


class IdField(forms.IntegerField):
    default_error_messages = {"invalid": INVALID_ID}

    def to_python(self, value):
        if value in self.empty_values:
            return None
        number = parse_id(value)
        if number is None:
            raise forms.ValidationError(self.error_messages["invalid"], code="invalid")
        return number


class IdFilter(django_filters.NumberFilter):
    """An id filter (e.g. ?grievance=12 on field_name="grievance_id"): a 400 for anything that
    is not an id the database could hold, instead of a 500 or a silent empty page."""

    field_class = IdField


class BoundedPagination(Pagination):
    """The project's pagination, with `?page=` checked: a whole number from 1 to PAGE_MAX (or
    one of DRF's last-page words) or a 400 naming `page`. A page past the end stays DRF's 404.
    The schema states the bounds, so a client (or schemathesis) sticking to it never sees it."""

    def get_schema_operation_parameters(self, view):
        parameters = super().get_schema_operation_parameters(view)
        for parameter in parameters:
            if parameter["name"] == self.page_query_param:
                parameter["schema"] = {**parameter["schema"], "minimum": 1, "maximum": PAGE_MAX}
        return parameters

    def get_page_number(self, request, paginator):
        raw = request.query_params.get(self.page_query_param, "")
        checked = raw != "" and raw not in self.last_page_strings
        if checked and parse_int(raw, minimum=1, maximum=PAGE_MAX) is None:
            message = OUT_OF_RANGE % {"minimum": 1, "maximum": f"{PAGE_MAX:,}"}
            raise ValidationError({self.page_query_param: [message]})
        return super().get_page_number(request, paginator)


def document_refused_numbers(result: dict, generator, request, public) -> dict:
    """drf-spectacular postprocessing hook: every operation taking a whole-number query parameter
    (`?page=`, an id filter) documents the 400 it answers when the number is out of range."""
    error = {"content": {"application/json": {"schema": {"$ref": "#/components/schemas/Error"}}}}
    for operations in result.get("paths", {}).values():
        for operation in operations.values():
            if not isinstance(operation, dict) or "responses" not in operation:
                continue
            numbers = [
                p
                for p in operation.get("parameters", [])
                if p.get("in") == "query" and p.get("schema", {}).get("type") == "integer"
            ]
            if numbers and "400" not in operation["responses"]:
                operation["responses"]["400"] = {**error, "description": ""}
    return result
