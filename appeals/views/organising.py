"""A round's organiser page (assignment and internal notes) and an organiser's private calendar
feed of the rounds' dates."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth import get_user_model
from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_POST

from appeals.actions.organising import (
    add_note,
    assign_round,
    calendar_feed,
    revoke_calendar_feed,
)
from appeals.forms.board import AssignForm, NoteForm
from appeals.models import CalendarFeed
from appeals.pages.calendar import feed_ics
from appeals.pages.organising import (
    current_assignee,
    organised_round,
    round_notes,
    round_organisers,
)
from coalition.errors import ActionRefused


def _page(request: HttpRequest, appeal, *, assign_form=None, note_form=None, status=200):
    organisers = round_organisers(appeal)
    context = {
        "appeal": appeal,
        "grievance": appeal.grievance,
        "notes": round_notes(appeal),
        "assign_form": assign_form
        or AssignForm(organisers=organisers, initial={"assignee": current_assignee(appeal)}),
        "note_form": note_form or NoteForm(),
    }
    return render(request, "appeals/round_organising.html", context, status=status)


@login_required
@require_GET
def round_organising(request: HttpRequest, pk: int) -> HttpResponse:
    return _page(request, organised_round(request.user, pk))


@login_required
@require_POST
def round_assign(request: HttpRequest, pk: int) -> HttpResponse:
    appeal = organised_round(request.user, pk)
    form = AssignForm(request.POST, organisers=round_organisers(appeal))
    if not form.is_valid():
        return _page(request, appeal, assign_form=form, status=400)
    user_id = form.cleaned_data["assignee"]
    assignee = get_user_model().objects.filter(pk=user_id).first() if user_id else None
    try:
        assign_round(appeal, assignee, actor=request.user)
    except ActionRefused as exc:
        form.add_error("assignee", exc.message)
        return _page(request, appeal, assign_form=form, status=400)
    messages.success(request, _("The round's assignment is saved."))
    return redirect(reverse("appeals:round_organising", args=[appeal.pk]))


@login_required
@require_POST
def round_note(request: HttpRequest, pk: int) -> HttpResponse:
    appeal = organised_round(request.user, pk)
    form = NoteForm(request.POST)
    if not form.is_valid():
        return _page(request, appeal, note_form=form, status=400)
    try:
        add_note(appeal, form.cleaned_data["body"], actor=request.user)
    except ActionRefused as exc:
        form.add_error("body", exc.message)
        return _page(request, appeal, note_form=form, status=400)
    messages.success(request, _("Your note is saved."))
    return redirect(reverse("appeals:round_organising", args=[appeal.pk]) + "#notes")


@login_required
def calendar_settings(request: HttpRequest) -> HttpResponse:
    """The organiser's feed address; POST makes one, POST with revoke=1 stops it."""
    if request.method == "POST":
        if request.POST.get("revoke"):
            revoke_calendar_feed(actor=request.user)
            messages.success(
                request, _("Your calendar feed is switched off; its address no longer works.")
            )
        else:
            calendar_feed(actor=request.user)
            messages.success(request, _("Your calendar feed is ready."))
        return redirect("appeals:calendar_settings")
    feed = CalendarFeed.objects.filter(user=request.user).first()
    url = (
        request.build_absolute_uri(reverse("appeals:calendar_feed", args=[feed.token]))
        if feed
        else ""
    )
    return render(request, "appeals/calendar_settings.html", {"feed": feed, "feed_url": url})


@require_GET
def calendar_ics(request: HttpRequest, token: str) -> HttpResponse:
    """The feed itself: no login (calendar apps cannot log in); the secret token is the key."""
    feed = CalendarFeed.objects.select_related("user").filter(token=token).first()
    if feed is None or not feed.user.is_active:
        raise Http404("No such calendar feed.")
    response = HttpResponse(
        feed_ics(feed.user, request), content_type="text/calendar; charset=utf-8"
    )
    response["Cache-Control"] = "private, no-store"
    response["X-Robots-Tag"] = "noindex"
    return response
