"""What a search matches on: the terms of a text, the same for a stored grievance and a query.

A text becomes a list of terms: lower-cased words with English stop words dropped and a light
suffix stemming ("payouts" and "payout" are one term, "withheld" is "withhold"), and Chinese runs
segmented with jieba ("回款被冻结" is 回款 / 被 / 冻结, and 被 is a stop word), so a query and a
document meet on the same terms on every database. Because a term is letters and digits only,
terms are safe to put into a tsquery or an FTS5 query; operators typed by the user never reach
the database. Typo tolerance compares terms by trigrams, as PostgreSQL's pg_trgm does, so the
SQLite fallback and PostgreSQL agree (docs/architecture.md).
"""

from __future__ import annotations

import logging
import re
import threading

import jieba

MAX_QUERY_TERMS = 16
TYPO_MIN_LENGTH = 4
TYPO_SIMILARITY = 0.5  # pg_trgm's default strict_word_similarity_threshold

_CJK = r"\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff"
_RUNS = re.compile(rf"[{_CJK}]+|[^\W_{_CJK}]+")
_IS_CJK = re.compile(rf"[{_CJK}]")

_ENGLISH = """
    a about above after again against all am an and any are as at be because been before being
    below between both but by can could did do does doing down during each few for from further
    had has have having he her here hers herself him himself his how i if in into is it its itself
    just me more most my myself no nor not now of off on once only or other our ours ourselves out
    over own same she should so some such than that the their theirs them themselves then there
    these they this those through to too under until up very was we were what when where which
    while who whom why will with would you your yours yourself yourselves us also get got since
"""
_CHINESE = (
    "的 了 被 是 在 我 我们 你 你们 他 他们 她 它 和 与 及 或 都 也 就 而 把 给 对 从 向 "
    "这 那 这个 那个 一个 没有 什么 怎么 因为 所以 但是 如果 已经 还是 以及 为 以 于 之 其 "
    "吗 呢 吧 啊 让 将 由 自 起 个"
)
ENGLISH_STOP_WORDS = frozenset(_ENGLISH.split())
CHINESE_STOP_WORDS = frozenset(_CHINESE.split())
# Irregular forms a seller types for what happened to them.
IRREGULAR = {
    "withheld": "withhold",
    "held": "hold",
    "frozen": "freez",
    "froze": "freez",
    "paid": "pay",
    "banned": "ban",
    "stolen": "steal",
    "sold": "sell",
}

_lock = threading.Lock()
_loaded = False


def _segmenter() -> jieba.Tokenizer:
    """jieba's tokenizer, its dictionary loaded once, on first use, not at import."""
    global _loaded
    if not _loaded:
        with _lock:
            if not _loaded:
                jieba.setLogLevel(logging.WARNING)
                jieba.dt.initialize()
                _loaded = True
    return jieba.dt


def stem(word: str) -> str:
    """A light English stemmer: plural, -ed and -ing forms meet their base word."""
    if word in IRREGULAR:
        return IRREGULAR[word]
    if len(word) <= 3 or not word.isascii() or not word.isalpha():
        return word
    if word.endswith("ies") and len(word) >= 5:
        word = word[:-3] + "y"
    elif word.endswith("s") and not word.endswith(("ss", "us", "is")):
        word = word[:-1]
    for suffix, min_len in (("ing", 6), ("ed", 5)):
        if word.endswith(suffix) and len(word) >= min_len:
            word = word[: -len(suffix)]
            break
    if len(word) > 4 and word.endswith("e"):
        word = word[:-1]
    if len(word) > 4 and word[-1] == word[-2] and word[-1] not in "lsz":
        word = word[:-1]  # "stopped" -> "stopp" -> "stop"
    return word


def terms(text: str) -> list[str]:
    """The terms of a text, in order, repeats kept (a document's term counts matter to ranking)."""
    found: list[str] = []
    for run in _RUNS.findall((text or "").lower()):
        if _IS_CJK.match(run):
            found.extend(
                w
                for w in _segmenter().cut_for_search(run)
                if len(w) > 1 and w not in CHINESE_STOP_WORDS
            )
        elif len(run) > 1 and run not in ENGLISH_STOP_WORDS:
            found.append(stem(run))
    return found


def query_terms(query: str) -> list[str]:
    """The distinct terms of a query, at most MAX_QUERY_TERMS: a 2,000-character query costs no
    more than a short one, and a query of stop words or operators alone has none."""
    return list(dict.fromkeys(terms((query or "")[:2000])))[:MAX_QUERY_TERMS]


def document(*texts: str) -> str:
    """Stored search text: the terms joined by spaces."""
    return " ".join(t for text in texts for t in terms(text))


def typo_terms(words: list[str]) -> list[str]:
    """Query terms long enough to look for by similarity (not Chinese: it is segmented)."""
    return [w for w in words if len(w) >= TYPO_MIN_LENGTH and not _IS_CJK.search(w)]


def trigrams(word: str) -> frozenset[str]:
    padded = f"  {word} "
    return frozenset(padded[i : i + 3] for i in range(len(padded) - 2))


def similarity(a: str, b: str) -> float:
    """pg_trgm's similarity of two words: shared trigrams over all trigrams."""
    ta, tb = trigrams(a), trigrams(b)
    return len(ta & tb) / len(ta | tb) if ta and tb else 0.0


def best_similarity(term: str, text: str) -> float:
    """How close the term comes to any word of a stored search text (pg_trgm's
    strict_word_similarity for a one-word term)."""
    return max((similarity(term, w) for w in set(text.split())), default=0.0)
