"""Saving and deleting a store's health check (its figures for one period)."""

from __future__ import annotations

from datetime import date
from typing import Any

from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from coalition.actions.timeline import record_event
from coalition.errors import ActionRefused
from coalition.models import HealthCheck
from coalition.rules.thresholds import PART_FIELDS, Figures, figure_errors


@transaction.atomic
def record_health_check(
    store: Any,
    *,
    actor: Any,
    period_start: date,
    period_end: date,
    figures: Figures,
    source: str = "manual",
) -> tuple[Any, bool]:
    """Save a store's figures for a period; the same period again replaces its figures.
    Returns (check, created)."""
    _require_owner(store, actor)
    _check_period(period_start, period_end)
    errors = figure_errors(figures)
    if errors:
        name, message = next(iter(errors.items()))
        raise ActionRefused(message, field=name)
    values = {
        "orders": figures.orders,
        **{f: getattr(figures, f) for f in PART_FIELDS},
        "source": source,
    }
    lookup = {"store": store, "period_start": period_start, "period_end": period_end}
    check = HealthCheck.objects.select_for_update().filter(**lookup).first()
    created = check is None
    if created:
        try:
            with transaction.atomic():
                check = HealthCheck.objects.create(**lookup, **values)
        except IntegrityError:  # the same period saved at the same moment: update that one
            check, created = HealthCheck.objects.select_for_update().get(**lookup), False
    if not created:
        for name, value in values.items():
            setattr(check, name, value)
        check.save(update_fields=[*values, "updated_at"])
    record_event(
        None,
        "health.recorded",
        actor=actor,
        subject=f"health:{check.pk}",
        store=store.pk,
        created=created,
    )
    return check, created


@transaction.atomic
def delete_health_check(check: Any, *, actor: Any) -> None:
    _require_owner(check.store, actor)
    record_event(
        None, "health.deleted", actor=actor, subject=f"health:{check.pk}", store=check.store_id
    )
    check.delete()


def _require_owner(store: Any, actor: Any) -> None:
    if getattr(actor, "pk", None) is None or store.seller.user_id != actor.pk:
        raise ActionRefused(_("You can only check your own stores."), field="store")


def _check_period(start: date, end: date) -> None:
    if end < start:
        raise ActionRefused(
            _("The period must end on or after the day it starts."), field="period_end"
        )
    if end > timezone.localdate():
        raise ActionRefused(_("The period cannot end in the future."), field="period_end")
