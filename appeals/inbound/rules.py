"""The plain rules that tie an inbound email to its round and suggest what the platform said.

Pure: no models, no I/O, never raising on any text. Matching order (the reader's): the round token
in a recipient's plus address, else In-Reply-To / References against recorded Message-IDs, else a
case reference in the subject. The classification is only a suggestion; the organiser decides.
"""

from __future__ import annotations

import re
from collections.abc import Iterable

# PlatformResponse.Classification values. They are repeated here because a pure module imports no
# models; tests/appeals/inbound/test_parsing.py pins that each one exists on the model.
ACKNOWLEDGED = "acknowledged"
INFO_REQUESTED = "info_requested"
GRANTED = "granted"
PARTIAL = "partial"
REJECTED = "rejected"


def _unique(values: Iterable[str]) -> list[str]:
    return list(dict.fromkeys(v for v in values if v))


# --- matching -------------------------------------------------------------------------------------

_TOKEN = re.compile(r"[A-Za-z0-9_-]{4,64}")


def token_from_addresses(
    addresses: Iterable[str], inbound_address: str, *, separator: str = "+"
) -> str | None:
    """The round token in a plus address: "appeals+k3x9@example.org" gives "k3x9" when the inbound
    address is "appeals@example.org". Tokens are returned in lower case because mail servers may
    change the case of an address (Delivered-To often is lower-cased): generate them lower case."""
    base_local, at, base_domain = (inbound_address or "").strip().rpartition("@")
    if not (at and base_local and base_domain):
        return None
    for address in addresses:
        local, at, domain = str(address or "").strip().strip("<>").rpartition("@")
        if not at or domain.rstrip(".").lower() != base_domain.rstrip(".").lower():
            continue
        head, sep, token = local.strip('"').partition(separator)
        if sep and head.lower() == base_local.lower() and _TOKEN.fullmatch(token):
            return token.lower()
    return None


_REF_AFTER_WORD = re.compile(
    r"(?<![A-Za-z])(?:case|ticket|ref(?:erence)?|request|appeal|incident|complaint|"
    r"工单|案件|申诉|投诉|编号|單號|单号|參考|参考)"
    r"\s*(?:id|no\.?|number|#|号|號|编号|編號)?\s*[:\uff1a#\uff03]?\s*([A-Za-z0-9][A-Za-z0-9_/.-]{2,63})",
    re.IGNORECASE,
)
_REF_ANY = re.compile(r"(?<![A-Za-z0-9])[#\uff03]?([A-Za-z0-9][A-Za-z0-9_/-]{3,63})")


def case_references_in(subject: str) -> list[str]:
    """Candidate platform case references in a subject, most likely first: a word after "case",
    "ticket", "工单号" … , then any other word with a digit in it. The matcher compares them
    with recorded references (normalise_case_reference on both sides)."""
    subject = str(subject or "")[:1000]
    after_word = [m.rstrip("./-_") for m in _REF_AFTER_WORD.findall(subject)]
    others = [m.rstrip("./-_") for m in _REF_ANY.findall(subject)]
    return _unique(c for c in after_word + others if any(ch.isdigit() for ch in c) and len(c) >= 4)


def normalise_case_reference(value: str) -> str:
    return re.sub(r"[\s#\uff03]", "", str(value or "")).upper()


# --- a suggested classification -------------------------------------------------------------------

_QUOTE_START = re.compile(
    r"^(?:on .{0,200} wrote:|-{2,} ?original message ?-{2,}|-{2,} ?原始邮件 ?-{2,}|"
    r"_{10,}|from: .+|发件人[:\uff1a].*|寄件者[:\uff1a].*|在.{0,120}写道[:\uff1a]?|於.{0,120}寫道[:\uff1a]?)\s*$",
    re.IGNORECASE,
)


def strip_quoted(text: str) -> str:
    """The reply without the message it quotes (which is Coalition's own letter, full of the very
    words the rules look for)."""
    kept = []
    for line in str(text or "").splitlines():
        if _QUOTE_START.match(line.strip()):
            break
        if not line.lstrip().startswith(">"):
            kept.append(line)
    return "\n".join(kept)


_REPLY_PREFIX = re.compile(
    r"\s*(?:re|aw|sv|antw|fwd?|回复|回覆|答复|答覆|转发|轉寄)\s*[:\uff1a]", re.IGNORECASE
)


def _rule(*patterns: str) -> re.Pattern:
    return re.compile("|".join(patterns), re.IGNORECASE)


_INFO = _rule(
    r"\b(?:need|require)s? (?:some |more |additional |further )?(?:information|details|documents?)",
    r"\bplease (?:provide|send|submit|upload|attach|reply with)",
    r"\b(?:kindly|could you|can you) (?:please )?(?:provide|send|submit)",
    r"\b(?:additional|further|more) (?:information|documentation|documents|details|evidence)\b",
    r"请提供|請提供|补充材料|補充材料|补充资料|補充資料|请补充|請補充|提供更多|需要更多信息|需要补充",
)
_PARTIAL = _rule(
    r"\bpartial(?:ly)?\b",
    r"\b(?:some|a portion|part) of (?:the |your )?(?:funds|amount|accounts|payments)\b",
    r"部分恢复|部分恢復|部分退款|部分解冻|部分解凍|部分通过|部分通過|部分批准",
)
_REJECTED = _rule(
    r"\bunable to\b",
    r"\bcan ?not\b|\bcan't\b",
    r"\b(?:denied|deny|declined?|rejected|reject)\b",
    r"\bnot (?:be |been |yet )*(?:reinstated|restored|released|approved|eligible)\b",
    r"\bnot to (?:reinstate|restore|release)\b",
    r"\b(?:decision|suspension) (?:is |has been |will be )?(?:upheld|final)\b",
    r"无法|無法|驳回|駁回|拒绝|拒絕|不予|未通过|未通過|不符合|维持原|維持原|未能",
)
_GRANTED = _rule(
    r"\b(?:reinstated|restored|reactivated|unsuspended|approved)\b",
    r"\b(?:funds|payments?|holds?) (?:have been |has been |were |was )?(?:released|lifted)\b",
    r"\b(?:suspension|restriction|hold) (?:has been |was )?(?:lifted|removed)\b",
    r"已恢复|已恢復|恢复了|已解封|解除限制|已解冻|已解凍|已退款|审核通过|審核通過|申诉成功|申訴成功|已通过|已通過",
)
_ACKNOWLEDGED = _rule(
    r"\b(?:we have|we've|we) received your\b",
    r"\b(?:is |are )?(?:under|being) review(?:ed)?\b|\breviewing your\b",
    r"\bwill (?:get back|respond|reply|contact you)\b",
    r"\bthank you for (?:contacting|reaching out|your (?:appeal|message|email|patience))\b",
    r"已收到|我们已收到|正在审核|正在審核|审核中|審核中|处理中|處理中|正在处理|尽快回复|盡快回覆",
)


def suggest_classification(text: str, subject: str = "") -> str | None:
    """A suggestion for the organiser, who decides: one of the PlatformResponse classification
    values, or None. A request for information wins (the clock pauses for it, and a platform
    often refuses "unless you provide …"); then a partial outcome; then whichever of a refusal or
    a grant the reply says first ("we are unable to reinstate" is a refusal); then an
    acknowledgement."""
    # "Re: <our subject>" only echoes Coalition's own words; a subject of the platform's own counts.
    subject = "" if _REPLY_PREFIX.match(str(subject or "")) else str(subject or "")
    # A platform says what it decided near the top; the rest is signatures and legal notices.
    reply = f"{subject[:1000]}\n{strip_quoted(str(text or '')[:50_000])}"
    reply = re.sub(r"\s+", " ", reply)
    if _INFO.search(reply):
        return INFO_REQUESTED
    if _PARTIAL.search(reply):
        return PARTIAL
    rejected, granted = _REJECTED.search(reply), _GRANTED.search(reply)
    if rejected and (not granted or rejected.start() <= granted.start()):
        return REJECTED
    if granted:
        return GRANTED
    if _ACKNOWLEDGED.search(reply):
        return ACKNOWLEDGED
    return None
