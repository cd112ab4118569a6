"""Drafting a round's letter from the category templates, and the signer annex.

Templates live in templates/appeals/letters/<category>.<lang>.txt and fall back to
default.<lang>.txt. The first line of a rendered template is the subject, the rest the body. Each
category template extends the default one and fills its `category` block with what that kind of
case needs (refund disputes: order records, chat logs, tracking; IP claims: registration
certificates; suspensions: a Plan of Action; withheld funds: a statement of reasons).

What a letter may say (docs/privacy.md, docs/domain.md):
- it is dated, comes from the coalition and gives the round's own reply address;
- it counts *verified* members only, and every figure derived from members' private data (store
  count, amounts) passes through coalition/rules/disclosure.py: a letter is read by every signer,
  so it never carries the organisers' exact totals;
- it cites only the legal regimes of the platform's profile that apply to the sellers behind it
  (coalition/rules/jurisdictions.py), each from templates/appeals/letters/legal/;
- the round number is the one the platform sees: rounds it received, not rounds drafted, so a
  withdrawn round uses up no number; round N > 1 cites each earlier round it received (date,
  channel, case reference, outcome) and says what is new since the last one.

Both languages are drafted: the letter in the round's language goes to the platform, the other
is the signers' translation (`Appeal.translation`).

The annex is not part of the drafted letter: people sign after the letter is drafted, so the annex
is built when the round is sent (`letter_with_annex`).

Who is named in the annex: a counted signer (verified member, not withdrawn, confirmed email) who
consented both on their membership ("I agree to be named to the platform") AND on this round's
signature. Either consent can be taken back on its own, and taking back either one removes the
name — naming someone to a platform without a current yes is the mistake to avoid. The store ID
is given only with the signature's separate consent to share it.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime

from django.db.models import Count
from django.template.loader import render_to_string, select_template
from django.utils import timezone, translation

from appeals.models import Appeal, Signature
from appeals.queries.clocks import regimes_for
from coalition.categories import Category, EvidenceKind
from coalition.models import Evidence, Grievance, Membership
from coalition.queries.reports import confirmed_listings
from coalition.rules.disclosure import (
    Contribution,
    describe,
    release_count,
    release_money_by_currency,
)

LANGUAGES = ("en", "zh-hans")
SUSPENSION_CATEGORIES = frozenset(
    {
        Category.DUPLICATE_LISTING,
        Category.ACCOUNT_LINKING,
        Category.FULFILMENT_PERFORMANCE,
        Category.OFF_PLATFORM,
        Category.MISLEADING_AUTHORIZATION,
    }
)


@dataclass(frozen=True)
class Amount:
    """Released amounts of one currency, already said in the letter's language ("" = hidden)."""

    currency: str
    withheld: str
    fined: str


@dataclass(frozen=True)
class SentRound:
    """An earlier round as the platform knows it: its number *as the platform saw it*."""

    number: int
    submitted_on: date
    channel: str
    case_reference: str
    outcome: str
    state: str


@dataclass(frozen=True)
class AnnexRow:
    name: str
    store: str
    store_id: str  # "" unless the signer consented to share it for this round


def template_names(category: str, language: str) -> list[str]:
    lang = language if language in LANGUAGES else "en"
    return [f"appeals/letters/{category}.{lang}.txt", f"appeals/letters/default.{lang}.txt"]


def verified_members(grievance: Grievance):
    return grievance.memberships.filter(state=Membership.State.VERIFIED)


def letter_regimes(grievance: Grievance) -> list[str]:
    """The platform's regimes that apply to the verified sellers of this grievance."""
    return regimes_for(grievance)


def released_figures(grievance: Grievance, language: str) -> dict:
    """Verified member count, and the store count and amounts that disclosure releases."""
    rows = list(
        verified_members(grievance).values(
            "pk", "store_id", "currency", "amount_withheld", "amount_fined"
        )
    )
    stores = release_count(
        Contribution(r["pk"], 1 if r["store_id"] else 0, verified=True) for r in rows
    )

    def money(field: str) -> dict:
        return release_money_by_currency(
            Contribution(r["pk"], r[field], verified=True, currency=r["currency"])
            for r in rows
            if r[field]
        )

    withheld, fined = money("amount_withheld"), money("amount_fined")
    amounts = []
    for currency in sorted(set(withheld) | set(fined)):
        w, f = withheld.get(currency), fined.get(currency)
        w_text = describe(w, language=language) if w is not None and w.released else ""
        f_text = describe(f, language=language) if f is not None and f.released else ""
        if w_text or f_text:
            amounts.append(Amount(currency, w_text, f_text))
    return {
        "member_count": len(rows),
        "store_count": stores.value if stores.released else 0,
        "amounts": amounts,
    }


def rounds_received_before(grievance: Grievance, number: int) -> list[Appeal]:
    """The rounds before round `number` that reached the platform, oldest first."""
    return list(
        grievance.rounds.filter(number__lt=number, submitted_at__isnull=False).order_by("number")
    )


def platform_number(appeal: Appeal) -> int:
    """The round's number as the platform sees it: 1 + the rounds it already received."""
    return len(rounds_received_before(appeal.grievance, appeal.number)) + 1


def _history(sent: list[Appeal]) -> list[SentRound]:
    return [
        SentRound(
            number=i,
            submitted_on=timezone.localtime(r.submitted_at).date(),
            channel=r.channel,
            case_reference=r.case_reference,
            outcome=r.outcome,
            state=r.state,
        )
        for i, r in enumerate(sent, start=1)
    ]


def _new_since(grievance: Grievance, last: Appeal | None, language: str) -> dict:
    if last is None:
        return {}
    since: datetime = last.submitted_at
    kinds = (
        Evidence.objects.filter(
            grievance=grievance, uploaded_at__gt=since, withdrawn_at__isnull=True
        )
        .values("kind")
        .annotate(n=Count("id"))
        .order_by("kind")
    )
    with translation.override(language):
        new_evidence = [
            {"label": str(EvidenceKind(k["kind"]).label).lower(), "count": k["n"]} for k in kinds
        ]
    return {
        "new_evidence": new_evidence,
        "new_signers": verified_members(grievance).filter(joined_at__gt=since).count(),
        "demands_changed": bool(last.demands) and last.demands.strip() != grievance.demands.strip(),
        "listings_new": confirmed_listings(grievance, since=since).count(),
    }


def render_letter(
    grievance: Grievance,
    *,
    language: str,
    round_number: int,
    previous: Appeal | None = None,
    reply_address: str = "",
    drafted_on: date | None = None,
) -> tuple[str, str]:
    """(subject, body) of a fresh letter for round `round_number` in `language`.

    `previous` is kept for callers that name the last round; the history is read from the rounds
    the platform received before `round_number` either way.
    """
    lang = language if language in LANGUAGES else "en"
    sent = rounds_received_before(grievance, round_number)
    last = sent[-1] if sent else None
    context = {
        "grievance": grievance,
        "platform": grievance.platform,
        "round_number": round_number,
        "platform_number": len(sent) + 1,
        "history": _history(sent),
        "last_number": len(sent),
        "last_case_reference": last.case_reference if last else "",
        "previous": last or previous,
        "reply_address": reply_address,
        "drafted_on": drafted_on or timezone.localdate(),
        "regimes": letter_regimes(grievance),
        "suspension": grievance.category in SUSPENSION_CATEGORIES,
        **released_figures(grievance, lang),
        **_new_since(grievance, last, lang),
    }
    with translation.override(lang):
        template = select_template(template_names(grievance.category, lang))
        text = template.render(context)
    return _split(text)


def other_language(language: str) -> str:
    return "zh-hans" if language == "en" else "en"


def _split(text: str) -> tuple[str, str]:
    lines = text.strip("\n").splitlines()
    subject = lines[0].strip() if lines else ""
    body = "\n".join(lines[1:]).strip("\n")
    # Templates are easier to read with blank lines around tags; letters need at most one.
    while "\n\n\n" in body:
        body = body.replace("\n\n\n", "\n\n")
    return subject, body.rstrip() + "\n"


def _named_signatures(appeal: Appeal):
    return (
        Signature.objects.filter(appeal=appeal)
        .counted()
        .filter(consent_to_name=True, membership__consent_to_name=True)
        .select_related("membership__seller", "membership__store")
        .order_by("signed_at", "pk")
    )


def signer_annex(appeal: Appeal) -> list[tuple[str, str]]:
    """(display name, store name) of counted signers who consented to be named, in signing order.

    Store name is "" when the member linked no store. No store IDs: this is what members see
    (docs/privacy.md); the platform's copy is `platform_annex`.
    """
    return [
        (s.membership.seller.display_name, s.membership.store.name if s.membership.store else "")
        for s in _named_signatures(appeal)
    ]


def platform_annex(appeal: Appeal) -> list[AnnexRow]:
    """The annex the platform receives: named signers with their store and, only with the
    signature's separate consent, the store ID the platform needs to act on the store."""
    rows = []
    for s in _named_signatures(appeal):
        store = s.membership.store
        rows.append(
            AnnexRow(
                s.membership.seller.display_name,
                store.name if store else "",
                store.platform_store_id if store and s.consent_to_store_id else "",
            )
        )
    return rows


def unnamed_signer_count(appeal: Appeal, named: int | None = None) -> int:
    named = len(signer_annex(appeal)) if named is None else named
    return Signature.objects.filter(appeal=appeal).counted().count() - named


def listings_annex(appeal: Appeal) -> list:
    """Infringing listings the organisers confirmed since the previous round went out (all of them
    for round 1): each round shows the platform what is new."""
    previous = appeal.previous
    since = previous.submitted_at if previous is not None else None
    return list(confirmed_listings(appeal.grievance, since=since))


def annex_text(appeal: Appeal) -> str:
    """The annexes in the round's language — signers, then confirmed infringing listings — ready
    to append to the letter."""
    named = platform_annex(appeal)
    lang = appeal.language if appeal.language in LANGUAGES else "en"
    context = {
        "named": named,
        "unnamed": unnamed_signer_count(appeal, len(named)),
        "listings": listings_annex(appeal),
        "appeal": appeal,
    }
    with translation.override(lang):
        return render_to_string(f"appeals/letters/annex.{lang}.txt", context).strip("\n")


def letter_with_annex(appeal: Appeal) -> str:
    """What goes to the platform: the letter as the organisers left it, then the signer annex."""
    return f"{appeal.letter.rstrip()}\n\n{annex_text(appeal)}\n"


__all__ = [
    "AnnexRow",
    "annex_text",
    "letter_regimes",
    "letter_with_annex",
    "listings_annex",
    "other_language",
    "platform_annex",
    "platform_number",
    "released_figures",
    "render_letter",
    "rounds_received_before",
    "signer_annex",
    "template_names",
    "unnamed_signer_count",
]
