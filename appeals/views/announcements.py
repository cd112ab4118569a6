"""Organisers speaking to their members: the announcement page (write, preview with the
recipient count, send), "remind those who have not signed now" on the round page, and the
notice on the grievance page. Every write goes through appeals.actions.announcements."""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST

from appeals.actions import announcements
from appeals.forms.announcements import AnnouncementForm
from appeals.models import Announcement
from appeals.pages.announcements import announcements_of, audience_choices, latest_notice
from appeals.queries.rounds import reachable_round
from coalition.errors import ActionRefused
from coalition.models import Grievance, Membership
from coalition.queries.grievances import reachable_grievances
from coalition.queries.memberships import can_organise
from coalition.queries.sellers import is_staff


@login_required
@require_http_methods(["GET", "POST"])
def announcement_new(request: HttpRequest, grievance_id: int) -> HttpResponse:
    """Write an announcement; "Preview" shows it as members will read it and how many it
    reaches; "Send" hands it to the action."""
    grievance = get_object_or_404(reachable_grievances(request.user), pk=grievance_id)
    if not can_organise(request.user, grievance):
        raise PermissionDenied(_("Only the grievance's organisers can do this."))
    staff = is_staff(request.user)
    form = AnnouncementForm(request.POST or None, staff=staff)
    preview: dict[str, Any] | None = None
    if request.method == "POST" and form.is_valid():
        choices = {c.value: c for c in audience_choices(grievance)}
        if "send" in request.POST:
            try:
                item = announcements.announce(
                    grievance, actor=request.user, **form.announce_kwargs()
                )
            except ActionRefused as exc:
                field = exc.field if exc.field in form.fields else None
                form.add_error(field, str(exc.message))
            else:
                messages.success(
                    request,
                    _("Your announcement is on its way to %(n)s members.") % {"n": item.recipients},
                )
                return redirect(grievance.get_absolute_url() + "#announcement")
        if form.is_valid():
            preview = {
                "subject": form.cleaned_data["subject"],
                "text": form.cleaned_data["text"],
                "audience": choices[form.cleaned_data["audience"]],
            }
    return render(
        request,
        "appeals/announcement_new.html",
        {
            "grievance": grievance,
            "form": form,
            "preview": preview,
            "choices": audience_choices(grievance),
            "history": announcements_of(grievance)[:10],
        },
    )


@login_required
@require_POST
def round_remind_now(request: HttpRequest, pk: int) -> HttpResponse:
    appeal = reachable_round(request.user, pk)
    if not can_organise(request.user, appeal.grievance):
        raise PermissionDenied(_("Only the grievance's organisers can do this."))
    try:
        announcements.remind_now(appeal, actor=request.user)
    except ActionRefused as exc:
        messages.error(request, exc.message)
    else:
        messages.success(
            request,
            _("The members who have not signed round %(n)s are being reminded now.")
            % {"n": appeal.number},
        )
    return redirect(reverse("appeals:round_detail", args=[appeal.pk]) + "#controls")


def grievance_announcement_section(
    request: HttpRequest, *, grievance: Grievance, membership: Membership | None, organiser: bool
) -> dict[str, Any] | None:
    """The latest announcement on the grievance page, for its members and organisers; the
    "write to members" link for organisers. Nothing for anyone else."""
    if membership is None and not organiser:
        return None
    notice: Announcement | None = latest_notice(grievance)
    if notice is None and not organiser:
        return None
    return {"notice": notice, "can_announce": organiser and grievance.is_open}
