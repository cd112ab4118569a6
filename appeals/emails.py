"""Every email the appeals app sends: one small function per kind, all built by `_build`.

`_build` renders templates/emails/<name>.subject.txt, .txt and .html in the recipient's language and
time zone with the project's one renderer (coalition.mail.render) and returns an *unsaved* outbox
row; appeals/outbox writes rows in bulk and sends them. Nothing here sends mail: every email goes
through the outbox (docs/outbox.md).

Emails to members and organisers carry one-click unsubscribe links, for the grievance and for
everything, in the footer and in the List-Unsubscribe / List-Unsubscribe-Post headers (RFC 2369,
RFC 8058). Emails to a platform (the round itself, chasers) carry none: they are the appeal.
"""

from __future__ import annotations

import uuid
from collections.abc import Callable, Iterable, Sequence
from datetime import datetime
from email.utils import make_msgid
from types import SimpleNamespace
from typing import Any

from django.urls import reverse
from django.utils import timezone
from django.utils.html import escape

from appeals.documents.letters import letter_with_annex
from appeals.documents.packets import packet_for_email
from appeals.documents.storage import PACKET_HEADER
from appeals.models import (
    Announcement,
    Appeal,
    Climb,
    Notification,
    PlatformResponse,
    Submission,
)
from appeals.outbox import service as outbox
from coalition.mail import Rendered, absolute, mail_domain, render, safe_language, safe_zone
from coalition.models import Grievance, Membership, Seller

# --- the one helper ---------------------------------------------------------------------------


def _build(
    name: str,
    *,
    kind: str,
    dedupe_key: str,
    to: str,
    context: dict[str, Any],
    seller: Seller | None = None,
    language: str = "",
    zone: str = "",
    grievance: Grievance | None = None,
    appeal: Appeal | None = None,
    cc: Sequence[str] = (),
    reply_to: Sequence[str] = (),
    headers: dict[str, str] | None = None,
    now: datetime | None = None,
) -> Notification:
    """An unsaved outbox row for template `name`, rendered for one recipient.

    A seller recipient gets their language, time zone, unsubscribe links and the daytime hold
    (send_after); other recipients (a platform) get `language` / `zone`.
    """
    lang = safe_language(seller.language if seller else language)
    tz = safe_zone(seller.time_zone if seller else zone)
    ctx = {"grievance": grievance, "appeal": appeal, **context}
    extra = dict(headers or {})
    if seller is not None:
        links = unsubscribe_links(seller, grievance)
        ctx.update(seller=seller, **links)
        extra.update(_list_headers(links))
    if reply_to:
        extra["Reply-To"] = ", ".join(reply_to)
    rendered = render(name, ctx, language=lang, zone=tz)
    return _row(
        rendered,
        kind=kind,
        dedupe_key=dedupe_key,
        to=to,
        seller=seller,
        zone=tz,
        grievance=grievance,
        appeal=appeal,
        cc=cc,
        headers=extra,
        now=now,
    )


def _row(
    rendered: Rendered,
    *,
    kind: str,
    dedupe_key: str,
    to: str,
    seller: Seller | None,
    zone: str,
    grievance: Grievance | None,
    appeal: Appeal | None,
    cc: Sequence[str] = (),
    headers: dict[str, str],
    now: datetime | None,
) -> Notification:
    message_id = make_msgid(domain=mail_domain())
    return Notification(
        recipient=seller.user if seller is not None else None,
        to_email=to,
        cc=list(cc),
        kind=kind,
        dedupe_key=dedupe_key,
        grievance=grievance,
        appeal=appeal,
        subject=rendered.subject,
        body_text=rendered.text,
        body_html=rendered.html,
        headers={"Message-ID": message_id, **headers},
        message_id=message_id,
        send_after=outbox.daytime_send_after(now or timezone.now(), zone)
        if seller is not None
        else None,
    )


def _list_headers(links: dict[str, str]) -> dict[str, str]:
    return {
        # RFC 8058: the header URL must unsubscribe on a bare POST; the grievance one is narrower.
        "List-Unsubscribe": f"<{links['unsubscribe_url']}>",
        "List-Unsubscribe-Post": "List-Unsubscribe=One-Click",
        "Auto-Submitted": "auto-generated",  # RFC 3834: no auto-replies, please
    }


# --- fan-outs: render once per language and time zone, personalise per member ------------------

# Stand-ins for what differs between the members of one fan-out. Private-use characters survive
# HTML escaping and never occur in templates or translations; the token is a valid UUID for
# reverse() and is replaced as text.
NAME_MARK = "\ue000display-name\ue001"
TOKEN_MARK = uuid.UUID("00000000-0000-4000-8000-00000000c0a1")


class MailMerge:
    """Build one member email after another for a fan-out without rendering each one.

    Each template is rendered once per (language, time zone) — the only things that vary between
    members besides their name and their unsubscribe token, which are filled in afterwards (the
    name HTML-escaped in the HTML part). A 100,000-member reminder costs a few renders instead of
    300,000. Templates built this way may only print `seller.display_name` and the unsubscribe
    links as they are, with no filters (tests/appeals/emails/test_emails.py checks that a merged
    email is identical to one rendered directly).
    """

    def __init__(
        self,
        name: str,
        appeal: Appeal | None,
        context: dict[str, Any],
        *,
        now: datetime | None = None,
        grievance: Grievance | None = None,
    ) -> None:
        """`appeal` may be None for a grievance-wide email (then pass `grievance`)."""
        self.name, self.appeal, self.context, self.now = (
            name,
            appeal,
            context,
            now or timezone.now(),
        )
        self.grievance = grievance or appeal.grievance
        self._cache: dict[tuple[str, str], tuple[Rendered, dict[str, str]]] = {}
        self.round_url = (
            absolute(reverse("appeals:round_detail", args=[appeal.pk])) if appeal else ""
        )

    def __call__(self, membership: Membership, *, key: str, kind: str = "") -> Notification:
        seller = membership.seller
        lang, tz = safe_language(seller.language), safe_zone(seller.time_zone)
        template, headers = self._cache.get((lang, tz)) or self._prepare(lang, tz)
        token, name = str(seller.unsubscribe_token), seller.display_name
        rendered = Rendered(
            subject=self._fill(template.subject, token, name),
            text=self._fill(template.text, token, name),
            html=self._fill(template.html, token, escape(name)),
        )
        return _row(
            rendered,
            kind=kind or self.name,
            dedupe_key=key,
            to=seller.user.email,
            seller=seller,
            zone=tz,
            grievance=self.grievance,
            appeal=self.appeal,
            headers={k: v.replace(str(TOKEN_MARK), token) for k, v in headers.items()},
            now=self.now,
        )

    def _prepare(self, lang: str, tz: str) -> tuple[Rendered, dict[str, str]]:
        stand_in = SimpleNamespace(display_name=NAME_MARK, unsubscribe_token=TOKEN_MARK)
        grievance = self.grievance
        links = unsubscribe_links(stand_in, grievance)
        ctx = {
            "grievance": grievance,
            "appeal": self.appeal,
            "platform": grievance.platform,
            "round_url": self.round_url,
            "seller": stand_in,
            **links,
            **self.context,
        }
        prepared = (render(self.name, ctx, language=lang, zone=tz), _list_headers(links))
        self._cache[(lang, tz)] = prepared
        return prepared

    @staticmethod
    def _fill(text: str, token: str, name: str) -> str:
        # The token first: a display name could look like the token stand-in, never the reverse.
        return text.replace(str(TOKEN_MARK), token).replace(NAME_MARK, name)


def unsubscribe_links(seller: Seller, grievance: Grievance | None) -> dict[str, str]:
    """One-click unsubscribe URLs: from this grievance's emails (when there is one) and from all.

    The seller's unsubscribe_token is the credential: it is random, never shown on a page, and
    unsubscribing is harmless and undoable (the confirmation page offers to undo it).
    """
    token = seller.unsubscribe_token
    all_url = absolute(reverse("appeals:unsubscribe", args=[token]))
    if grievance is None:
        return {"unsubscribe_url": all_url, "unsubscribe_all_url": all_url}
    one_url = absolute(reverse("appeals:unsubscribe_grievance", args=[token, grievance.pk]))
    return {"unsubscribe_url": one_url, "unsubscribe_all_url": all_url}


# --- to members -------------------------------------------------------------------------------


def signing_reminder(
    membership: Membership, appeal: Appeal, slot: str, *, signed: int | None = None, now=None
) -> Notification:
    """Ask a member who has not signed yet to co-sign the round (slot: "opened" or "deadline");
    `signed` is the round's signature count, counted once per fan-out rather than per email."""
    return _to_member(
        "signing_reminder",
        membership,
        appeal,
        key=_signing_key(appeal, membership, slot),
        context=_signing_context(slot, signed),
        now=now,
    )


def signing_reminders(
    appeal: Appeal, slot: str, *, signed: int | None = None, now=None
) -> Callable[[Membership], Notification]:
    """`signing_reminder` for a fan-out (see MailMerge): the same emails, far fewer renders."""
    merge = MailMerge("signing_reminder", appeal, _signing_context(slot, signed), now=now)
    return lambda membership: merge(membership, key=_signing_key(appeal, membership, slot))


def _signing_key(appeal: Appeal, membership: Membership, slot: str) -> str:
    return f"signing_reminder:{appeal.pk}:{membership.pk}:{slot}"


def _signing_context(slot: str, signed: int | None) -> dict[str, Any]:
    return {"slot": slot, "last_call": slot == "deadline", "signed": signed}


def member_submit_reminder(
    membership: Membership, appeal: Appeal, slot: str, *, now=None
) -> Notification:
    """Ask a signer to file their own portal appeal and log its ticket number (slot: "submitted"
    or "later")."""
    return _to_member(
        "member_submit_reminder",
        membership,
        appeal,
        key=_submit_key(appeal, membership, slot),
        context={"slot": slot},
        now=now,
    )


def member_submit_reminders(
    appeal: Appeal, slot: str, *, now=None
) -> Callable[[Membership], Notification]:
    """`member_submit_reminder` for a fan-out (see MailMerge)."""
    merge = MailMerge("member_submit_reminder", appeal, {"slot": slot}, now=now)
    return lambda membership: merge(membership, key=_submit_key(appeal, membership, slot))


def _submit_key(appeal: Appeal, membership: Membership, slot: str) -> str:
    return f"member_submit_reminder:{appeal.pk}:{membership.pk}:{slot}"


def outcome_check(submission: Submission, *, now=None) -> Notification:
    """Ask a member how their own appeal ended."""
    membership, appeal = submission.membership, submission.appeal
    return _to_member(
        "outcome_check",
        membership,
        appeal,
        key=f"outcome_check:{submission.pk}:{submission.submitted_on:%Y%m%d}",
        context={"submission": submission},
        now=now,
    )


def summonses(appeal: Appeal, *, signed: int = 0, now=None) -> Callable[[Membership], Notification]:
    """Summon a verified member to co-sign a round that just opened (a fan-out, see MailMerge):
    the deadline, what the letter asks in the member's language, a link to the sign button."""
    merge = MailMerge(
        "summons",
        appeal,
        {
            "sign_url": absolute(reverse("appeals:round_detail", args=[appeal.pk])) + "#signatures",
            "excerpt": _excerpt(appeal.letter, 600),
            "signed": signed,
            "letter_language": Appeal.Language(appeal.language).label
            if appeal.language in Appeal.Language.values
            else appeal.language,
        },
        now=now,
    )
    return lambda membership: merge(membership, key=f"summons:{appeal.pk}:{membership.pk}")


def decision_notices(
    appeal: Appeal, response: PlatformResponse, *, next_step: str, now=None
) -> Callable[[Membership], Notification]:
    """Tell a member what the platform answered and what happens next (a fan-out): information
    requested (the clock paused), partly granted or rejected (`next_step`: "next_round",
    "round_drafted" or "escalate"), granted (check your store, report your own outcome)."""
    drafted = appeal.grievance.rounds.filter(number__gt=appeal.number).order_by("number").first()
    merge = MailMerge(
        "decision_notice",
        appeal,
        {
            "response": response,
            "classification": response.classification,
            "said": _excerpt(response.text, 1500),
            "next_step": next_step,
            "drafted": drafted,
            "my_appeal_url": absolute(reverse("appeals:round_detail", args=[appeal.pk]))
            + "#my-appeal",
        },
        now=now,
    )
    return lambda membership: merge(
        membership, key=f"decision_notice:{appeal.pk}:{response.pk}:{membership.pk}"
    )


def announcements(announcement: Announcement, *, now=None) -> Callable[[Membership], Notification]:
    """An organisers' announcement to one member of its audience (a fan-out). Its text is the
    organisers' own: escaped in the HTML part like every other value."""
    grievance = announcement.grievance
    merge = MailMerge(
        "announcement",
        announcement.appeal,
        {
            "announcement": announcement,
            "author": _author(announcement),
            "grievance_url": absolute(grievance.get_absolute_url()),
        },
        now=now,
        grievance=grievance,
    )
    return lambda membership: merge(
        membership, key=f"announcement:{announcement.pk}:{membership.pk}"
    )


def _author(announcement: Announcement) -> str:
    seller = getattr(announcement.created_by, "seller", None) if announcement.created_by else None
    return seller.display_name if seller else ""


def _excerpt(text: str, limit: int) -> str:
    text = (text or "").strip()
    if len(text) <= limit:
        return text
    cut = text[:limit].rsplit(" ", 1)[0].rstrip()
    return f"{cut or text[:limit]} …"


# --- to organisers ----------------------------------------------------------------------------


def organiser_chase(
    membership: Membership, appeal: Appeal, number: int, *, now=None
) -> Notification:
    """A portal round got no answer: remind an organiser to chase the platform by hand."""
    return _to_member(
        "organiser_chase",
        membership,
        appeal,
        key=f"response_chase:{appeal.pk}:{number}:{membership.pk}",
        kind="response_chase",
        context={"number": number},
        now=now,
    )


def overdue_alert(
    membership: Membership, appeal: Appeal, slot: str, stamp: str, *, now=None
) -> Notification:
    """Tell an organiser the platform's answer is overdue (slot "due") or very overdue ("very")."""
    return _to_member(
        "overdue_alert",
        membership,
        appeal,
        key=f"overdue_alert:{appeal.pk}:{slot}-{stamp}:{membership.pk}",
        context={"very": slot == "very"},
        now=now,
    )


def next_round(
    membership: Membership, appeal: Appeal, *, now=None, drafted: Appeal | None = None
) -> Notification:
    """Ask an organiser to prepare the next round after a partial grant or a rejection; with
    auto-rounds, `drafted` is the round already drafted for them to review."""
    if drafted is not None:
        target = reverse("appeals:round_edit", args=[drafted.pk])
    else:
        target = reverse("appeals:round_new", args=[appeal.grievance_id])
    return _to_member(
        "next_round",
        membership,
        appeal,
        key=f"next_round:{appeal.pk}:{membership.pk}",
        context={"new_round_url": absolute(target), "drafted": drafted},
        now=now,
    )


def platform_replied(
    membership: Membership, appeal: Appeal, response: PlatformResponse, *, now=None
) -> Notification:
    """Tell an organiser the platform replied to a round and the reply waits to be classified.
    Only who wrote and when: the reply itself is read on the round page."""
    return _to_member(
        "platform_replied",
        membership,
        appeal,
        key=f"platform_replied:{response.pk}:{membership.pk}",
        context={"response": response},
        now=now,
    )


# --- to the platform --------------------------------------------------------------------------


def round_submission(appeal: Appeal, organisers: Iterable[Membership], *, now=None) -> Notification:
    """The round itself, emailed to the platform's appeal address: the letter with its signer
    annex, organisers in copy, and the round's reply address as Reply-To."""
    platform = appeal.grievance.platform
    copies = _emails(organisers)
    # The evidence packet recorded at submission: its fingerprint and a signed link in the body;
    # the ZIP itself is attached at send time (the outbox) when it was kept, small enough.
    packet = packet_for_email(appeal)
    return _build(
        "round_submission",
        kind="auto_submit",
        dedupe_key=f"auto_submit:{appeal.pk}",
        to=platform.appeal_email,
        context={"platform": platform, "letter": letter_with_annex(appeal), "packet": packet},
        headers={PACKET_HEADER: packet.sha256} if packet else {},
        language=appeal.language,
        zone=platform.time_zone,
        grievance=appeal.grievance,
        appeal=appeal,
        cc=copies,
        reply_to=_platform_reply_to(appeal, copies),
        now=now,
    )


def platform_chase(
    appeal: Appeal, number: int, organisers: Iterable[Membership], *, now=None
) -> Notification:
    """A follow-up to the platform citing the first submission: its date, its reference, and a
    reply in the same email thread (In-Reply-To / References)."""
    platform = appeal.grievance.platform
    copies = _emails(organisers)
    headers = {}
    if appeal.message_id:
        headers = {"In-Reply-To": appeal.message_id, "References": appeal.message_id}
    moment = now or timezone.now()
    return _build(
        "platform_chase",
        kind="response_chase",
        dedupe_key=f"response_chase:{appeal.pk}:{number}",
        to=platform.appeal_email,
        context={
            "platform": platform,
            "number": number,
            "reference": appeal.case_reference or appeal.message_id,
            "position": chase_position(appeal, moment),
        },
        language=appeal.language,
        zone=platform.time_zone,
        grievance=appeal.grievance,
        appeal=appeal,
        cc=copies,
        reply_to=_platform_reply_to(appeal, copies),
        headers=headers,
        now=now,
    )


def _platform_reply_to(appeal: Appeal, copies: list[str]) -> list[str]:
    """The round's own reply address (appeals+<token>@…), so the platform's answer comes back
    into the round by itself (appeals/inbound); the organisers, in copy, see it through "reply
    all" and are told when it arrives. Without an inbound address: the organisers."""
    return [appeal.reply_address] if appeal.reply_address else copies


def chase_position(appeal: Appeal, now: datetime) -> str:
    """Where the platform's clock stands when a chaser goes out, so that the letter says only
    what is true: "before" the answer is due, "after" it, or "very" (twice the span) overdue."""
    due, very = appeal.response_due_at, appeal.very_overdue_at
    if due is None or now <= due:
        return "before"
    if very is not None and now > very:
        return "very"
    return "after"


# --- helpers ----------------------------------------------------------------------------------


def _to_member(
    name: str,
    membership: Membership,
    appeal: Appeal,
    *,
    key: str,
    context: dict[str, Any],
    kind: str = "",
    now: datetime | None = None,
) -> Notification:
    seller = membership.seller
    grievance = appeal.grievance
    ctx = {
        "membership": membership,
        "platform": grievance.platform,
        "round_url": absolute(reverse("appeals:round_detail", args=[appeal.pk])),
        **context,
    }
    return _build(
        name,
        kind=kind or name,
        dedupe_key=key,
        to=seller.user.email,
        context=ctx,
        seller=seller,
        grievance=grievance,
        appeal=appeal,
        now=now,
    )


def _emails(memberships: Iterable[Membership]) -> list[str]:
    return sorted({m.seller.user.email for m in memberships if m.seller.user.email})


# --- the escalation ladder ----------------------------------------------------------------------


def climb_notices(climb: Climb, *, now=None) -> Callable[[Membership], Notification]:
    """Tell a member the coalition climbed a rung of the ladder (a fan-out): which one, on what
    legal basis, the organisers' note and the rung's own clock."""
    grievance = climb.grievance
    merge = MailMerge(
        "climb_notice",
        None,
        {
            "climb": climb,
            "grievance_url": absolute(grievance.get_absolute_url()) + "#ladder",
        },
        now=now,
        grievance=grievance,
    )
    return lambda membership: merge(membership, key=f"climb_notice:{climb.pk}:{membership.pk}")


def ladder_window_reminder(
    membership: Membership, grievance: Grievance, *, rung: str, closes, slot: str, now=None
) -> Notification:
    """Remind an organiser that the window to climb `rung` closes on `closes`."""
    return _build(
        "ladder_window_reminder",
        kind="ladder_window_reminder",
        dedupe_key=f"ladder_window_reminder:{grievance.pk}:{rung}:{slot}:{membership.pk}",
        to=membership.seller.user.email,
        context={
            "membership": membership,
            "rung": Grievance.Rung(rung).label,
            "closes": closes,
            "grievance_url": absolute(grievance.get_absolute_url()) + "#ladder",
        },
        seller=membership.seller,
        grievance=grievance,
        now=now,
    )
