"""Platform replies on the round page: classifying one, and opening the original message or an
attachment (organisers and staff only; a 404 for everyone else, who may not know it exists).
Every opening of a raw message is in its custody log."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import FileResponse, Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_POST

from appeals.actions import inbound
from appeals.forms.inbound import ClassifyForm
from appeals.models import InboundAttachment
from appeals.queries.inbound import readable_messages, thread_responses
from appeals.queries.rounds import reachable_round
from coalition.errors import ActionRefused
from coalition.queries.memberships import can_organise


@login_required
@require_POST
def classify_response(request: HttpRequest, pk: int, response_pk: int) -> HttpResponse:
    appeal = reachable_round(request.user, pk)
    organiser = can_organise(request.user, appeal.grievance)
    response = get_object_or_404(thread_responses(appeal, organiser=organiser), pk=response_pk)
    if not organiser:
        raise PermissionDenied(_("Only the grievance's organisers can do this."))
    form = ClassifyForm(request.POST)
    if not form.is_valid():
        messages.error(request, _("Choose what the reply says."))
    else:
        try:
            inbound.classify_response(
                response, actor=request.user, classification=form.cleaned_data["classification"]
            )
        except ActionRefused as exc:
            messages.error(request, exc.message)
        else:
            messages.success(request, _("The reply is classified."))
    return redirect(appeal.get_absolute_url() + "#thread")


@login_required
@require_GET
def inbound_raw(request: HttpRequest, pk: int) -> HttpResponse:
    message = get_object_or_404(readable_messages(request.user), pk=pk)
    inbound.record_download(message, actor=request.user)
    return _private_file(message.raw, f"message-{message.pk}.eml", "message/rfc822")


@login_required
@require_GET
def inbound_attachment(request: HttpRequest, pk: int) -> HttpResponse:
    attachment = get_object_or_404(
        InboundAttachment.objects.select_related("message"),
        pk=pk,
        message__in=readable_messages(request.user),
    )
    if not attachment.file:
        raise Http404("kept only inside the original message")
    inbound.record_download(attachment.message, actor=request.user, attachment=attachment.pk)
    return _private_file(attachment.file, attachment.filename, "application/octet-stream")


def _private_file(field, filename: str, content_type: str) -> FileResponse:
    # Always a download, never rendered: a platform's HTML or a forged file must not run here.
    response = FileResponse(
        field.open("rb"), as_attachment=True, filename=filename, content_type=content_type
    )
    response["X-Content-Type-Options"] = "nosniff"
    response["Cache-Control"] = "private, no-store"
    return response
