"""View-models of organisers' announcements: the preview (who it reaches, how many) and the
notice on the grievance page. Built on appeals/queries."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import timedelta

from django.utils import timezone

from appeals.models import Announcement, Appeal
from appeals.queries.audiences import audience_count
from coalition.models import Grievance

NOTICE_DAYS = 14  # how long the latest announcement stays on the grievance page


@dataclass(frozen=True)
class AudienceChoice:
    value: str
    label: str
    appeal: Appeal | None
    count: int
    available: bool


def audience_choices(grievance: Grievance) -> list[AudienceChoice]:
    """Every audience with the round it is counted against and how many it reaches now."""
    choices = []
    for value, label in Announcement.Audience.choices:
        appeal, count = audience_count(grievance, value)
        available = value == Announcement.Audience.ALL or appeal is not None
        choices.append(AudienceChoice(value, str(label), appeal, count, available))
    return choices


def latest_notice(grievance: Grievance) -> Announcement | None:
    """The announcement shown on the grievance page to members: the latest of the last two weeks."""
    since = timezone.now() - timedelta(days=NOTICE_DAYS)
    return (
        Announcement.objects.filter(grievance=grievance, created_at__gte=since)
        .select_related("created_by__seller", "appeal")
        .order_by("-created_at", "-pk")
        .first()
    )


def announcements_of(grievance: Grievance) -> list[Announcement]:
    return list(
        Announcement.objects.filter(grievance=grievance)
        .select_related("created_by__seller", "appeal")
        .order_by("-created_at", "-pk")
    )
