"""Who may call what in the coalition API (docs/domain.md, permissions), and how often.

The grievance permissions ask the viewset for the caller's standing in the grievance
(`view.standing(grievance)`), so the membership is looked up once per request.
Objects a caller may not know exist never reach these checks: the viewsets scope their
querysets first, so those are a 404 before any 403.
"""

from __future__ import annotations

from django.utils.translation import gettext_lazy as _
from rest_framework.permissions import BasePermission
from rest_framework.settings import api_settings
from rest_framework.throttling import ScopedRateThrottle

from coalition.api.throttles import ClientAddressThrottle


class IsGrievanceOrganiser(BasePermission):
    """Organisers of the grievance, and staff."""

    message = _("Only the grievance's organisers can do this.")

    def has_object_permission(self, request, view, obj) -> bool:
        return view.standing(obj).organiser


class IsGrievanceMember(BasePermission):
    """Active members (organisers included) of the grievance, and staff."""

    message = _("Only members of this grievance can see this.")

    def has_object_permission(self, request, view, obj) -> bool:
        standing = view.standing(obj)
        return standing.organiser or standing.membership is not None


class ScopedThrottle(ClientAddressThrottle, ScopedRateThrottle):
    """DRF's scoped throttle, reading the rates when a request comes in and counting per client
    address as coalition.rules.client_address finds it (TRUSTED_PROXY_COUNT).

    DRF copies DEFAULT_THROTTLE_RATES onto the class at import time, so a changed setting
    (tests, a deployment's override) would otherwise be ignored. Scopes the settings do not
    name fall back to FALLBACK_RATES rather than failing with ImproperlyConfigured.
    """

    FALLBACK_RATES = {"auth_token": "20/m"}

    def get_rate(self) -> str | None:
        self.THROTTLE_RATES = {**self.FALLBACK_RATES, **(api_settings.DEFAULT_THROTTLE_RATES or {})}
        return super().get_rate()
