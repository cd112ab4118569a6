"""Evidence pages: a grievance's evidence with its checklist and the upload form, one file's page
with its custody log, downloads through this authorising view, withdrawal and visibility.

Files are never served from a public URL. Whoever may not see a file gets a 404, never a 403
(docs/domain.md, permissions). Every view of a file's page and every download is logged
(coalition/actions/evidence.py).
"""

from __future__ import annotations

import logging

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.forms.utils import ErrorList
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.csrf import csrf_exempt, csrf_protect
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from coalition.actions.evidence import (
    DOWNLOADED,
    VIEWED,
    record_access,
    set_visibility,
    upload_evidence,
    withdraw_evidence,
)
from coalition.errors import ActionRefused
from coalition.forms.evidence import EvidenceUploadForm, VisibilityForm
from coalition.models import Evidence, Grievance
from coalition.pages.evidence import evidence_file_response, log_rows, row
from coalition.queries.evidence import (
    Viewer,
    checklist_status,
    own_live_evidence,
    viewer_of,
    visible_evidence,
)
from coalition.queries.grievances import reachable_grievances
from coalition.rules.sniffing import limit_uploads, too_large_message

logger = logging.getLogger(__name__)

PAGE_SIZE = 50


def _grievance(request: HttpRequest, pk: int) -> Grievance:
    return get_object_or_404(reachable_grievances(request.user), pk=pk)


def _file(
    request: HttpRequest,
    grievance: Grievance,
    viewer: Viewer,
    evidence_id: int,
    *,
    include_withdrawn: bool,
) -> Evidence:
    qs = visible_evidence(
        request.user, grievance, include_withdrawn=include_withdrawn, viewer=viewer
    )
    return get_object_or_404(qs, pk=evidence_id)


@login_required
@require_GET
def evidence_list(request: HttpRequest, pk: int) -> HttpResponse:
    grievance = _grievance(request, pk)
    viewer = viewer_of(request.user, grievance)
    qs = visible_evidence(request.user, grievance, include_withdrawn=True, viewer=viewer)
    page = Paginator(qs, PAGE_SIZE).get_page(request.GET.get("page"))
    may_upload = viewer.active_member and grievance.state != Grievance.State.MERGED
    return render(
        request,
        "coalition/evidence/list.html",
        {
            "grievance": grievance,
            "viewer": viewer,
            "page_obj": page,
            "rows": [row(e, viewer) for e in page.object_list],
            "checklist": checklist_status(grievance, viewer),
            "form": EvidenceUploadForm(own=own_live_evidence(viewer)) if may_upload else None,
        },
    )


@csrf_exempt  # CSRF is checked by _upload, after the size limit is in place (Django docs, upload handlers)
@login_required
@require_http_methods(["GET", "POST"])
def evidence_upload(request: HttpRequest, pk: int) -> HttpResponse:
    # Who may upload is settled before a byte of the body is read.
    grievance = _grievance(request, pk)
    viewer = viewer_of(request.user, grievance)
    if not viewer.active_member:
        raise PermissionDenied(_("Only members of this grievance can bring evidence."))
    limit = limit_uploads(request) if request.method == "POST" else None
    return _upload(request, grievance, viewer, limit)


@csrf_protect
def _upload(request: HttpRequest, grievance: Grievance, viewer: Viewer, limit) -> HttpResponse:
    own = own_live_evidence(viewer)
    if request.method != "POST":
        initial = {k: request.GET[k] for k in ("kind", "redacted_of") if request.GET.get(k)}
        return _upload_page(request, grievance, EvidenceUploadForm(initial=initial, own=own))
    form = EvidenceUploadForm(request.POST, request.FILES, own=own)
    valid = form.is_valid()
    if limit is not None and limit.exceeded:
        form.errors["file"] = ErrorList([too_large_message()])
        return _upload_page(request, grievance, form, status=400)
    if not valid:
        return _upload_page(request, grievance, form, status=400)
    data = form.cleaned_data
    try:
        evidence, created = upload_evidence(
            grievance,
            actor=request.user,
            uploaded_file=data["file"],
            kind=data["kind"],
            description=data["description"],
            visibility=data["visibility"],
            redacted_of=data.get("redacted_of"),
        )
    except ActionRefused as exc:
        form.add_error(exc.field if exc.field in form.fields else None, str(exc.message))
        return _upload_page(request, grievance, form, status=400)
    _tell_upload(request, evidence, created, viewer)
    return redirect("coalition:evidence_list", pk=grievance.pk)


def _upload_page(
    request: HttpRequest, grievance: Grievance, form: EvidenceUploadForm, status: int = 200
) -> HttpResponse:
    return render(
        request,
        "coalition/evidence/upload.html",
        {"grievance": grievance, "form": form},
        status=status,
    )


def _tell_upload(request: HttpRequest, evidence: Evidence, created: bool, viewer: Viewer) -> None:
    if created:
        messages.success(
            request, _("“%(name)s” was added to the evidence.") % {"name": evidence.original_name}
        )
    elif (
        viewer.owns(evidence)
        or viewer.organiser
        or evidence.visibility == Evidence.Visibility.MEMBERS
    ):
        messages.info(
            request,
            _(
                "This exact file is already in the evidence (“%(name)s”), so it was not stored twice."
            )
            % {"name": evidence.original_name},
        )
    else:
        messages.info(
            request,
            _("Another member already brought this exact file, so it was not stored twice."),
        )


@require_GET
def evidence_detail(request: HttpRequest, pk: int, evidence_id: int) -> HttpResponse:
    grievance = _grievance(request, pk)
    viewer = viewer_of(request.user, grievance)
    evidence = _file(request, grievance, viewer, evidence_id, include_withdrawn=True)
    record_access(evidence, actor=request.user, verb=VIEWED)
    copies = visible_evidence(request.user, grievance, viewer=viewer).filter(redacted_of=evidence)
    original = evidence.redacted_of
    if (
        original is not None
        and not visible_evidence(request.user, grievance, include_withdrawn=True, viewer=viewer)
        .filter(pk=original.pk)
        .exists()
    ):
        original = None
    return render(
        request,
        "coalition/evidence/detail.html",
        {
            "grievance": grievance,
            "viewer": viewer,
            "evidence": evidence,
            "row": row(evidence, viewer),
            "original": original,
            "copies": [row(e, viewer) for e in copies],
            "log": log_rows(evidence, viewer) if viewer.may_see_log(evidence) else None,
            "visibility_form": VisibilityForm(initial={"visibility": evidence.visibility}),
        },
    )


@require_GET
def evidence_download(request: HttpRequest, pk: int, evidence_id: int) -> HttpResponse:
    grievance = _grievance(request, pk)
    viewer = viewer_of(request.user, grievance)
    evidence = _file(request, grievance, viewer, evidence_id, include_withdrawn=False)
    response = evidence_file_response(evidence)
    record_access(evidence, actor=request.user, verb=DOWNLOADED)
    return response


@require_POST
def evidence_withdraw(request: HttpRequest, pk: int, evidence_id: int) -> HttpResponse:
    grievance = _grievance(request, pk)
    viewer = viewer_of(request.user, grievance)
    evidence = _file(request, grievance, viewer, evidence_id, include_withdrawn=True)
    try:
        withdraw_evidence(evidence, actor=request.user)
    except ActionRefused as exc:
        messages.error(request, str(exc.message))
        return redirect("coalition:evidence_detail", pk=grievance.pk, evidence_id=evidence.pk)
    messages.success(
        request,
        _("“%(name)s” was withdrawn. The file is deleted; its fingerprint and log are kept.")
        % {"name": evidence.original_name},
    )
    return redirect("coalition:evidence_list", pk=grievance.pk)


@require_POST
def evidence_visibility(request: HttpRequest, pk: int, evidence_id: int) -> HttpResponse:
    grievance = _grievance(request, pk)
    viewer = viewer_of(request.user, grievance)
    evidence = _file(request, grievance, viewer, evidence_id, include_withdrawn=False)
    form = VisibilityForm(request.POST)
    try:
        if not form.is_valid():
            raise ActionRefused(_("Choose who can see this file."))
        set_visibility(evidence, actor=request.user, visibility=form.cleaned_data["visibility"])
    except ActionRefused as exc:
        messages.error(request, str(exc.message))
    else:
        messages.success(
            request, _("Saved: who can see “%(name)s”.") % {"name": evidence.original_name}
        )
    return redirect("coalition:evidence_detail", pk=grievance.pk, evidence_id=evidence.pk)
