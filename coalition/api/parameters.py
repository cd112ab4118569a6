"""Path and query parameters several endpoints share, for the schema."""

from __future__ import annotations

from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter

# Nested membership ids in paths are digits only.
ID = r"\d+"


MEMBERSHIP_ID = OpenApiParameter("membership_id", OpenApiTypes.INT, OpenApiParameter.PATH)


SHARE_KEY = OpenApiParameter(
    "key",
    OpenApiTypes.STR,
    description="The share key from an unlisted grievance's link; not needed for public ones.",
)
