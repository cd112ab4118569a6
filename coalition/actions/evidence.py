"""Evidence actions: upload (validated, sniffed and hashed while streaming), withdrawal, visibility,
and the custody log (docs/domain.md, evidence).

Every upload, view, download, withdrawal and visibility change is an AuditEvent with subject
"evidence:<id>", so who touched which file, and when, can always be shown. What a file is, and
whether it may be evidence, is decided by coalition/rules/sniffing.py.
"""

from __future__ import annotations

import logging
from functools import partial
from typing import Any

from django.core.files import File
from django.core.files.storage import Storage
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from coalition.actions.timeline import record_event
from coalition.categories import EvidenceKind
from coalition.errors import ActionRefused
from coalition.models import Evidence, Grievance, Membership
from coalition.queries.memberships import can_organise
from coalition.queries.sellers import seller_of
from coalition.rules.sniffing import (
    ALLOWED_SUMMARY,
    FAMILIES,
    check_agreement,
    clean_name,
    content_type_of,
    max_bytes,
    scan,
    sniff,
    too_large_message,
)

logger = logging.getLogger(__name__)

VIEWED, DOWNLOADED = "viewed", "downloaded"


def upload_evidence(
    grievance: Grievance,
    *,
    actor,
    uploaded_file,
    kind: str,
    description: str = "",
    visibility: str = Evidence.Visibility.ORGANISERS,
    redacted_of: Evidence | None = None,
) -> tuple[Evidence, bool]:
    """Bring a file to the grievance. Returns (evidence, created): the same file already in the
    grievance (same SHA-256, not withdrawn) is returned as it is, with created False.

    Reading, hashing and storing happen outside the database transaction: on SQLite a write
    transaction locks the whole database, and storing to S3 may take a while.
    """
    membership = _uploader(grievance, actor)
    _check_choices(kind, visibility)
    _check_redaction(redacted_of, membership)
    content = uploaded_file if isinstance(uploaded_file, File) else File(uploaded_file)
    declared_size = getattr(content, "size", None)
    if declared_size is not None and declared_size > max_bytes():  # refuse before reading anything
        raise ActionRefused(too_large_message(declared_size), field="file", code="too_large")
    found = scan(content)
    if found.size == 0:
        raise ActionRefused(_("The file is empty."), field="file", code="empty")
    family_key = sniff(content, found)
    if family_key is None:
        raise ActionRefused(
            _("This kind of file cannot be evidence. %(allowed)s") % {"allowed": ALLOWED_SUMMARY},
            field="file",
            code="type_not_allowed",
        )
    family = FAMILIES[family_key]
    name = check_agreement(
        clean_name(getattr(content, "name", "") or ""), getattr(content, "content_type", ""), family
    )
    existing = _live_duplicate(grievance, found.sha256)
    if existing is not None:
        return existing, False
    evidence = Evidence(
        grievance=grievance,
        membership=membership,
        kind=kind,
        description=(description or "").strip()[:300],
        original_name=name,
        content_type=content_type_of(family, name, found.charset),
        size=found.size,
        sha256=found.sha256,
        redacted_of=redacted_of,
        visibility=visibility,
    )
    content.seek(0)
    evidence.file.save(name, content, save=False)  # the stored name is random (evidence_path)
    try:
        return _insert(evidence, actor)
    except BaseException:
        _delete_stored(evidence.file.storage, evidence.file.name)
        raise


def _insert(evidence: Evidence, actor) -> tuple[Evidence, bool]:
    with transaction.atomic():
        # A savepoint: a concurrent upload of the same file may win the unique constraint.
        try:
            with transaction.atomic():
                evidence.save()
        except IntegrityError:
            existing = _live_duplicate(evidence.grievance, evidence.sha256)
            if existing is None:
                raise
            _delete_stored(evidence.file.storage, evidence.file.name)
            return existing, False
        record_event(
            evidence.grievance,
            "evidence.uploaded",
            actor=actor,
            subject=subject_of(evidence),
            **_facts(evidence),
            kind=evidence.kind,
            size=evidence.size,
            content_type=evidence.content_type,
            visibility=evidence.visibility,
            redacted_of=evidence.redacted_of_id,
        )
    return evidence, True


@transaction.atomic
def withdraw_evidence(evidence: Evidence, *, actor) -> Evidence:
    """The member who brought a file takes it back: the file is deleted from storage (after the
    commit), the row, its hash and its custody log stay. Nobody else can do this."""
    evidence = _locked(evidence)
    _require_owner(
        evidence,
        actor,
        _(
            "Organisers cannot delete a member's evidence. Only the member who brought it can withdraw it."
        ),
    )
    if evidence.is_withdrawn:
        return evidence
    storage, stored = evidence.file.storage, evidence.file.name
    evidence.withdrawn_at = timezone.now()
    evidence.file = ""
    evidence.save(update_fields=["withdrawn_at", "file"])
    record_event(
        evidence.grievance,
        "evidence.withdrawn",
        actor=actor,
        subject=subject_of(evidence),
        **_facts(evidence),
    )
    if stored:
        # Only once the withdrawal is committed: a rolled-back withdrawal must not lose the file.
        transaction.on_commit(partial(_delete_stored, storage, stored))
    return evidence


@transaction.atomic
def set_visibility(evidence: Evidence, *, actor, visibility: str) -> Evidence:
    """The member who brought a file decides who sees it: organisers only, or all members."""
    evidence = _locked(evidence)
    _require_owner(
        evidence, actor, _("Only the member who brought this file can change who sees it.")
    )
    _check_choices(evidence.kind, visibility)
    if evidence.is_withdrawn:
        raise ActionRefused(_("This file was withdrawn."), code="withdrawn")
    if evidence.visibility == visibility:
        return evidence
    previous = evidence.visibility
    evidence.visibility = visibility
    evidence.save(update_fields=["visibility"])
    record_event(
        evidence.grievance,
        "evidence.visibility_changed",
        actor=actor,
        subject=subject_of(evidence),
        **_facts(evidence),
        **{"from": previous, "to": visibility},
    )
    return evidence


def record_access(evidence: Evidence, *, actor, verb: str) -> None:
    """The custody log of one look at a file: verb "viewed" (its page or API record) or
    "downloaded". Callers check that the actor may see it first."""
    if verb not in (VIEWED, DOWNLOADED):
        raise ValueError(f"unknown evidence access: {verb}")
    with transaction.atomic():
        record_event(
            evidence.grievance,
            f"evidence.{verb}",
            actor=actor,
            subject=subject_of(evidence),
            **_facts(evidence),
        )


def subject_of(evidence: Evidence) -> str:
    return f"evidence:{evidence.pk}"


# --- helpers -------------------------------------------------------------------------------


def _uploader(grievance: Grievance, actor) -> Membership:
    seller = seller_of(actor)
    membership = (
        Membership.objects.active().filter(grievance=grievance, seller=seller).first()
        if seller
        else None
    )
    if membership is None:
        raise ActionRefused(
            _("Only members of this grievance can bring evidence."), code="forbidden"
        )
    if grievance.state == Grievance.State.MERGED:
        raise ActionRefused(
            _("This grievance was merged into another one. Bring your evidence there.")
        )
    return membership


def _check_choices(kind: str, visibility: str) -> None:
    if kind not in EvidenceKind.values:
        raise ActionRefused(_("Choose what kind of evidence this is."), field="kind")
    if visibility not in Evidence.Visibility.values:
        raise ActionRefused(_("Choose who can see this file."), field="visibility")


def _check_redaction(original: Evidence | None, membership: Membership) -> None:
    if original is None:
        return
    if original.membership_id != membership.pk or original.grievance_id != membership.grievance_id:
        raise ActionRefused(
            _("A redacted copy must be of a file you brought to this grievance."),
            field="redacted_of",
        )
    if original.is_withdrawn:
        raise ActionRefused(
            _("That file was withdrawn; bring it again before adding a redacted copy."),
            field="redacted_of",
        )


def _live_duplicate(grievance: Grievance, sha256: str) -> Evidence | None:
    return (
        Evidence.objects.filter(grievance=grievance, sha256=sha256, withdrawn_at__isnull=True)
        .select_related("membership__seller")
        .first()
    )


def _locked(evidence: Evidence) -> Evidence:
    return (
        Evidence.objects.select_for_update(of=("self",))
        .select_related("grievance", "membership__seller")
        .get(pk=evidence.pk)
    )


def _require_owner(evidence: Evidence, actor, organiser_message: str) -> None:
    if actor is not None and getattr(actor, "pk", None) == evidence.membership.seller.user_id:
        return
    if actor is not None and can_organise(actor, evidence.grievance):
        raise ActionRefused(organiser_message, code="forbidden")
    raise ActionRefused(_("You can only change evidence you brought."), code="forbidden")


def _facts(evidence: Evidence) -> dict[str, Any]:
    return {"sha256": evidence.sha256, "name": evidence.original_name}


def _delete_stored(storage: Storage, name: str) -> None:
    if not name:
        return
    try:
        storage.delete(name)
    except Exception:  # a file left behind is logged, never a failed request
        logger.exception("could not delete evidence file %s", name)
