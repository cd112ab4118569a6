"""Packet pages: the round packet's download and evidence selection (organisers), a member's own
case packet, and the signed link a platform uses when the packet was too large to attach.

Whoever may not have a packet gets a 404 (docs/domain.md "Who may see and do what"). Building a
packet is read-only (appeals/documents/packets.py); what is recorded about it goes through
appeals.actions.packets.
"""

from __future__ import annotations

import logging
from pathlib import Path
from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import FileResponse, Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods

from appeals.actions import packets as packet_actions
from appeals.documents import packets
from appeals.forms.packets import PacketEvidenceForm
from appeals.models import Appeal
from coalition.errors import ActionRefused
from coalition.models import Evidence
from coalition.pages.evidence import type_label
from coalition.queries.evidence import Viewer, uploader_name
from coalition.queries.grievances import reachable_grievances
from coalition.queries.memberships import can_organise, membership_of

logger = logging.getLogger(__name__)


def _round_for_organisers(request: HttpRequest, pk: int) -> Appeal:
    """The round, for its grievance's organisers and staff; a 404 for everyone else."""
    grievances = reachable_grievances(request.user)
    appeal = get_object_or_404(
        Appeal.objects.select_related("grievance__platform").filter(grievance__in=grievances), pk=pk
    )
    if not can_organise(request.user, appeal.grievance):
        raise Http404
    return appeal


def zip_response(path: Path, filename: str, sha256: str) -> FileResponse:
    """Stream a finished ZIP and remove it: on POSIX the open handle keeps the data readable."""
    handle = path.open("rb")
    path.unlink(missing_ok=True)
    response = FileResponse(
        handle, as_attachment=True, filename=filename, content_type="application/zip"
    )
    response["X-Content-Type-Options"] = "nosniff"
    response["Cache-Control"] = "private, no-store"
    response["X-Packet-SHA256"] = sha256
    return response


@require_GET
def round_packet(request: HttpRequest, pk: int) -> HttpResponse:
    appeal = _round_for_organisers(request, pk)
    try:
        path, sha256 = packets.build_round_packet(appeal)
    except packets.PacketError as exc:
        messages.error(request, str(exc.message))
        return redirect(appeal)
    packet_actions.record_packet_download(appeal, actor=request.user, sha256=sha256)
    return zip_response(path, packets.packet_filename(appeal), sha256)


@login_required
@require_http_methods(["GET", "POST"])
def round_packet_evidence(request: HttpRequest, pk: int) -> HttpResponse:
    """Organisers tick the files that go into the round's packet."""
    appeal = _round_for_organisers(request, pk)
    choices = (
        Evidence.objects.filter(grievance_id=appeal.grievance_id, withdrawn_at__isnull=True)
        .select_related("membership__seller", "redacted_of")
        .order_by("kind", "uploaded_at", "pk")
    )
    form = PacketEvidenceForm(request.POST or None, choices=choices)
    if request.method == "POST" and form.is_valid():
        try:
            packet_actions.select_packet_evidence(
                appeal, [e.pk for e in form.cleaned_data["evidence"]], actor=request.user
            )
        except ActionRefused as exc:
            form.add_error(None, str(exc.message))
        else:
            messages.success(request, _("The packet's evidence was saved."))
            return redirect(appeal)
    selected = (
        {int(pk) for pk in form["evidence"].value() or []}
        if form.is_bound
        else set(appeal.packet_evidence.values_list("pk", flat=True))
    )
    return render(
        request,
        "appeals/packet/evidence_select.html",
        {
            "appeal": appeal,
            "grievance": appeal.grievance,
            "form": form,
            "rows": _rows(list(choices), selected),
            "editable": appeal.state in packets.SELECTABLE_STATES,
        },
        status=400 if form.errors else 200,
    )


def _rows(evidence: list[Evidence], selected: set[int]) -> list[dict[str, Any]]:
    organiser = Viewer(membership=None, organiser=True)
    has_copy = {e.redacted_of_id for e in evidence if e.redacted_of_id}
    return [
        {
            "evidence": e,
            "selected": e.pk in selected,
            "uploader": uploader_name(e, organiser),
            "type": type_label(e.content_type),
            "has_redacted_copy": e.pk in has_copy,
        }
        for e in evidence
    ]


@require_GET
def case_packet(request: HttpRequest, pk: int) -> HttpResponse:
    """A member's own case packet (their evidence, case details, Plan of Action draft)."""
    grievance = get_object_or_404(reachable_grievances(request.user), pk=pk)
    membership = membership_of(request.user, grievance)
    if membership is None:
        raise Http404
    try:
        path, sha256 = packets.build_case_packet(membership)
    except packets.PacketError as exc:
        messages.error(request, str(exc.message))
        return redirect("coalition:evidence_list", pk=grievance.pk)
    packet_actions.record_case_packet_download(membership, actor=request.user, sha256=sha256)
    return zip_response(path, packets.case_packet_filename(membership), sha256)


@require_GET
def round_packet_shared(request: HttpRequest, token: str) -> HttpResponse:
    """The packet for the platform, by the signed link in the submission email. It serves only
    the exact packet that was sent (same SHA-256); anything else is gone."""
    found = packets.read_packet_token(token)
    if found is None:
        raise Http404
    appeal = get_object_or_404(
        Appeal.objects.select_related("grievance__platform").filter(state__in=packets.SENT_STATES),
        pk=found[0],
    )
    try:
        path, sha256 = packets.build_round_packet(appeal)
    except packets.PacketError:
        logger.exception("packet of round %s cannot be built for a shared link", appeal.pk)
        return HttpResponse(
            _("This packet is no longer available."),
            status=410,
            content_type="text/plain; charset=utf-8",
        )
    if sha256 != found[1]:
        path.unlink(missing_ok=True)
        return HttpResponse(
            _(
                "This packet has changed since the link was sent. Ask the sellers' organisers for a new link."
            ),
            status=410,
            content_type="text/plain; charset=utf-8",
        )
    packet_actions.record_packet_download(appeal, actor=None, sha256=sha256, via="link")
    return zip_response(path, packets.packet_filename(appeal), sha256)


__all__ = [
    "case_packet",
    "round_packet",
    "round_packet_evidence",
    "round_packet_shared",
    "zip_response",
]
