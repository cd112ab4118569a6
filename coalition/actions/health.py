"""Saving and deleting a store's health check (its figures for one period)."""

from __future__ import annotations

import secrets
from datetime import date
from typing import Any

from django.core.files.base import ContentFile
from django.core.files.storage import default_storage
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
    replace: bool = True,
) -> tuple[Any, bool]:
    """Save a store's figures for a period. The same period again replaces its figures when
    `replace` is true; the pages pass the seller's explicit choice, so an import never silently
    overwrites figures typed in by hand. Returns (check, created)."""
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
    if check is not None and not replace:
        raise ActionRefused(already_checked_message(check), field="replace")
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


def already_checked_message(check: Any) -> str:
    how = _("typed in by hand") if check.source == HealthCheck.Source.MANUAL else _("imported")
    return _(
        "You already have figures for this store and period (%(how)s on %(day)s). Tick “Replace "
        "them” to save these instead."
    ) % {"how": how, "day": timezone.localtime(check.updated_at).date().isoformat()}


# --- an uploaded export between its upload and its import ---------------------------------------

STASH_DIR = "health-imports"


def stash_export(data: bytes) -> str:
    """Keep an uploaded export in private storage while the seller maps its columns; returns its
    token (random: the session holds it, and only the uploader's session knows it)."""
    token = secrets.token_urlsafe(18)
    default_storage.save(f"{STASH_DIR}/{token}.csv", ContentFile(data))
    return token


def read_stash(token: str) -> bytes | None:
    path = f"{STASH_DIR}/{token}.csv"
    if not token.replace("-", "").replace("_", "").isalnum() or not default_storage.exists(path):
        return None
    with default_storage.open(path, "rb") as fh:
        return fh.read()


def drop_stash(token: str) -> None:
    path = f"{STASH_DIR}/{token}.csv"
    if token.replace("-", "").replace("_", "").isalnum() and default_storage.exists(path):
        default_storage.delete(path)
