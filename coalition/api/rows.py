"""The grievance list's rows, written out directly.

The list is the most read answer of the API: DRF's per-field machinery, a translation lookup
for each row's category label, a URL reversal and a host check per row cost more than the rows'
query. Here everything that is the same for every row — the labels in the active language, the
URL pattern, the site's address — is worked out once per answer. The fields and their shape are
GrievanceListSerializer's (coalition/api/grievances.py), which the schema describes.
"""

from __future__ import annotations

from django.urls import reverse
from rest_framework.fields import DateTimeField
from rest_framework.request import Request

from coalition.categories import Category
from coalition.models import Grievance

_PLACEHOLDER = 987654321987


class ListRows:
    def __init__(self, request: Request | None):
        self.labels = {value: str(label) for value, label in Category.choices}
        path = reverse("coalition:grievance_detail", args=[_PLACEHOLDER])
        base = request.build_absolute_uri("/")[:-1] if request is not None else ""
        self.url_head, self.url_tail = (base + path).split(str(_PLACEHOLDER))
        self.created = DateTimeField()  # ISO 8601 in the active time zone, as the serializer

    def row(self, g: Grievance) -> dict:
        platform = g.platform
        return {
            "id": g.pk,
            "url": f"{self.url_head}{g.pk}{self.url_tail}",
            "platform": {"id": platform.pk, "slug": platform.slug, "name": platform.name},
            "category": g.category,
            "category_label": self.labels.get(g.category, g.category),
            "title": g.title,
            "summary": g.summary,
            "state": g.state,
            "rung": g.rung,
            "visibility": g.visibility,
            "member_count": g.member_count,
            "created_at": self.created.to_representation(g.created_at),
        }
