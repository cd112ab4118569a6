"""Drafting a round's letter from the category templates, and the signer annex.

Templates live in templates/appeals/letters/<category>.<lang>.txt and fall back to
default.<lang>.txt. The first line of a rendered template is the subject, the rest the body. Each
category template extends the default one and fills its `category` block with what that kind of
case needs (refund disputes: order records, chat logs, tracking; IP claims: registration
certificates; suspensions: a Plan of Action; withheld funds: P2B Art. 4).

The annex is not part of the drafted letter: people sign after the letter is drafted, so the annex
is built when the round is sent (`letter_with_annex`).

Who is named in the annex: a counted signer (not withdrawn, active member, confirmed email) who
consented both on their membership ("I agree to be named to the platform") AND on this round's
signature. Either consent can be taken back on its own, and taking back either one removes the
name — naming someone to a platform without a current yes is the mistake to avoid.
"""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal

from django.template.loader import render_to_string, select_template
from django.utils import translation

from appeals.models import Appeal, Signature
from coalition.categories import Category
from coalition.models import Grievance
from coalition.queries.memberships import aggregates
from coalition.queries.reports import confirmed_listings

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
    currency: str
    withheld: Decimal
    fined: Decimal


def template_names(category: str, language: str) -> list[str]:
    lang = language if language in LANGUAGES else "en"
    return [f"appeals/letters/{category}.{lang}.txt", f"appeals/letters/default.{lang}.txt"]


def render_letter(
    grievance: Grievance, *, language: str, round_number: int, previous: Appeal | None = None
) -> tuple[str, str]:
    """(subject, body) of a fresh letter for round `round_number` in `language`."""
    figures = aggregates(grievance, organiser=True)
    context = {
        "grievance": grievance,
        "platform": grievance.platform,
        "round_number": round_number,
        "previous": previous,
        "previous_outcome": Appeal.Outcome(previous.outcome).label
        if previous and previous.outcome
        else "",
        "member_count": figures.member_count,
        "store_count": figures.store_count,
        "amounts": [
            Amount(cur, t["withheld"] or Decimal("0"), t["fined"] or Decimal("0"))
            for cur, t in sorted(figures.totals.items())
        ],
        "suspension": grievance.category in SUSPENSION_CATEGORIES,
    }
    lang = language if language in LANGUAGES else "en"
    with translation.override(lang):
        template = select_template(template_names(grievance.category, lang))
        text = template.render(context)
    return _split(text)


def _split(text: str) -> tuple[str, str]:
    lines = text.strip("\n").splitlines()
    subject = lines[0].strip() if lines else ""
    body = "\n".join(lines[1:]).strip("\n")
    # Templates are easier to read with blank lines around tags; letters need at most one.
    while "\n\n\n" in body:
        body = body.replace("\n\n\n", "\n\n")
    return subject, body.rstrip() + "\n"


def signer_annex(appeal: Appeal) -> list[tuple[str, str]]:
    """(display name, store name) of counted signers who consented to be named, in signing order.

    Store name is "" when the member linked no store. Store IDs are never included (docs/privacy.md).
    """
    rows = (
        Signature.objects.filter(appeal=appeal)
        .counted()
        .filter(consent_to_name=True, membership__consent_to_name=True)
        .select_related("membership__seller", "membership__store")
        .order_by("signed_at", "pk")
    )
    return [
        (s.membership.seller.display_name, s.membership.store.name if s.membership.store else "")
        for s in rows
    ]


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
    named = signer_annex(appeal)
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
    "annex_text",
    "letter_with_annex",
    "listings_annex",
    "render_letter",
    "signer_annex",
    "template_names",
    "unnamed_signer_count",
]
