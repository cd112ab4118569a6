"""Query-string filters for the grievance list: ?q=, ?platform=<slug>, ?category=, ?state=."""

from __future__ import annotations

import django_filters
from django.db.models import QuerySet

from coalition.categories import Category
from coalition.models import Grievance
from coalition.queries.grievances import search_grievances


class GrievanceFilter(django_filters.FilterSet):
    q = django_filters.CharFilter(
        method="search",
        max_length=2000,
        label="Words to look for in the title, summary and demands (any may match; best first)",
    )
    platform = django_filters.CharFilter(
        field_name="platform__slug", max_length=80, label="Platform slug, e.g. amazon-us"
    )
    category = django_filters.ChoiceFilter(choices=Category.choices)
    state = django_filters.ChoiceFilter(choices=Grievance.State.choices)

    class Meta:
        model = Grievance
        fields = ["q", "platform", "category", "state"]

    def search(self, queryset: QuerySet[Grievance], name: str, value: str) -> QuerySet[Grievance]:
        return search_grievances(queryset, value)
