"""The round's email thread with the platform, in date order: what Coalition sent (the submission,
the chasers) and what came back (replies, recorded responses, automatic replies).

Who sees what is appeals/queries/inbound.py's rule: organisers see everything, replies to classify
and the raw messages included; members see what was sent and the classified answers; others see
nothing (the round page does not show them the section).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime

from django.urls import reverse
from django.utils.translation import gettext as _

from appeals.models import Appeal, InboundMessage, Notification, PlatformResponse
from appeals.queries.inbound import auto_replies, platform_emails, thread_responses
from appeals.queries.rounds import Standing

SENT, REPLY, AUTO_REPLY = "sent", "reply", "auto_reply"


@dataclass(frozen=True)
class ThreadItem:
    kind: str  # SENT, REPLY (a response, classified or not) or AUTO_REPLY
    at: datetime
    title: str
    response: PlatformResponse | None = None
    message: InboundMessage | None = None  # organisers only
    email: Notification | None = None
    notes: list[str] = field(default_factory=list)  # organisers only: problems, doubts

    @property
    def to_classify(self) -> bool:
        return self.response is not None and self.response.is_unclassified

    @property
    def choices(self) -> list[tuple[str, str]]:
        return PlatformResponse.Classification.choices

    @property
    def raw_url(self) -> str:
        if self.message is None:
            return ""
        return reverse("appeals:inbound_raw", args=[self.message.pk])


def thread_of(appeal: Appeal, standing: Standing) -> list[ThreadItem]:
    """The thread as `standing` may see it; [] for outsiders. Three queries."""
    if not standing.insider:
        return []
    organiser = standing.organiser
    items = [_sent(email) for email in platform_emails(appeal)]
    for response in thread_responses(appeal, organiser=organiser):
        items.append(_reply(response, organiser))
    if organiser:
        items += [_auto(message) for message in auto_replies(appeal)]
    return sorted(items, key=lambda item: item.at)


def _sent(email: Notification) -> ThreadItem:
    title = _("Round sent to the platform") if email.kind == "auto_submit" else _("Chaser sent")
    return ThreadItem(kind=SENT, at=email.sent_at or email.created_at, title=title, email=email)


def _reply(response: PlatformResponse, organiser: bool) -> ThreadItem:
    message = response.inbound_message if organiser else None
    if response.is_unclassified:
        title = _("Reply to classify")
    else:
        title = str(response.get_classification_display())
    notes = [*message.sender_warnings, *message.problems] if message else []
    return ThreadItem(
        kind=REPLY, at=response.received_at, title=title, response=response, message=message,
        notes=notes,
    )  # fmt: skip


def _auto(message: InboundMessage) -> ThreadItem:
    return ThreadItem(
        kind=AUTO_REPLY,
        at=message.received_at,
        title=_("Automatic reply (stops no clock)"),
        message=message,
        notes=[message.auto_reply_reason] if message.auto_reply_reason else [],
    )
