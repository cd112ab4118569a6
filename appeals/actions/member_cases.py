"""Members' own portal appeals: logging one for a submitted round, and reporting how it ended."""

from __future__ import annotations

from datetime import date
from decimal import Decimal, InvalidOperation

from django.db import IntegrityError, transaction
from django.utils.translation import gettext as _

from appeals import schedule, states
from appeals.actions._common import check_choice, event, is_user, require_member, today_for
from appeals.models import Appeal, Submission
from coalition.errors import ActionRefused


@transaction.atomic
def log_submission(
    appeal: Appeal, *, actor, submitted_on: date, ticket_reference: str = ""
) -> Submission:
    """Log one's own portal appeal for a submitted round. Logging again updates the same row.

    The returned row carries `newly_logged` (True when this call created it)."""
    membership = require_member(
        appeal.grievance,
        actor,
        _("Only members of this grievance can log an appeal for its rounds."),
    )
    if appeal.state not in states.SENT_STATES:
        raise ActionRefused(
            _("Round %(n)s has not been submitted yet; log your own appeal once it has.")
            % {"n": appeal.number},
            code="wrong_state",
        )
    if submitted_on > today_for(membership):
        raise ActionRefused(_("The date cannot be in the future."), field="submitted_on")
    ticket_reference = (ticket_reference or "").strip()[:120]
    submission = (
        Submission.objects.select_for_update().filter(appeal=appeal, membership=membership).first()
    )
    if submission is None:
        try:
            with transaction.atomic():
                submission = Submission.objects.create(
                    appeal=appeal,
                    membership=membership,
                    submitted_on=submitted_on,
                    ticket_reference=ticket_reference,
                    currency=membership.currency,
                )
        except IntegrityError:  # a concurrent first log won; update that one
            submission = Submission.objects.select_for_update().get(
                appeal=appeal, membership=membership
            )
        else:
            event(appeal, "submission.logged", actor, submission=submission.pk)
            schedule.on_submission_logged(submission)
            submission.newly_logged = True
            return submission
    values = {"submitted_on": submitted_on, "ticket_reference": ticket_reference}
    changed = [name for name, value in values.items() if getattr(submission, name) != value]
    for name in changed:
        setattr(submission, name, values[name])
    if changed:
        submission.save(update_fields=[*changed, "updated_at"])
        event(appeal, "submission.updated", actor, submission=submission.pk)
        if "submitted_on" in changed:
            schedule.on_submission_logged(submission)  # the outcome check follows the new date
    submission.newly_logged = False
    return submission


@transaction.atomic
def report_outcome(
    submission: Submission,
    *,
    actor,
    outcome: str,
    outcome_on: date | None = None,
    amount_recovered: Decimal | str | int | None = None,
    currency: str | None = None,
) -> Submission:
    """The member reports how their own appeal ended (their own submission only)."""
    submission = (
        Submission.objects.select_for_update()
        .select_related("appeal__grievance", "membership__seller")
        .get(pk=submission.pk)
    )
    if not is_user(actor) or submission.membership.seller.user_id != actor.pk:
        raise ActionRefused(_("You can only report the outcome of your own appeal."))
    check_choice(outcome, Submission.Outcome, "outcome")
    amount = _check_amount(amount_recovered, outcome)
    currency = (currency or submission.currency or "USD").strip().upper()
    if len(currency) != 3 or not currency.isalpha():
        raise ActionRefused(
            _("Use a three-letter currency code such as USD or CNY."), field="currency"
        )
    today = today_for(submission.membership)
    if outcome == Submission.Outcome.PENDING:
        outcome_on = None
    else:
        outcome_on = outcome_on or today
        if outcome_on > today:
            raise ActionRefused(_("The date cannot be in the future."), field="outcome_on")
        if outcome_on < submission.submitted_on:
            raise ActionRefused(
                _("The outcome cannot come before you submitted the appeal."), field="outcome_on"
            )
    submission.outcome, submission.outcome_on = outcome, outcome_on
    submission.amount_recovered, submission.currency = amount, currency
    submission.save(
        update_fields=["outcome", "outcome_on", "amount_recovered", "currency", "updated_at"]
    )
    # Amounts stay out of the timeline: members can read it, and amounts are private (docs/privacy.md).
    event(
        submission.appeal,
        "submission.outcome_reported",
        actor,
        submission=submission.pk,
        outcome=outcome,
    )
    schedule.on_outcome_reported(submission)
    return submission


def _check_amount(value: Decimal | str | int | None, outcome: str) -> Decimal:
    try:
        amount = Decimal(str(value)) if value not in (None, "") else Decimal("0")
    except InvalidOperation:
        raise ActionRefused(
            _("Enter an amount such as 1200.50."), field="amount_recovered"
        ) from None
    if amount < 0 or amount >= Decimal("1e12"):
        raise ActionRefused(_("Enter an amount of zero or more."), field="amount_recovered")
    nothing_back = {
        Submission.Outcome.DENIED,
        Submission.Outcome.NO_RESPONSE,
        Submission.Outcome.PENDING,
    }
    if amount and outcome in nothing_back:
        raise ActionRefused(
            _(
                "An appeal that is still pending, was denied or got no answer has not recovered anything yet."
            ),
            field="amount_recovered",
        )
    return amount.quantize(Decimal("0.01"))
