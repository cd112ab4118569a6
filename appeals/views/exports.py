"""CSV exports for organisers: the (filtered) member list, the signers of a round, the outcomes
of members' own appeals. Each one is recorded on the timeline with who took it; a filter value
that does not parse is a 400 naming the field, never an unfiltered file."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from typing import Any

from django import forms
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import HttpRequest, HttpResponse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET

from appeals.actions.organising import record_export
from appeals.forms.members import MemberFilterForm, OutcomeFilterForm, SignerFilterForm
from appeals.queries.members import grievance_activity, member_list, own_appeals, round_signers
from appeals.queries.rounds import reachable_round
from coalition.pages.grievances import organised_grievance
from coalition.queries.memberships import can_organise
from coalition.rules.csv_export import csv_text

MEMBER_COLUMNS = [
    "member_id",
    "name",
    "email",
    "role",
    "state",
    "store",
    "platform_store_id",
    "store_state",
    "amount_withheld",
    "amount_fined",
    "currency",
    "incident_date",
    "consents_to_be_named",
    "joined_at",
    "verified_at",
    "rounds_signed",
    "own_appeal_filed",
]
SIGNER_COLUMNS = [
    "member_id",
    "name",
    "email",
    "member_state",
    "store",
    "platform_store_id",
    "named_in_letter",
    "store_id_in_letter",
    "signed_at",
]
OUTCOME_COLUMNS = [
    "round",
    "member_id",
    "name",
    "store",
    "submitted_on",
    "ticket_reference",
    "outcome",
    "outcome_on",
    "amount_recovered",
    "currency",
]


def _local(moment) -> str:
    return timezone.localtime(moment).isoformat(timespec="minutes") if moment else ""


def _bad_filters(form: forms.Form) -> HttpResponse:
    lines = [f"{name}: {' '.join(errors)}" for name, errors in form.errors.items()]
    return HttpResponse(
        "\n".join([_("These filters could not be used:"), *lines]) + "\n",
        status=400,
        content_type="text/plain; charset=utf-8",
    )


def _csv(filename: str, header: Sequence[str], rows: Iterable[Sequence[Any]]) -> HttpResponse:
    response = HttpResponse(csv_text(header, rows), content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    response["Cache-Control"] = "private, no-store"
    return response


@login_required
@require_GET
def export_members(request: HttpRequest, pk: int) -> HttpResponse:
    grievance = organised_grievance(request, pk)
    form = MemberFilterForm(request.GET)
    if not form.is_valid():
        return _bad_filters(form)
    members = list(member_list(grievance, form.cleaned_data))
    signed, filed = grievance_activity(grievance)
    rows = [
        [
            m.pk,
            m.seller.display_name,
            m.seller.user.email,
            m.role,
            m.state,
            m.store.name if m.store else "",
            m.store.platform_store_id if m.store else "",
            m.store.state if m.store else "",
            m.amount_withheld,
            m.amount_fined,
            m.currency,
            m.incident_date,
            m.consent_to_name,
            _local(m.joined_at),
            _local(m.verified_at),
            " ".join(str(n) for n in signed.get(m.pk, [])),
            m.pk in filed,
        ]
        for m in members
    ]
    record_export(
        grievance, "members", actor=request.user, rows=len(rows), filters=form.cleaned_data
    )
    return _csv(f"grievance-{grievance.pk}-members.csv", MEMBER_COLUMNS, rows)


@login_required
@require_GET
def export_signers(request: HttpRequest, pk: int) -> HttpResponse:
    appeal = reachable_round(request.user, pk)
    if not can_organise(request.user, appeal.grievance):
        raise PermissionDenied(_("Only the grievance's organisers can do this."))
    form = SignerFilterForm(request.GET)
    if not form.is_valid():
        return _bad_filters(form)
    rows = []
    for s in round_signers(appeal, state=form.cleaned_data["state"]):
        m = s.membership
        rows.append(
            [
                m.pk,
                m.seller.display_name,
                m.seller.user.email,
                m.state,
                m.store.name if m.store else "",
                m.store.platform_store_id if m.store else "",
                s.consent_to_name,
                s.consent_to_store_id,
                _local(s.signed_at),
            ]
        )
    record_export(
        appeal.grievance,
        "signers",
        actor=request.user,
        rows=len(rows),
        filters=form.cleaned_data,
        appeal=appeal,
    )
    filename = f"grievance-{appeal.grievance_id}-round-{appeal.number}-signers.csv"
    return _csv(filename, SIGNER_COLUMNS, rows)


@login_required
@require_GET
def export_outcomes(request: HttpRequest, pk: int) -> HttpResponse:
    grievance = organised_grievance(request, pk)
    form = OutcomeFilterForm(request.GET)
    if not form.is_valid():
        return _bad_filters(form)
    data = form.cleaned_data
    rows = [
        [
            s.appeal.number,
            s.membership_id,
            s.membership.seller.display_name,
            s.membership.store.name if s.membership.store else "",
            s.submitted_on,
            s.ticket_reference,
            s.outcome,
            s.outcome_on,
            s.amount_recovered,
            s.currency,
        ]
        for s in own_appeals(grievance, round_number=data["round"], outcome=data["outcome"])
    ]
    record_export(grievance, "outcomes", actor=request.user, rows=len(rows), filters=data)
    return _csv(f"grievance-{grievance.pk}-own-appeals.csv", OUTCOME_COLUMNS, rows)
