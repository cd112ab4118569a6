"""Evidence pages: a grievance's evidence with its checklist and the upload form, one file's page
with its custody log, downloads through this authorising view, withdrawal and visibility.

Files are never served from a public URL. Whoever may not see a file gets a 404, never a 403
(DESIGN.md §5). Every view of a file's page and every download is logged (coalition.evidence).
The URLs are in coalition/evidence_urls.py, included under the "coalition" namespace.
"""

from __future__ import annotations

import logging
from typing import Any

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.db.models import Q
from django.forms.utils import ErrorList
from django.http import FileResponse, Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.template.defaultfilters import filesizeformat
from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.csrf import csrf_exempt, csrf_protect
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from coalition import evidence as actions
from coalition.categories import EvidenceKind
from coalition.errors import ActionRefused
from coalition.evidence_queries import (
    Viewer,
    checklist_status,
    custody_log,
    uploader_name,
    viewer_of,
    visible_evidence,
)
from coalition.models import Evidence, Grievance, Membership
from coalition.queries import reachable_grievances
from coalition.timeline import describe

logger = logging.getLogger(__name__)

PAGE_SIZE = 50
ACCEPT = ".pdf,.png,.jpg,.jpeg,.webp,.txt,.csv,.tsv,.xlsx,.xls"
TYPE_LABELS = {
    "application/pdf": "PDF",
    "image/png": "PNG",
    "image/jpeg": "JPEG",
    "image/webp": "WebP",
    actions.XLSX_TYPE: "XLSX",
    "application/vnd.ms-excel": "XLS",
    "text/csv": "CSV",
    "text/tab-separated-values": "TSV",
    "text/plain": gettext_lazy("Text"),
}


# --- forms -------------------------------------------------------------------------------------


class EvidenceUploadForm(forms.Form):
    # The file comes last: if it is too large the rest of the body is dropped, so the fields
    # before it survive and the form comes back filled in.
    kind = forms.ChoiceField(label=gettext_lazy("What is it?"), choices=EvidenceKind.choices)
    description = forms.CharField(
        label=gettext_lazy("Description"),
        max_length=300,
        required=False,
        help_text=gettext_lazy("For example: order numbers, dates, what the file shows."),
    )
    visibility = forms.ChoiceField(
        label=gettext_lazy("Who can see it"),
        choices=Evidence.Visibility.choices,
        initial=Evidence.Visibility.ORGANISERS,
        widget=forms.RadioSelect,
    )
    redacted_of = forms.ModelChoiceField(
        label=gettext_lazy("This is a redacted copy of"),
        queryset=Evidence.objects.none(),
        required=False,
        help_text=gettext_lazy(
            "Only black out prices, nothing else, so the copy can be shared more widely."
        ),
    )
    file = forms.FileField(
        label=gettext_lazy("File"),
        widget=forms.ClearableFileInput(attrs={"accept": ACCEPT}),
    )

    def __init__(self, *args, own: Any = None, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["file"].help_text = _(
            "PDF, PNG, JPEG, WebP, text, CSV or Excel; at most %(limit)s."
        ) % {"limit": filesizeformat(actions.max_bytes())}
        if own is None:
            del self.fields["redacted_of"]
        else:
            self.fields["redacted_of"].queryset = own
            self.fields["redacted_of"].label_from_instance = lambda e: (
                f"{e.original_name} ({e.get_kind_display()})"
            )


class VisibilityForm(forms.Form):
    visibility = forms.ChoiceField(choices=Evidence.Visibility.choices, widget=forms.RadioSelect)


# --- downloads ---------------------------------------------------------------------------------


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


def type_label(content_type: str) -> str:
    return str(TYPE_LABELS.get(content_type.split(";")[0].strip(), content_type))


# --- pages -------------------------------------------------------------------------------------


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


def _own_live(viewer: Viewer):
    if not viewer.active_member:
        return None
    return Evidence.objects.filter(
        membership=viewer.membership, withdrawn_at__isnull=True
    ).order_by("-uploaded_at")


def _row(evidence: Evidence, viewer: Viewer) -> dict[str, Any]:
    return {
        "evidence": evidence,
        "uploader": uploader_name(evidence, viewer),
        "type": type_label(evidence.content_type),
        "own": viewer.owns(evidence),
    }


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
            "rows": [_row(e, viewer) for e in page.object_list],
            "checklist": checklist_status(grievance, viewer),
            "form": EvidenceUploadForm(own=_own_live(viewer)) if may_upload else None,
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
    limit = actions.limit_uploads(request) if request.method == "POST" else None
    return _upload(request, grievance, viewer, limit)


@csrf_protect
def _upload(request: HttpRequest, grievance: Grievance, viewer: Viewer, limit) -> HttpResponse:
    own = _own_live(viewer)
    if request.method != "POST":
        initial = {k: request.GET[k] for k in ("kind", "redacted_of") if request.GET.get(k)}
        return _upload_page(request, grievance, EvidenceUploadForm(initial=initial, own=own))
    form = EvidenceUploadForm(request.POST, request.FILES, own=own)
    valid = form.is_valid()
    if limit is not None and limit.exceeded:
        form.errors["file"] = ErrorList([actions.too_large_message()])
        return _upload_page(request, grievance, form, status=400)
    if not valid:
        return _upload_page(request, grievance, form, status=400)
    data = form.cleaned_data
    try:
        evidence, created = actions.upload_evidence(
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
    actions.record_access(evidence, actor=request.user, verb=actions.VIEWED)
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
            "row": _row(evidence, viewer),
            "original": original,
            "copies": [_row(e, viewer) for e in copies],
            "log": _log_rows(evidence, viewer) if viewer.may_see_log(evidence) else None,
            "visibility_form": VisibilityForm(initial={"visibility": evidence.visibility}),
        },
    )


def _log_rows(evidence: Evidence, viewer: Viewer) -> list[dict[str, Any]]:
    events = list(custody_log(evidence))
    actor_ids = {e.actor_id for e in events if e.actor_id}
    # Names follow the member list's rule: organisers and members who consented to be named.
    named = set(
        Membership.objects.filter(grievance_id=evidence.grievance_id, seller__user_id__in=actor_ids)
        .filter(Q(role=Membership.Role.ORGANISER) | Q(consent_to_name=True))
        .values_list("seller__user_id", flat=True)
    )
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


@require_GET
def evidence_download(request: HttpRequest, pk: int, evidence_id: int) -> HttpResponse:
    grievance = _grievance(request, pk)
    viewer = viewer_of(request.user, grievance)
    evidence = _file(request, grievance, viewer, evidence_id, include_withdrawn=False)
    response = evidence_file_response(evidence)
    actions.record_access(evidence, actor=request.user, verb=actions.DOWNLOADED)
    return response


@require_POST
def evidence_withdraw(request: HttpRequest, pk: int, evidence_id: int) -> HttpResponse:
    grievance = _grievance(request, pk)
    viewer = viewer_of(request.user, grievance)
    evidence = _file(request, grievance, viewer, evidence_id, include_withdrawn=True)
    try:
        actions.withdraw_evidence(evidence, actor=request.user)
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
        actions.set_visibility(
            evidence, actor=request.user, visibility=form.cleaned_data["visibility"]
        )
    except ActionRefused as exc:
        messages.error(request, str(exc.message))
    else:
        messages.success(
            request, _("Saved: who can see “%(name)s”.") % {"name": evidence.original_name}
        )
    return redirect("coalition:evidence_detail", pk=grievance.pk, evidence_id=evidence.pk)


# --- the grievance page's checklist section ------------------------------------------------------


def grievance_section(
    request: HttpRequest, *, grievance: Grievance, membership, organiser: bool
) -> dict[str, Any]:
    """Context for coalition/evidence/_section.html on the grievance page (one query), for
    coalition.views.register_grievance_section."""
    return {"evidence_checklist": checklist_status(grievance, membership, organiser=organiser)}


def evidence_url(evidence: Evidence) -> str:
    return reverse(
        "coalition:evidence_detail",
        kwargs={"pk": evidence.grievance_id, "evidence_id": evidence.pk},
    )


__all__ = [
    "EvidenceUploadForm",
    "evidence_detail",
    "evidence_download",
    "evidence_file_response",
    "evidence_list",
    "evidence_upload",
    "evidence_url",
    "evidence_visibility",
    "evidence_withdraw",
    "grievance_section",
    "type_label",
]
