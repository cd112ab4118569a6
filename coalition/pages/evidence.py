"""The evidence pages' view-models: rows with the uploader's name as the viewer may know it, the
custody log, the file download response, and the grievance page's checklist section.

Files are never served from a public URL: `evidence_file_response` streams one to a viewer the
view has already authorised (docs/domain.md, evidence)."""

from __future__ import annotations

import logging
from typing import Any

from django.http import FileResponse, Http404, HttpRequest
from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from coalition.models import Evidence, Grievance
from coalition.queries.evidence import (
    Viewer,
    checklist_status,
    custody_log,
    named_in_log,
    uploader_name,
)
from coalition.rules.sniffing import XLSX_TYPE
from coalition.rules.verbs import describe

logger = logging.getLogger(__name__)

TYPE_LABELS = {
    "application/pdf": "PDF",
    "image/png": "PNG",
    "image/jpeg": "JPEG",
    "image/webp": "WebP",
    XLSX_TYPE: "XLSX",
    "application/vnd.ms-excel": "XLS",
    "text/csv": "CSV",
    "text/tab-separated-values": "TSV",
    "text/plain": gettext_lazy("Text"),
}


def type_label(content_type: str) -> str:
    return str(TYPE_LABELS.get(content_type.split(";")[0].strip(), content_type))


def evidence_file_response(evidence: Evidence) -> FileResponse:
    """Stream one file as an attachment under its sanitised name (RFC 5987 for non-ASCII names)
    and its sniffed type, with headers that stop browsers from rendering or caching it."""
    try:
        handle = evidence.file.open("rb")
    except (FileNotFoundError, ValueError) as exc:  # ValueError: no file (withdrawn)
        logger.error("evidence %s has no stored file", evidence.pk)
        raise Http404 from exc
    response = FileResponse(
        handle,
        as_attachment=True,
        filename=evidence.original_name,
        content_type=evidence.content_type,
    )
    response["X-Content-Type-Options"] = "nosniff"
    response["Cache-Control"] = "private, no-store"
    response["Content-Security-Policy"] = "default-src 'none'; sandbox"
    response["Cross-Origin-Resource-Policy"] = "same-origin"
    return response


def row(evidence: Evidence, viewer: Viewer) -> dict[str, Any]:
    return {
        "evidence": evidence,
        "uploader": uploader_name(evidence, viewer),
        "type": type_label(evidence.content_type),
        "own": viewer.owns(evidence),
    }


def log_rows(evidence: Evidence, viewer: Viewer) -> list[dict[str, Any]]:
    events = list(custody_log(evidence))
    actor_ids = {e.actor_id for e in events if e.actor_id}
    # Names follow the member list's rule: organisers and members who consented to be named.
    named = named_in_log(evidence.grievance_id, actor_ids)
    own_user = viewer.membership.seller.user_id if viewer.membership else None
    return [
        {"event": e, "label": describe(e), "actor": _actor(e.actor, viewer, named, own_user)}
        for e in events
    ]


def _actor(user, viewer: Viewer, named: set[int], own_user: int | None) -> str:
    if user is None:
        return _("Coalition")
    if user.pk == own_user:
        return _("You")
    seller = getattr(user, "seller", None)
    if seller is not None and (viewer.organiser or user.pk in named):
        return seller.display_name
    if user.is_staff:
        return _("Coalition staff")
    return _("A member")


def grievance_section(
    request: HttpRequest, *, grievance: Grievance, membership, organiser: bool
) -> dict[str, Any]:
    """Context for coalition/evidence/_section.html on the grievance page (one query), for
    coalition.pages.sections.register_grievance_section."""
    return {"evidence_checklist": checklist_status(grievance, membership, organiser=organiser)}


def evidence_url(evidence: Evidence) -> str:
    return reverse(
        "coalition:evidence_detail",
        kwargs={"pk": evidence.grievance_id, "evidence_id": evidence.pk},
    )
