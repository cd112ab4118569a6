"""Absurd input is a 400 (or a 404 for an id) with a JSON message, never a 500: bodies too deep,
too wide, unreadable or too big, and integers no database row could have."""

from __future__ import annotations

import io
import json

import django_filters
import pytest
from django.core.cache import cache
from django.db import DataError
from django.urls import path
from rest_framework import generics
from rest_framework.exceptions import ParseError
from rest_framework.permissions import IsAuthenticated
from rest_framework.response import Response
from rest_framework.views import APIView

from coalition.api.exceptions import exception_handler
from coalition.api.integers import BoundedIdsMixin, BoundedPagination, IdFilter, query_id
from coalition.api.parsers import MAX_DEPTH, MAX_ITEMS, JSONParser
from coalition.models import Grievance
from tests.factories import GrievanceFactory

pytestmark = pytest.mark.django_db

BIG = "217320388136139950236962390016"


@pytest.fixture(autouse=True)
def _fresh_throttles():
    cache.clear()


def error(response, status: int) -> dict:
    assert response.status_code == status, response.content
    assert response["Content-Type"].startswith("application/json")
    return response.json()


def nested(depth: int) -> str:
    return "[" * depth + "]" * depth


# --- request bodies, on real endpoints -----------------------------------------------------


def test_a_body_nested_5000_levels_deep_is_a_400_not_a_500(organiser_api):
    response = organiser_api.post(
        "/api/v1/grievances/", nested(5000), content_type="application/json"
    )
    body = error(response, 400)
    assert body["detail"] == "The request body is nested too deeply (more than 32 levels)."


def test_an_unclosed_deep_body_is_a_400(api_client):
    response = api_client.post("/api/v1/auth/token/", "[" * 5000, content_type="application/json")
    assert "nested too deeply" in error(response, 400)["detail"]


def test_a_body_that_is_not_json_is_a_400_with_a_message(api_client):
    response = api_client.post(
        "/api/v1/auth/token/", '{"email": "a@b.c",', content_type="application/json"
    )
    assert error(response, 400)["detail"].startswith("The request body is not valid JSON")


def test_a_body_that_is_not_utf8_is_a_400(api_client):
    response = api_client.post(
        "/api/v1/auth/token/", b'{"email": "\xff\xfe"}', content_type="application/json"
    )
    assert error(response, 400)["detail"] == "The request body is not text in utf-8."


def test_a_huge_array_is_a_400(organiser_api):
    body = json.dumps({"title": "x", "demands": ["y"] * (MAX_ITEMS + 1)})
    response = organiser_api.post("/api/v1/grievances/", body, content_type="application/json")
    assert error(response, 400)["detail"] == (
        "The request body has a list or object of more than 10,000 items."
    )


def test_a_form_with_too_many_fields_is_a_400_in_json(api_client):
    fields = "&".join(f"f{i}=1" for i in range(1001))  # DATA_UPLOAD_MAX_NUMBER_FIELDS is 1000
    response = api_client.post(
        "/api/v1/auth/token/", fields, content_type="application/x-www-form-urlencoded"
    )
    assert error(response, 400)["detail"] == "The form has too many fields."


def test_a_body_over_the_upload_limit_is_a_400_in_json(api_client, settings):
    settings.DATA_UPLOAD_MAX_MEMORY_SIZE = 1000
    body = json.dumps({"email": "a@b.c", "password": "x" * 2000})
    response = api_client.post("/api/v1/auth/token/", body, content_type="application/json")
    assert error(response, 400)["detail"] == "The request body is too large."


# --- the JSON parser on its own ------------------------------------------------------------


def parse(text: str):
    return JSONParser().parse(io.BytesIO(text.encode()), parser_context={})


def test_nesting_up_to_the_limit_is_fine_one_more_is_refused():
    assert parse(nested(MAX_DEPTH)) is not None
    with pytest.raises(ParseError):
        parse(nested(MAX_DEPTH + 1))
    with pytest.raises(ParseError):
        parse('{"a": ' * (MAX_DEPTH + 1) + "1" + "}" * (MAX_DEPTH + 1))
    # Depth that builds up between empty pairs is still depth.
    with pytest.raises(ParseError):
        parse("[[]," * (MAX_DEPTH + 1) + "[]" + "]" * (MAX_DEPTH + 1))
    assert parse("[[]," * (MAX_DEPTH - 1) + "[]" + "]" * (MAX_DEPTH - 1))


def test_brackets_inside_strings_do_not_count_as_nesting():
    text = json.dumps({"title": "[" * 500 + '\\"{' * 100, "list": [[1, 2], {"a": "]]]"}]})
    assert parse(text)["list"] == [[1, 2], {"a": "]]]"}]


def test_many_flat_items_within_the_limit_parse_quickly():
    assert len(parse(json.dumps([[i] for i in range(MAX_ITEMS)]))) == MAX_ITEMS
    with pytest.raises(ParseError):
        parse(json.dumps({str(i): i for i in range(MAX_ITEMS + 1)}))


def test_nan_and_infinity_are_not_json():
    with pytest.raises(ParseError):
        parse('{"amount": NaN}')


# --- integers the database cannot hold, on real endpoints ----------------------------------


@pytest.mark.parametrize(
    ("url", "name"),
    [
        ("/api/v1/appeals/", "grievance"),
        ("/api/v1/reports/", "grievance"),
        ("/api/v1/health-checks/", "store"),
    ],
)
@pytest.mark.parametrize("value", [BIG, "²"])
def test_an_id_filter_no_row_could_match_is_a_400_naming_the_parameter(
    organiser_api, url, name, value
):
    """GET /api/v1/appeals/?grievance=217320388136139950236962390016 was an OverflowError on
    SQLite and an empty page on PostgreSQL; "²" passes str.isdigit() and fails int()."""
    body = error(organiser_api.get(url, {name: value}), 400)
    assert body["errors"] == {name: ["Enter a valid id: a whole number such as 12."]}


def test_a_30_digit_grievance_id_is_a_404(api_client):
    error(api_client.get(f"/api/v1/grievances/{BIG}/"), 404)


def test_the_fallback_turns_overflow_and_out_of_range_into_a_400():
    for exc in (
        OverflowError("Python int too large to convert to SQLite INTEGER"),
        DataError('value "217320388136139950236962390016" is out of range for type bigint'),
    ):
        response = exception_handler(exc, {})
        assert response.status_code == 400
        assert response.data == {
            "detail": "A number in the request is too large.",
            "errors": {},
            "code": "out_of_range",
        }
    assert exception_handler(DataError("value too long for type character varying(3)"), {}) is None


# --- the integer helpers, on views of their own --------------------------------------------


class ThingView(BoundedIdsMixin, APIView):
    permission_classes = [IsAuthenticated]

    def get(self, request, pk):
        return Response({"pk": pk})


class FilteredView(APIView):
    permission_classes: list = []

    def get(self, request):
        return Response({"grievance": query_id(request, "grievance")})


class GrievanceIdFilter(django_filters.FilterSet):
    platform = IdFilter(field_name="platform_id")

    class Meta:
        model = Grievance
        fields = ["platform"]


class GrievanceIds(generics.ListAPIView):
    permission_classes: list = []
    filterset_class = GrievanceIdFilter
    pagination_class = BoundedPagination
    queryset = Grievance.objects.order_by("pk")

    def list(self, request):
        page = self.paginate_queryset(self.filter_queryset(self.get_queryset()))
        return self.get_paginated_response([g.pk for g in page])


urlpatterns = [
    path("things/<str:pk>/", ThingView.as_view()),
    path("filtered/", FilteredView.as_view()),
    path("grievance-ids/", GrievanceIds.as_view()),
]


@pytest.mark.urls(__name__)
def test_an_impossible_url_id_is_a_404_before_any_permission_check(api_client, member_api):
    error(api_client.get(f"/things/{BIG}/"), 404)  # anonymous: not even a 403
    error(api_client.get("/things/0/"), 404)
    assert api_client.get("/things/12/").status_code == 403
    assert member_api.get("/things/12/").json() == {"pk": "12"}


@pytest.mark.urls(__name__)
@pytest.mark.parametrize("value", [BIG, "²", "-1", "0", "1.5", "abc"])
def test_a_hand_read_id_parameter_out_of_range_is_a_400_naming_it(api_client, value):
    body = error(api_client.get("/filtered/", {"grievance": value}), 400)
    assert body["errors"] == {"grievance": ["Enter a valid id: a whole number such as 12."]}


@pytest.mark.urls(__name__)
def test_a_hand_read_id_parameter_in_range_or_absent_passes(api_client):
    assert api_client.get("/filtered/", {"grievance": "12"}).json() == {"grievance": 12}
    assert api_client.get("/filtered/").json() == {"grievance": None}


@pytest.mark.urls(__name__)
def test_an_id_filter_out_of_range_is_a_400_with_the_fields_message(api_client, platform):
    body = error(api_client.get("/grievance-ids/", {"platform": BIG}), 400)
    assert body["errors"] == {"platform": ["Enter a valid id: a whole number such as 12."]}
    mine = GrievanceFactory(platform=platform)
    GrievanceFactory()
    assert api_client.get("/grievance-ids/", {"platform": platform.pk}).json()["results"] == [
        mine.pk
    ]


@pytest.mark.urls(__name__)
@pytest.mark.parametrize("page", [BIG, "0", "-1", "2147483648", "²"])
def test_a_page_number_out_of_range_is_a_400_naming_page(api_client, page):
    body = error(api_client.get("/grievance-ids/", {"page": page}), 400)
    assert body["errors"] == {"page": ["Enter a whole number from 1 to 2,147,483,647."]}


@pytest.mark.urls(__name__)
def test_a_page_past_the_end_is_still_a_404_and_last_still_works(api_client, platform):
    GrievanceFactory(platform=platform)
    assert api_client.get("/grievance-ids/", {"page": "last"}).status_code == 200
    assert api_client.get("/grievance-ids/", {"page": "1"}).status_code == 200
    error(api_client.get("/grievance-ids/", {"page": "2"}), 404)


def test_every_operation_taking_a_page_or_id_number_documents_its_400(api_client):
    schema = api_client.get("/api/schema/", {"format": "json"}).json()
    numbered = [
        (path, method, op)
        for path, operations in schema["paths"].items()
        for method, op in operations.items()
        if any(
            p["in"] == "query" and p.get("schema", {}).get("type") == "integer"
            for p in op.get("parameters", [])
        )
    ]
    assert any(path == "/api/v1/appeals/" for path, _m, _op in numbered)
    assert [(path, method) for path, method, op in numbered if "400" not in op["responses"]] == []
