"""Plausible dates for what a seller or an organiser says happened: an incident, an infraction,
the day a store opened.

A date is plausible when it is
- on or after 1 January 2000 (EARLIEST_PLAUSIBLE): no marketplace in this product existed
  before, and a typo such as 0001-01-01 or 2205-03-01 must not reach the clocks;
- not in the future anywhere on Earth: a seller in Beijing at 07:00 enters a date that is still
  tomorrow in UTC, so "today" is the date at UTC+14, the earliest time zone;
- on or after a given earliest date when there is one, e.g. the day the store was created.

The validators raise Django's ValidationError with a plain, translated message and a code, so
models, forms and serializers can use them as they are.
"""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta

from django.core.exceptions import ValidationError
from django.utils import formats, timezone
from django.utils.translation import gettext_lazy as _

EARLIEST_PLAUSIBLE = date(2000, 1, 1)
# The earliest time zone (Line Islands, UTC+14): past its midnight, a date is "today" somewhere.
_EARLIEST_ZONE = timedelta(hours=14)

TOO_EARLY = _("Enter a date on or after %(earliest)s.")
IN_FUTURE = _("This date is in the future. Enter the day it happened.")


def latest_plausible_date(now: datetime | None = None) -> date:
    """Today in the earliest time zone: no date after this has happened anywhere yet."""
    moment = now or timezone.now()
    return (moment.astimezone(UTC) + _EARLIEST_ZONE).date()


def validate_plausible_date(value: date | None) -> None:
    """Model/form/serializer validator: on or after 2000-01-01 and not in the future."""
    if value is None:
        return
    validate_not_before(value, EARLIEST_PLAUSIBLE)
    if value > latest_plausible_date():
        raise ValidationError(IN_FUTURE, code="date_in_future")


def validate_not_before(
    value: date | None, earliest: date | datetime | None, *, message=None
) -> None:
    """Refuse a date before `earliest` (a datetime counts by its date in UTC).

    `message` may replace the default ("Enter a date on or after 16 March 2026."); it gets
    `%(earliest)s`, the date formatted for the active language.
    """
    if value is None or earliest is None:
        return
    if isinstance(earliest, datetime):
        aware = timezone.is_aware(earliest)
        earliest = earliest.astimezone(UTC).date() if aware else earliest.date()
    if value < earliest:
        raise ValidationError(
            message or TOO_EARLY,
            code="date_too_early",
            params={"earliest": formats.date_format(earliest, "DATE_FORMAT")},
        )


def validate_date_between(value: date | None, *, earliest: date | datetime | None = None) -> None:
    """The whole rule at once: plausible, and not before `earliest` (e.g. the store's creation)."""
    validate_plausible_date(value)
    validate_not_before(value, earliest)
