"""The escalation ladder on the grievance page (a section, like the rounds), climbing a rung and
the dossier download. Organisers climb and download; everyone who may see the grievance sees
where it stands."""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_POST

from appeals.actions import ladder as ladder_actions
from appeals.documents.dossier import build_dossier, dossier_filename
from appeals.forms.ladder import ClimbForm
from appeals.queries.ladder import ladder_for
from appeals.views.packets import zip_response
from coalition.errors import ActionRefused
from coalition.models import Grievance, Membership
from coalition.queries.grievances import reachable_grievances
from coalition.queries.memberships import can_organise


def grievance_ladder_section(
    request: HttpRequest, *, grievance: Grievance, membership: Membership | None, organiser: bool
) -> dict[str, Any] | None:
    """Context for templates/appeals/_ladder.html on the grievance page; None (no section) when
    no law of the platform opens a rung above the rounds."""
    view = ladder_for(grievance)
    applicable = [s for s in view.rungs if s.state != "not_applicable"]
    if not applicable and not view.climbs:
        return None
    return {
        "ladder": view,
        "ladder_rungs": applicable,
        "ladder_organiser": organiser,
        "ladder_today": timezone.localdate(),
        "climb_form": ClimbForm(prefix="climb") if organiser else None,
        "climbable": [s for s in applicable if s.state == "open"] if organiser else [],
    }


def _organised_grievance(request: HttpRequest, pk: int) -> Grievance:
    grievance = get_object_or_404(reachable_grievances(request.user), pk=pk)
    if not can_organise(request.user, grievance):
        raise Http404
    return grievance


@login_required
@require_POST
def ladder_climb(request: HttpRequest, pk: int) -> HttpResponse:
    grievance = _organised_grievance(request, pk)
    form = ClimbForm(request.POST, prefix="climb")
    if not form.is_valid():
        messages.error(request, _("Choose the step to take."))
    else:
        try:
            step = ladder_actions.climb(grievance, actor=request.user, **form.cleaned_data)
        except ActionRefused as exc:
            messages.error(request, exc.message)
        else:
            messages.success(
                request,
                _("The coalition has taken the next step: %(rung)s. Members are told by email.")
                % {"rung": step.get_rung_display()},
            )
    return redirect(f"{grievance.get_absolute_url()}#ladder")


@login_required
@require_GET
def ladder_dossier(request: HttpRequest, pk: int) -> HttpResponse:
    grievance = _organised_grievance(request, pk)
    path, sha256 = build_dossier(grievance)
    return zip_response(path, dossier_filename(grievance), sha256)
