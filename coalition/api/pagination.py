from django.core.paginator import Paginator
from django.utils.functional import cached_property
from rest_framework.pagination import PageNumberPagination

from coalition.cache import LISTS, cached


class Pagination(PageNumberPagination):
    page_size = 20
    page_size_query_param = "page_size"
    max_page_size = 100


COUNT_EXACT_UP_TO = 1000  # rows; beyond, the count is read from the cache


class BoundedCountPaginator(Paginator):
    """Counts at most COUNT_EXACT_UP_TO + 1 rows of the list (an index range); a longer list's
    exact count is kept in the cache under the lists' version (coalition/cache.py), so no request
    counts every row unless something changed since the last count."""

    count_parts: tuple | None = None  # what the list depends on, for its cached count

    @cached_property
    def count(self) -> int:
        bounded = self.object_list.order_by().values("pk")[: COUNT_EXACT_UP_TO + 1].count()
        if bounded <= COUNT_EXACT_UP_TO or self.count_parts is None:
            return bounded if bounded <= COUNT_EXACT_UP_TO else self.object_list.count()
        return cached("api.count", [LISTS], self.count_parts, self.object_list.count)


class BoundedCountPagination(Pagination):
    def paginate_queryset(self, queryset, request, view=None):
        user = getattr(request, "user", None)
        scope = f"user:{user.pk}" if user is not None and user.is_authenticated else "anon"
        params = sorted(
            (k, v) for k, v in request.query_params.items() if k not in ("page", "page_size")
        )
        self._count_parts = (request.path, scope, params)
        return super().paginate_queryset(queryset, request, view)

    def django_paginator_class(self, object_list, per_page, *args, **kwargs):
        paginator = BoundedCountPaginator(object_list, per_page, *args, **kwargs)
        paginator.count_parts = getattr(self, "_count_parts", None)
        return paginator
