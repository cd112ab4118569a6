"""The one grievance search: the list page and API, the home page's search box (it opens the
list) and the similar-grievance suggestions all call `search_grievances`.

Any term of the query may match (coalition/rules/search.py: stop words dropped, English stemmed,
Chinese segmented); a title match ranks above a summary or demands match; a term typed with a
typo still finds a title word by trigram similarity. PostgreSQL matches the stored tsvector (GIN)
and the trigram index on the title terms (pg_trgm); SQLite matches its FTS5 table and compares
trigrams in Python on a bounded set of candidates. Both rank title hits 2.5 times body hits.
"""

from __future__ import annotations

from django.db import connection
from django.db.models import BooleanField, Case, F, FloatField, Q, QuerySet, Value, When
from django.db.models.expressions import RawSQL
from django.db.models.functions import Coalesce

from coalition.models import Grievance
from coalition.rules.search import (
    TYPO_SIMILARITY,
    best_similarity,
    query_terms,
    typo_terms,
)

FTS_TABLE = "coalition_grievance_search"
# SQLite: how many grievances (newest first) are compared by trigrams for typos; the embedded
# database serves a small site, and the bound keeps a query's cost flat however big it grows.
TYPO_CANDIDATES = 2000
TYPO_WEIGHT = 0.1  # a typo-only match ranks below any exact term match
CLOSEST_MIN = 0.25


def search_grievances(qs: QuerySet[Grievance], q: str) -> QuerySet[Grievance]:
    """The grievances of `qs` that match the query, annotated with `search_rank` and ordered by
    it (best first, then most members' worth of recency is left to the caller). An empty query
    returns `qs` unchanged; a query with no term left (stop words, operators) matches nothing."""
    if not (q or "").strip():
        return qs
    words = query_terms(q)
    if not words:
        return qs.none().annotate(search_rank=Value(0.0, output_field=FloatField()))
    qs = _postgres(qs, words) if connection.vendor == "postgresql" else _sqlite(qs, words)
    return qs.order_by("-search_rank", "-created_at", "-pk")


def _postgres(qs: QuerySet[Grievance], words: list[str]) -> QuerySet[Grievance]:
    tsquery = " | ".join(f"'{w}'" for w in words)  # terms are letters and digits only
    typos = typo_terms(words)
    table = Grievance._meta.db_table
    match = f'"{table}"."search_vector" @@ to_tsquery(\'simple\', %s)'
    rank = f"ts_rank('{{0.1, 0.2, 0.4, 1.0}}', \"{table}\".\"search_vector\", to_tsquery('simple', %s))"
    if typos:
        # `<<%` is pg_trgm's strict word similarity operator (threshold 0.5), served by the
        # trigram GIN index on the title terms.
        match += "".join(f' OR %s <<%% "{table}"."search_title"' for _ in typos)
        greatest = ", ".join(f'strict_word_similarity(%s, "{table}"."search_title")' for _ in typos)
        rank += f" + {TYPO_WEIGHT} * GREATEST({greatest})"
    return (
        qs.alias(search_match=RawSQL(f"({match})", [tsquery, *typos], output_field=BooleanField()))
        .filter(search_match=True)
        .annotate(search_rank=RawSQL(rank, [tsquery, *typos], output_field=FloatField()))
    )


def _sqlite(qs: QuerySet[Grievance], words: list[str]) -> QuerySet[Grievance]:
    fts_query = " OR ".join(f'"{w}"' for w in words)
    table = Grievance._meta.db_table
    matched = RawSQL(f"SELECT rowid FROM {FTS_TABLE} WHERE {FTS_TABLE} MATCH %s", [fts_query])
    rank = RawSQL(
        f"SELECT -bm25({FTS_TABLE}, 2.5, 1.0) FROM {FTS_TABLE} "
        f'WHERE {FTS_TABLE} MATCH %s AND rowid = "{table}"."id"',
        [fts_query],
        output_field=FloatField(),
    )
    close = _typo_matches(qs, typo_terms(words))
    found = Q(pk__in=matched)
    typo_rank: Case | Value = Value(0.0)
    if close:
        found |= Q(pk__in=list(close))
        typo_rank = Case(
            *(When(pk=pk, then=Value(TYPO_WEIGHT * sim)) for pk, sim in close.items()),
            default=Value(0.0),
            output_field=FloatField(),
        )
    return qs.filter(found).annotate(
        search_rank=Coalesce(rank, Value(0.0), output_field=FloatField()) + typo_rank
    )


def _typo_matches(qs: QuerySet[Grievance], typos: list[str]) -> dict[int, float]:
    """pk -> best similarity, for candidates whose title has a word close to a query term."""
    if not typos:
        return {}
    found = {}
    rows = qs.order_by("-created_at").values_list("pk", "search_title")[:TYPO_CANDIDATES]
    for pk, title in rows:
        best = max(best_similarity(t, title) for t in typos)
        if best >= TYPO_SIMILARITY:
            found[pk] = best
    return found


def closest_grievances(qs: QuerySet[Grievance], q: str, *, limit: int = 3) -> list[Grievance]:
    """When a search finds nothing: the grievances of `qs` whose words come closest to the
    query's (by trigrams, on a bounded set of the newest), else the most joined ones, so a seller
    sees what exists before registering a new one. The same on every database."""
    words = [w for w in query_terms(q) if len(w) >= 3]
    scored: list[tuple[float, int]] = []
    if words:
        rows = qs.order_by("-created_at").values_list("pk", "search_title", "search_body")
        for pk, title, body in rows[:TYPO_CANDIDATES]:
            text = f"{title} {body}"
            score = sum(best_similarity(w, text) for w in words) / len(words)
            if score >= CLOSEST_MIN:
                scored.append((score, pk))
    scored.sort(key=lambda s: -s[0])
    pks = [pk for _score, pk in scored[:limit]]
    if pks:
        by_pk = {g.pk: g for g in qs.filter(pk__in=pks)}
        return [by_pk[pk] for pk in pks if pk in by_pk]
    return list(qs.order_by(F("member_count").desc(nulls_last=True), "-created_at")[:limit])
