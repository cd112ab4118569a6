"""Which round an inbound message belongs to, and who may see what of the replies.

Matching, in order (appeals/inbound/rules.py holds the plain rules): the round's token in a
recipient's plus address; else In-Reply-To / References against the Message-IDs of the emails
Coalition sent about a round; else a platform case reference in the subject, and only from the
platform's own mail domain (a case reference is short and guessable, a token or a Message-ID is
not).

Who sees what: organisers (and staff) see every reply, the raw message and its attachments;
members see the platform's answers once an organiser has classified them, as they always saw
recorded responses, but never raw messages, attachments, automatic replies or unclassified
replies; others see nothing.
"""

from __future__ import annotations

from django.conf import settings
from django.db.models import Q, QuerySet

from appeals import states
from appeals.inbound.parsing import Parsed
from appeals.inbound.rules import case_references_in, normalise_case_reference, token_from_addresses
from appeals.models import Appeal, InboundMessage, Notification
from appeals.models.responses import UNCLASSIFIED, PlatformResponse
from appeals.queries.rounds import organised_rounds

By = InboundMessage.MatchedBy


def match_round(parsed: Parsed) -> tuple[Appeal | None, str]:
    """The round a message answers and how it was found, or (None, "")."""
    rounds = Appeal.objects.select_related("grievance__platform")
    token = token_from_addresses(parsed.recipients, getattr(settings, "INBOUND_ADDRESS", ""))
    if token:
        found = rounds.filter(reply_token=token).first()
        if found is not None:
            return found, By.TOKEN
    ids = [i for i in [parsed.in_reply_to, *parsed.references] if i][:50]
    if ids:
        appeal_id = (
            Notification.objects.filter(message_id__in=ids, appeal__isnull=False)
            .order_by("-created_at")
            .values_list("appeal_id", flat=True)
            .first()
        ) or Appeal.objects.filter(message_id__in=ids).values_list("pk", flat=True).first()
        if appeal_id:
            return rounds.get(pk=appeal_id), By.THREAD
    found = _by_case_reference(rounds, parsed)
    if found is not None:
        return found, By.CASE_REFERENCE
    return None, ""


def _by_case_reference(rounds: QuerySet[Appeal], parsed: Parsed) -> Appeal | None:
    candidates = case_references_in(parsed.subject)[:10]
    domain = parsed.from_address.rpartition("@")[2].lower()
    if not candidates or not domain or parsed.from_warnings:
        return None
    query = Q()
    for candidate in candidates:
        query |= Q(case_reference__iexact=candidate)
    sent = rounds.filter(query, state__in=states.SENT_STATES).order_by("-submitted_at")
    wanted = {normalise_case_reference(c) for c in candidates}
    for appeal in sent[:20]:
        platform_domain = appeal.grievance.platform.appeal_email.rpartition("@")[2].lower()
        same_domain = domain == platform_domain or domain.endswith("." + platform_domain)
        if same_domain and normalise_case_reference(appeal.case_reference) in wanted:
            return appeal
    return None


def already_taken(
    source: str, uid: str, sha256: str, message_id: str = ""
) -> InboundMessage | None:
    """The message as it was taken before: same place in the same mailbox, same bytes, or the
    same Message-ID (the same mail delivered twice, e.g. once per address it was sent to)."""
    query = Q(source=source, uid=uid) | Q(sha256=sha256)
    if message_id:
        query |= Q(message_id=message_id)
    return InboundMessage.objects.filter(query).first()


def thread_responses(appeal: Appeal, *, organiser: bool) -> QuerySet[PlatformResponse]:
    """The round's responses a viewer may read: all for organisers, classified ones for members."""
    responses = (
        appeal.responses.select_related("inbound_message")
        .prefetch_related("inbound_message__attachments")
        .order_by("received_at", "id")
    )
    if not organiser:
        responses = responses.exclude(classification=UNCLASSIFIED)
    return responses


def platform_emails(appeal: Appeal) -> QuerySet[Notification]:
    """The emails Coalition sent the platform about this round: the submission and the chasers."""
    return appeal.notifications.filter(
        recipient__isnull=True, kind__in=["auto_submit", "response_chase"]
    ).order_by("created_at", "id")


def auto_replies(appeal: Appeal) -> QuerySet[InboundMessage]:
    return (
        appeal.inbound_messages.filter(outcome=InboundMessage.Outcome.AUTO_REPLY)
        .prefetch_related("attachments")
        .order_by("received_at", "id")
    )


def readable_messages(user) -> QuerySet[InboundMessage]:
    """Raw messages and their attachments the user may open: staff every one (unmatched mail
    waits for them), organisers those of their grievances' rounds, nobody else any."""
    if getattr(user, "is_staff", False) and user.is_active:
        return InboundMessage.objects.all()
    rounds = organised_rounds(user)
    if rounds is None:
        return InboundMessage.objects.none()
    return InboundMessage.objects.filter(appeal__in=rounds.values("pk"))
