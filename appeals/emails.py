"""Every email the appeals app sends: one small function per kind, all built by `_build`.

`_build` renders templates/emails/<name>.subject.txt, .txt and .html in the recipient's language and
time zone and returns an *unsaved* outbox row; appeals/outbox.py writes rows in bulk and sends them.
Nothing here sends mail (STYLE.md "Email": mass sends go through the outbox).

Emails to members and organisers carry one-click unsubscribe links, for the grievance and for
everything, in the footer and in the List-Unsubscribe / List-Unsubscribe-Post headers (RFC 2369,
RFC 8058). Emails to a platform (the round itself, chasers) carry none: they are the appeal.
"""

from __future__ import annotations

import re
import uuid
import zoneinfo
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from datetime import datetime
from email.utils import make_msgid
from types import SimpleNamespace
from typing import Any

from django.conf import settings
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.html import escape

from appeals.models import Appeal, Notification, Submission
from coalition.models import Grievance, Membership, Seller

LANGUAGES = {code for code, _label in settings.LANGUAGES}


# --- the one helper ---------------------------------------------------------------------------


PACKET_HEADER = "X-Coalition-Packet-SHA256"


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
    lang = _language(seller.language if seller else language)
    tz = _zone(seller.time_zone if seller else zone)
    ctx = {"site_url": settings.SITE_URL, "grievance": grievance, "appeal": appeal, **context}
    extra = dict(headers or {})
    if seller is not None:
        links = unsubscribe_links(seller, grievance)
        ctx.update(seller=seller, **links)
        extra.update(_list_headers(links))
    if reply_to:
        extra["Reply-To"] = ", ".join(reply_to)
    rendered = _render(name, ctx, lang, tz)
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


@dataclass(frozen=True)
class Rendered:
    subject: str
    text: str
    html: str


def _render(name: str, ctx: dict[str, Any], lang: str, tz: str) -> Rendered:
    with translation.override(lang), timezone.override(tz):
        # One line, whatever the template's whitespace; the HTML <title> shows it too.
        ctx["subject"] = " ".join(render_to_string(f"emails/{name}.subject.txt", ctx).split())[:255]
        text = render_to_string(f"emails/{name}.txt", ctx)
        html = render_to_string(f"emails/{name}.html", ctx)
    return Rendered(ctx["subject"], _tidy(text), html)


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
    from appeals import outbox  # outbox imports the tasks, which import the app's modules

    message_id = make_msgid(domain=_mail_domain())
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
    links as they are, with no filters (tests/appeals/test_emails.py checks that a merged email
    is identical to one rendered directly).
    """

    def __init__(
        self, name: str, appeal: Appeal, context: dict[str, Any], *, now: datetime | None = None
    ) -> None:
        self.name, self.appeal, self.context, self.now = (
            name,
            appeal,
            context,
            now or timezone.now(),
        )
        self._cache: dict[tuple[str, str], tuple[Rendered, dict[str, str]]] = {}
        self.round_url = _absolute(reverse("appeals:round_detail", args=[appeal.pk]))

    def __call__(self, membership: Membership, *, key: str, kind: str = "") -> Notification:
        seller = membership.seller
        lang, tz = _language(seller.language), _zone(seller.time_zone)
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
            grievance=self.appeal.grievance,
            appeal=self.appeal,
            headers={k: v.replace(str(TOKEN_MARK), token) for k, v in headers.items()},
            now=self.now,
        )

    def _prepare(self, lang: str, tz: str) -> tuple[Rendered, dict[str, str]]:
        stand_in = SimpleNamespace(display_name=NAME_MARK, unsubscribe_token=TOKEN_MARK)
        grievance = self.appeal.grievance
        links = unsubscribe_links(stand_in, grievance)
        ctx = {
            "site_url": settings.SITE_URL,
            "grievance": grievance,
            "appeal": self.appeal,
            "platform": grievance.platform,
            "round_url": self.round_url,
            "seller": stand_in,
            **links,
            **self.context,
        }
        prepared = (_render(self.name, ctx, lang, tz), _list_headers(links))
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
    all_url = _absolute(reverse("appeals:unsubscribe", args=[token]))
    if grievance is None:
        return {"unsubscribe_url": all_url, "unsubscribe_all_url": all_url}
    one_url = _absolute(reverse("appeals:unsubscribe_grievance", args=[token, grievance.pk]))
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
        context={"new_round_url": _absolute(target), "drafted": drafted},
        now=now,
    )


# --- to the platform --------------------------------------------------------------------------


def round_submission(appeal: Appeal, organisers: Iterable[Membership], *, now=None) -> Notification:
    """The round itself, emailed to the platform's appeal address: the letter with its signer
    annex, organisers in copy and as Reply-To so the platform's answer reaches people."""
    from appeals.letters import letter_with_annex
    from appeals.packets import packet_for_email

    platform = appeal.grievance.platform
    copies = _emails(organisers)
    # The evidence packet: its fingerprint and a signed link in the body; the ZIP itself is
    # attached at send time (outbox.build_message) when small enough and still the same bytes.
    packet = packet_for_email(appeal)
    return _build(
        "round_submission",
        kind="auto_submit",
        dedupe_key=f"auto_submit:{appeal.pk}",
        to=platform.appeal_email,
        context={"platform": platform, "letter": letter_with_annex(appeal), "packet": packet},
        headers={PACKET_HEADER: packet.sha256},
        language=appeal.language,
        zone=platform.time_zone,
        grievance=appeal.grievance,
        appeal=appeal,
        cc=copies,
        reply_to=copies,
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
    return _build(
        "platform_chase",
        kind="response_chase",
        dedupe_key=f"response_chase:{appeal.pk}:{number}",
        to=platform.appeal_email,
        context={
            "platform": platform,
            "number": number,
            "reference": appeal.case_reference or appeal.message_id,
        },
        language=appeal.language,
        zone=platform.time_zone,
        grievance=appeal.grievance,
        appeal=appeal,
        cc=copies,
        reply_to=copies,
        headers=headers,
        now=now,
    )


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
        "round_url": _absolute(reverse("appeals:round_detail", args=[appeal.pk])),
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


def _tidy(text: str) -> str:
    """Plain text as templates leave it, minus runs of blank lines and trailing spaces."""
    lines = [line.rstrip() for line in text.strip().splitlines()]
    return re.sub(r"\n{3,}", "\n\n", "\n".join(lines)) + "\n"


def _absolute(path: str) -> str:
    return f"{settings.SITE_URL}{path}"


def _mail_domain() -> str:
    address = settings.DEFAULT_FROM_EMAIL.rsplit("<", 1)[-1].rstrip(">")
    return address.rsplit("@", 1)[-1] or "coalition.localhost"


def _language(code: str) -> str:
    return code if code in LANGUAGES else settings.LANGUAGE_CODE


def _zone(name: str) -> str:
    try:
        zoneinfo.ZoneInfo(name or "UTC")
    except (zoneinfo.ZoneInfoNotFoundError, ValueError):
        return "UTC"  # a bad profile value must not stop a whole fan-out
    return name or "UTC"
