"""What the inbound reader writes, and what organisers and staff do with what it took.

- `take_message`: one message from a mailbox, taken once. The raw bytes go to private storage with
  their SHA-256 and a custody-log entry (private, like evidence); the message is matched to its
  round (appeals/queries/inbound.py) and, unless it is an automatic reply, becomes an
  *unclassified* PlatformResponse and an email to the organisers. Nothing here ever answers the
  sender, and nothing moves a round: only an organiser's classification does.
- `attach_to_round`: staff give an unmatched message its round.
- `classify_response`: an organiser says what an unclassified reply is; the round then moves
  exactly as when a response is recorded (appeals/actions/responses.py `move_for_response`).
"""

from __future__ import annotations

import hashlib
import logging
from datetime import datetime, timedelta

from django.conf import settings
from django.core.files.base import ContentFile
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from appeals import emails, states
from appeals.actions._common import check_choice, is_user, lock, require_organiser
from appeals.actions.responses import move_for_response
from appeals.inbound.parsing import Parsed, parse
from appeals.inbound.rules import suggest_classification
from appeals.inbound.sources import Incoming
from appeals.models import Appeal, InboundAttachment, InboundMessage, PlatformResponse
from appeals.outbox import service as outbox
from appeals.queries.inbound import already_taken, match_round
from appeals.queries.rounds import organisers_of
from coalition.actions.timeline import record_event
from coalition.errors import ActionRefused

logger = logging.getLogger(__name__)

Outcome, By = InboundMessage.Outcome, InboundMessage.MatchedBy
Classification = PlatformResponse.Classification
TEXT_LIMIT = 30000

# The custody log of inbound mail, kept off the grievance's shared timeline like evidence's.
INBOUND_VERB_LABELS = {
    "inbound.received": gettext_lazy("received a message from the platform"),
    "inbound.attached": gettext_lazy("attached a message from the platform to an appeal round"),
    "inbound.downloaded": gettext_lazy("downloaded a message from the platform"),
}


def subject_of(message: InboundMessage) -> str:
    return f"inbound:{message.pk}"


def take_message(incoming: Incoming) -> tuple[InboundMessage, bool]:
    """Record one message from a source; (message, created). A message taken before — same
    (source, uid), same bytes or same Message-ID — is returned as it was, with created False.

    Parsing and storing happen outside the transaction (a message may be tens of megabytes); the
    stored files are removed again if the transaction does not commit."""
    sha256 = hashlib.sha256(incoming.raw).hexdigest()
    existing = already_taken(incoming.source, incoming.uid, sha256)
    if existing is not None:
        return existing, False
    parsed = parse(incoming.raw, max_attachment_bytes=settings.EVIDENCE_MAX_BYTES)
    existing = already_taken(incoming.source, incoming.uid, sha256, parsed.message_id)
    if existing is not None:
        return existing, False
    message = _unsaved_message(incoming, parsed, sha256)
    attachments = _unsaved_attachments(parsed)
    try:
        return _insert(incoming, parsed, message, attachments)
    except BaseException:
        _delete_files(message, attachments)
        raise


def _unsaved_message(incoming: Incoming, parsed: Parsed, sha256: str) -> InboundMessage:
    message = InboundMessage(
        source=incoming.source[:255],
        uid=incoming.uid[:255],
        message_id=parsed.message_id[:255],
        sha256=sha256,
        size=len(incoming.raw),
        from_address=parsed.from_address[:320],
        from_display=parsed.from_display[:255],
        subject=parsed.subject[:500],
        sent_at=parsed.date,
        in_reply_to=parsed.in_reply_to[:255],
        text=parsed.text,
        problems=parsed.problems,
        sender_warnings=parsed.from_warnings,
        auto_reply_reason=parsed.auto_reply_reason[:200],
        outcome=Outcome.UNMATCHED,
    )
    message.raw.save("message.eml", ContentFile(incoming.raw), save=False)
    return message


def _unsaved_attachments(parsed: Parsed) -> list[InboundAttachment]:
    found = []
    for item in parsed.attachments:
        attachment = InboundAttachment(
            filename=item.filename[:255],
            content_type=item.content_type[:100],
            size=item.size,
            note=item.note[:500],
        )
        if item.content is not None:
            attachment.sha256 = hashlib.sha256(item.content).hexdigest()
            attachment.file.save(item.filename, ContentFile(item.content), save=False)
        found.append(attachment)
    return found


def _insert(
    incoming: Incoming, parsed: Parsed, message: InboundMessage, attachments
) -> tuple[InboundMessage, bool]:
    with transaction.atomic():
        try:
            with transaction.atomic():  # a savepoint: a concurrent reader may insert it first
                message.save()
        except IntegrityError:
            existing = already_taken(
                incoming.source, incoming.uid, message.sha256, message.message_id
            )
            if existing is None:
                raise
            _delete_files(message, attachments)
            return existing, False
        for attachment in attachments:
            attachment.message = message
        InboundAttachment.objects.bulk_create(attachments)
        appeal, how = match_round(parsed)
        if appeal is not None:
            _file_under(message, appeal, how, actor=None)
        elif parsed.is_auto_reply:
            message.outcome = Outcome.AUTO_REPLY
            message.save(update_fields=["outcome"])
        _custody(message, "inbound.received", actor=None, uid=message.uid, source=message.source)
    return message, True


def _file_under(message: InboundMessage, appeal: Appeal, how: str, *, actor) -> None:
    """Give the message its round: an automatic reply is only kept (it stops no clock and asks
    nobody to classify it); anything else becomes an unclassified response, and the organisers
    are told."""
    message.appeal, message.matched_by = appeal, how
    message.outcome = Outcome.AUTO_REPLY if message.auto_reply_reason else Outcome.MATCHED
    message.save(update_fields=["appeal", "matched_by", "outcome"])
    if message.outcome == Outcome.AUTO_REPLY:
        return
    response = PlatformResponse.objects.create(
        appeal=appeal,
        received_at=_received_at(message, appeal),
        channel=PlatformResponse.Channel.EMAIL,
        text=(message.text or message.subject)[:TEXT_LIMIT],
        classification="",
        sender=message.from_address,
        suggested_classification=_suggestion(message),
        inbound_message=message,
    )
    outbox.enqueue(emails.platform_replied(m, appeal, response) for m in organisers_of(appeal))


def _suggestion(message: InboundMessage) -> str:
    return suggest_classification(message.text, message.subject) or ""


def _received_at(message: InboundMessage, appeal: Appeal) -> datetime:
    """The message's own Date when it is plausible, else the moment it was taken: a wrong clock or a
    forged header must not put the answer before the round went out or in the future."""
    now = timezone.now()
    sent = message.sent_at
    if sent is None or sent > now + timedelta(minutes=5):
        return now
    if appeal.submitted_at and sent < appeal.submitted_at - timedelta(days=1):
        return now
    return min(sent, now)


def _custody(message: InboundMessage, verb: str, *, actor, **data) -> None:
    appeal = message.appeal
    record_event(
        appeal.grievance if appeal else None,
        verb,
        actor=actor,
        subject=subject_of(message),
        sha256=message.sha256,
        size=message.size,
        outcome=message.outcome,
        matched_by=message.matched_by,
        round=appeal.number if appeal else None,
        **data,
    )


def _delete_files(message: InboundMessage, attachments) -> None:
    for field in [message.raw, *(a.file for a in attachments)]:
        if field and field.name:
            try:
                field.storage.delete(field.name)
            except OSError:  # an orphan file is harmless; a crash here would hide the real error
                logger.warning("could not delete %s", field.name, exc_info=True)


@transaction.atomic
def attach_to_round(message: InboundMessage, appeal: Appeal, *, actor) -> InboundMessage:
    """Staff give a message the reader could not match its round."""
    if not (is_user(actor) and actor.is_staff):
        raise ActionRefused(_("Only staff can attach a message to a round."), code="forbidden")
    message = InboundMessage.objects.select_for_update().get(pk=message.pk)
    if message.appeal_id is not None:
        raise ActionRefused(_("This message already belongs to a round."), code="wrong_state")
    appeal = lock(appeal)
    message.attached_by = actor
    message.save(update_fields=["attached_by"])
    _file_under(message, appeal, By.STAFF, actor=actor)
    _custody(message, "inbound.attached", actor=actor)
    return message


@transaction.atomic
def classify_response(
    response: PlatformResponse, *, actor, classification: str
) -> PlatformResponse:
    """An organiser says what the platform's reply is; the round moves as for a recorded response
    (a request for information pauses the clock, a decision answers the round)."""
    appeal = lock(response.appeal)
    if not is_user(actor):
        raise ActionRefused(_("Only the grievance's organisers can do this."), code="forbidden")
    require_organiser(appeal.grievance, actor)
    response = PlatformResponse.objects.select_for_update().get(pk=response.pk)
    if not response.is_unclassified:
        raise ActionRefused(_("This reply has been classified already."), code="wrong_state")
    check_choice(classification, Classification, "classification")
    if appeal.state not in states.RECORDABLE_STATES:
        states.check_move(appeal, "record_response")  # raises with the round's state in it
    response.classification = classification
    response.classified_at = timezone.now()
    response.recorded_by = actor
    return move_for_response(appeal, response, actor=actor)


def record_download(message: InboundMessage, *, actor, attachment: int | None = None) -> None:
    """The custody log of a look at the raw message or one of its attachments. Callers check
    that the actor may see it."""
    with transaction.atomic():
        _custody(message, "inbound.downloaded", actor=actor, attachment=attachment)
