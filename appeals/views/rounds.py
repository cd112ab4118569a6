"""Appeal round pages: drafting a round, the round page and its controls. Server-rendered, no
JavaScript needed.

Who sees what is decided in appeals.queries (a round a viewer may not see is a 404); the page's
view-model is appeals.pages.rounds; every change goes through appeals/actions. The permission
convention follows coalition.views: a round the viewer cannot see is a 404; a change the viewer
may not make on a round they can see is a 403 (organiser-only controls for members, member-only
controls for outsiders of a public grievance).
An ActionRefused becomes an error next to the form field it names, or an error message.
"""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.contrib.auth.views import redirect_to_login
from django.core.exceptions import PermissionDenied
from django.forms import Form
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.html import linebreaks
from django.utils.safestring import mark_safe
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST

from appeals import states
from appeals.actions import drafting, member_cases, responses, signing, submitting
from appeals.documents.letters import letter_with_annex
from appeals.forms.rounds import (
    LogSubmissionForm,
    OpenSigningForm,
    OutcomeForm,
    ResponseForm,
    RoundDraftForm,
    RoundEditForm,
    SignForm,
    SubmitRoundForm,
    WithdrawRoundForm,
)
from appeals.models import Appeal, Submission
from appeals.pages.rounds import RoundPage, round_page
from appeals.queries.rounds import ACTIVE_MEMBERSHIP_STATES, reachable_round
from coalition.errors import ActionRefused
from coalition.models import Membership
from coalition.queries.grievances import reachable_grievances
from coalition.queries.memberships import can_organise, membership_of
from coalition.queries.sellers import seller_of
from coalition.views.ratelimits import rate_limited

S = Appeal.State
# Which fields of the edit form each state still lets organisers change (mirrors the rules in
# appeals.drafting.update_draft; the action stays the judge, this only greys out the rest).
EDITABLE_IN = {
    S.DRAFT: set(RoundEditForm.FIELDS),
    S.SIGNING: {"channel", "signature_goal", "signing_deadline", "scheduled_submit_at"},
    S.READY: {"channel", "signature_goal", "scheduled_submit_at"},
}


# --- finding the round and the viewer's rights --------------------------------------------------


def _round(request: HttpRequest, pk: int) -> Appeal:
    return reachable_round(request.user, pk)


def _organised_round(request: HttpRequest, pk: int) -> Appeal:
    """The round, for the grievance's organisers and staff: 404 if unseen, 403 otherwise."""
    appeal = _round(request, pk)
    if not can_organise(request.user, appeal.grievance):
        raise PermissionDenied(_("Only the grievance's organisers can do this."))
    return appeal


def _members_round(request: HttpRequest, pk: int) -> tuple[Appeal, Membership]:
    """The round and the viewer's active membership: 404 if unseen, 403 for non-members."""
    appeal = _round(request, pk)
    membership = membership_of(request.user, appeal.grievance)
    if membership is None:
        raise PermissionDenied(_("Only members of this grievance can do this."))
    return appeal, membership


def _refuse(form: Form, exc: ActionRefused) -> None:
    """Show an action's refusal next to the field it names, else at the top of the form."""
    field = exc.field if exc.field in form.fields else None
    form.add_error(field, str(exc.message))


def _back(appeal: Appeal, anchor: str = "") -> HttpResponse:
    return redirect(
        reverse("appeals:round_detail", args=[appeal.pk]) + (f"#{anchor}" if anchor else "")
    )


# --- drafting a round ----------------------------------------------------------------------------


@login_required
@require_http_methods(["GET", "POST"])
def round_new(request: HttpRequest, grievance_id: int) -> HttpResponse:
    grievance = get_object_or_404(reachable_grievances(request.user), pk=grievance_id)
    if not can_organise(request.user, grievance):
        raise PermissionDenied(_("Only the grievance's organisers can do this."))
    latest = grievance.rounds.order_by("-number").first()
    # The reason field shows up once the action asked for it, and stays on the re-posted form.
    ask_reason = request.method == "POST" and "reason" in request.POST
    form = RoundDraftForm(
        request.POST or None,
        initial=_draft_initial(latest),
        ask_reason=ask_reason,
        platform=grievance.platform,
    )
    explanation = ""
    if request.method == "POST" and form.is_valid():
        try:
            appeal = drafting.draft_round(grievance, actor=request.user, **form.draft_kwargs())
        except ActionRefused as exc:
            if exc.code != "confirmation_required":
                _refuse(form, exc)
            else:
                explanation = str(exc.message)
                if ask_reason:  # re-posted without a reason
                    form.add_error("reason", _("Say why this round is needed to go ahead."))
                else:  # first time: the same choices, now with the reason field and no error yet
                    form = RoundDraftForm(
                        initial=form.cleaned_data, ask_reason=True, platform=grievance.platform
                    )
        else:
            messages.success(
                request,
                _("Round %(n)s is drafted. Check the letter, then open it for signing.")
                % {"n": appeal.number},
            )
            return redirect(appeal)
    return render(
        request,
        "appeals/round_new.html",
        {
            "grievance": grievance,
            "form": form,
            "latest": latest,
            "number": latest.number + 1 if latest else 1,
            "latest_unsent": latest is not None and latest.state in states.UNSENT_STATES,
            "explanation": explanation,
        },
    )


def _draft_initial(latest: Appeal | None) -> dict[str, Any]:
    if latest is None:
        return {
            "channel": Appeal.Channel.PORTAL,
            "language": Appeal.Language.EN,
            "signature_goal": 10,
        }
    return {
        "channel": latest.channel,
        "language": latest.language,
        "signature_goal": latest.signature_goal,
    }


@login_required
@require_http_methods(["GET", "POST"])
def round_edit(request: HttpRequest, pk: int) -> HttpResponse:
    appeal = _organised_round(request, pk)
    editable = EDITABLE_IN.get(appeal.state)
    if not editable:
        messages.error(request, _("This round has been submitted; it can no longer change."))
        return _back(appeal)
    form = RoundEditForm(
        request.POST or None,
        initial=RoundEditForm.initial_from(appeal),
        platform=appeal.grievance.platform,
    )
    for name, field in form.fields.items():
        field.disabled = name not in editable
    if request.method == "POST" and form.is_valid():
        try:
            drafting.update_draft(appeal, actor=request.user, **form.changed_fields())
        except ActionRefused as exc:
            _refuse(form, exc)
        else:
            messages.success(request, _("Round %(n)s is saved.") % {"n": appeal.number})
            return _back(appeal)
    return render(
        request,
        "appeals/round_edit.html",
        {"appeal": appeal, "grievance": appeal.grievance, "form": form},
    )


@login_required
@require_POST
def round_regenerate(request: HttpRequest, pk: int) -> HttpResponse:
    appeal = _organised_round(request, pk)
    try:
        drafting.regenerate_letter(appeal, actor=request.user)
    except ActionRefused as exc:
        messages.error(request, exc.message)
    else:
        messages.success(
            request, _("The letter is drafted again from the template with today's figures.")
        )
    return redirect("appeals:round_edit", pk=appeal.pk)


# --- the round page ------------------------------------------------------------------------------


def round_detail(request: HttpRequest, pk: int) -> HttpResponse:
    try:
        appeal = _round(request, pk)
    except Http404:
        # A member following the summons' link while signed out is asked to sign in and comes
        # back here; anyone else signed out gets the same answer for every id, so it tells
        # nothing about which rounds exist.
        if not request.user.is_authenticated:
            return redirect_to_login(request.get_full_path())
        raise
    return _render_round(request, appeal)


def _render_round(
    request: HttpRequest, appeal: Appeal, bound: dict[str, Form] | None = None
) -> HttpResponse:
    """The round page; `bound` replaces the blank form of one control with the posted one, so its
    errors show next to its fields."""
    page = round_page(request.user, appeal)
    context: dict[str, Any] = {"page": page, "appeal": appeal, "grievance": page.grievance}
    if page.can_see_letter:
        context["letter_html"] = _letter_html(appeal.letter)
        context.update(_translation(request, page))
    context.update(_organiser_controls(page) if page.can_organise else {})
    context.update(_member_controls(page) if page.membership else {})
    context.update(bound or {})
    return render(request, "appeals/round_detail.html", context)


def _translation(request: HttpRequest, page: RoundPage) -> dict[str, Any]:
    """The signers' translation beside the letter: for organisers (who edit both) and for a reader
    whose language is the translation's, who then sees it first."""
    appeal = page.appeal
    if not appeal.translation.strip():
        return {}
    seller = seller_of(request.user)
    reading = seller.language if seller is not None else translation.get_language()
    first = reading == appeal.translation_language
    if not (first or page.can_organise):
        return {}
    return {"translation_html": _letter_html(appeal.translation), "translation_first": first}


def _letter_html(text: str) -> str:
    """The letter as paragraphs. The .letter style keeps white space (pre-wrap) for plain text,
    so the newlines `linebreaks` leaves between its <p> tags would show as extra blank lines."""
    return mark_safe(linebreaks(text, autoescape=True).replace("\n", ""))  # escaped by linebreaks


def _organiser_controls(page: RoundPage) -> dict[str, Any]:
    appeal = page.appeal
    moves = set(page.allowed_moves)
    return {
        "moves": moves,
        "can_edit": appeal.state in EDITABLE_IN,
        "can_record_response": appeal.state in states.RECORDABLE_STATES,
        "can_open_next": _can_open_next(page),
        "open_form": OpenSigningForm(prefix="open", initial={"deadline": appeal.signing_deadline}),
        "submit_form": SubmitRoundForm(prefix="submit", appeal=appeal),
        "response_form": ResponseForm(prefix="response", initial={"received_at": timezone.now()}),
        "withdraw_form": WithdrawRoundForm(prefix="withdraw"),
        # What goes to the platform, for pasting into a portal or checking before it is emailed.
        "packet_text": letter_with_annex(appeal) if appeal.state == S.READY else "",
    }


def _can_open_next(page: RoundPage) -> bool:
    """Offer "open the next round" where the rules allow one (the action re-checks)."""
    appeal = page.appeal
    if page.next_round is not None or not page.grievance.is_open:
        return False
    return states.calls_for_next_round(appeal, timezone.now())


def _member_controls(page: RoundPage) -> dict[str, Any]:
    membership, mine = page.membership, page.my_submission
    consent = page.my_signature.consent_to_name if page.my_signature else membership.consent_to_name
    log_initial = (
        {"submitted_on": mine.submitted_on, "ticket_reference": mine.ticket_reference}
        if mine
        else {"submitted_on": timezone.localdate()}
    )
    outcome_initial = {"currency": mine.currency if mine else membership.currency}
    if mine and mine.outcome != Submission.Outcome.PENDING:
        outcome_initial.update(
            outcome=mine.outcome, outcome_on=mine.outcome_on, amount_recovered=mine.amount_recovered
        )
    return {
        "sign_form": SignForm(prefix="sign", initial={"consent_to_name": consent}),
        "log_form": LogSubmissionForm(prefix="log", initial=log_initial),
        "outcome_form": OutcomeForm(prefix="outcome", initial=outcome_initial),
    }


# --- organiser controls --------------------------------------------------------------------------


def _organiser_move(
    request: HttpRequest, pk: int, move, success: str, anchor: str = ""
) -> HttpResponse:
    """A control with no fields: do it, then back to the round with a message."""
    appeal = _organised_round(request, pk)
    try:
        move(appeal, actor=request.user)
    except ActionRefused as exc:
        messages.error(request, exc.message)
    else:
        messages.success(request, success % {"n": appeal.number})
    return _back(appeal, anchor)


def _round_form_post(
    request: HttpRequest, appeal: Appeal, form: Form, key: str, act, anchor: str = ""
) -> HttpResponse:
    """A control with fields on the round page. Invalid input, or a refusal that names one of
    the form's fields, re-renders the page with the error next to that field; any other refusal
    (say the round moved on meanwhile, so the form is no longer shown) comes back as a message.
    `act(cleaned_data)` performs the action and returns the success message."""
    if form.is_valid():
        try:
            success = act(form.cleaned_data)
        except ActionRefused as exc:
            if exc.field not in form.fields:
                messages.error(request, exc.message)
                return _back(appeal, anchor)
            form.add_error(exc.field, str(exc.message))
        else:
            messages.success(request, success)
            return _back(appeal, anchor)
    return _render_round(request, appeal, {key: form})


@login_required
@require_POST
def round_open_signing(request: HttpRequest, pk: int) -> HttpResponse:
    appeal = _organised_round(request, pk)

    def act(data) -> str:
        signing.open_signing(appeal, actor=request.user, deadline=data["deadline"])
        return _("Round %(n)s is open for signing. Members can sign it now.") % {"n": appeal.number}

    form = OpenSigningForm(request.POST, prefix="open")
    return _round_form_post(request, appeal, form, "open_form", act)


@login_required
@require_POST
def round_close_signing(request: HttpRequest, pk: int) -> HttpResponse:
    return _organiser_move(
        request,
        pk,
        signing.close_signing,
        _("Signing for round %(n)s is closed. It is ready to submit."),
    )


@login_required
@require_POST
def round_submit(request: HttpRequest, pk: int) -> HttpResponse:
    appeal = _organised_round(request, pk)

    def act(data) -> str:
        submitting.submit_round(appeal, actor=request.user, case_reference=data["case_reference"])
        return _(
            "Round %(n)s is submitted. The platform's clock is running; members are asked to "
            "file their own appeals."
        ) % {"n": appeal.number}

    form = SubmitRoundForm(request.POST, prefix="submit", appeal=appeal)
    return _round_form_post(request, appeal, form, "submit_form", act)


@login_required
@require_POST
def round_response(request: HttpRequest, pk: int) -> HttpResponse:
    appeal = _organised_round(request, pk)

    def act(data) -> str:
        responses.record_response(appeal, actor=request.user, **data)
        return _("The platform's response is recorded.")

    form = ResponseForm(request.POST, prefix="response")
    return _round_form_post(request, appeal, form, "response_form", act, "responses")


@login_required
@require_POST
def round_info_sent(request: HttpRequest, pk: int) -> HttpResponse:
    return _organiser_move(
        request,
        pk,
        responses.information_sent,
        _(
            "Marked as sent: the platform's clock for round %(n)s runs again with the days it had left."
        ),
    )


@login_required
@require_POST
def round_withdraw(request: HttpRequest, pk: int) -> HttpResponse:
    appeal = _organised_round(request, pk)

    def act(data) -> str:
        drafting.withdraw_round(appeal, actor=request.user, reason=data["reason"])
        return _("Round %(n)s is withdrawn.") % {"n": appeal.number}

    form = WithdrawRoundForm(request.POST, prefix="withdraw")
    return _round_form_post(request, appeal, form, "withdraw_form", act)


# --- member controls -----------------------------------------------------------------------------


@login_required
@rate_limited("120/h")
@require_POST
def round_sign(request: HttpRequest, pk: int) -> HttpResponse:
    appeal, _membership = _members_round(request, pk)
    form = SignForm(request.POST, prefix="sign")
    form.is_valid()  # a lone checkbox: always valid
    try:
        signature = signing.sign(
            appeal,
            actor=request.user,
            consent_to_name=form.cleaned_data["consent_to_name"],
            consent_to_store_id=form.cleaned_data["consent_to_store_id"],
        )
    except ActionRefused as exc:
        messages.error(request, exc.message)
    else:
        if signature.newly_signed:
            messages.success(
                request, _("Thank you: you co-signed round %(n)s.") % {"n": appeal.number}
            )
        else:
            messages.info(
                request,
                _("You had already signed round %(n)s; nothing changed.") % {"n": appeal.number},
            )
    return _back(appeal, "signatures")


@login_required
@rate_limited("120/h")
@require_POST
def round_unsign(request: HttpRequest, pk: int) -> HttpResponse:
    appeal, _membership = _members_round(request, pk)
    try:
        signature = signing.withdraw_signature(appeal, actor=request.user)
    except ActionRefused as exc:
        messages.error(request, exc.message)
    else:
        if signature is None:
            messages.info(request, _("You had not signed round %(n)s.") % {"n": appeal.number})
        else:
            messages.success(
                request, _("Your signature on round %(n)s is withdrawn.") % {"n": appeal.number}
            )
    return _back(appeal, "signatures")


@login_required
@require_POST
def round_log_submission(request: HttpRequest, pk: int) -> HttpResponse:
    appeal, _membership = _members_round(request, pk)

    def act(data) -> str:
        submission = member_cases.log_submission(appeal, actor=request.user, **data)
        if getattr(submission, "newly_logged", True):
            return _("Your own appeal is logged. Every appeal filed counts — thank you.")
        return _("Your appeal's details are updated.")

    form = LogSubmissionForm(request.POST, prefix="log")
    return _round_form_post(request, appeal, form, "log_form", act, "my-appeal")


@login_required
@require_POST
def submission_outcome(request: HttpRequest, pk: int) -> HttpResponse:
    # Only one's own submission: someone else's is private, so a 404 whoever asks.
    seller = seller_of(request.user)
    submission = get_object_or_404(
        Submission.objects.filter(
            membership__seller=seller, membership__state__in=ACTIVE_MEMBERSHIP_STATES
        ),
        pk=pk,
    )
    appeal = _round(request, submission.appeal_id)

    def act(_data) -> str:
        member_cases.report_outcome(submission, actor=request.user, **form.outcome_kwargs())
        return _("Thank you: the outcome of your appeal is recorded.")

    form = OutcomeForm(request.POST, prefix="outcome")
    return _round_form_post(request, appeal, form, "outcome_form", act, "my-appeal")
