"""Public answers from the shared cache, made fresh by version keys (docs/architecture.md, Caching).

What anonymous visitors read (the grievance list and detail, in the API and as pages, and any
public page built from them, such as a platform's scorecard) is the same for every visitor in one
language and time zone, so it is built once and served from the shared cache. It is never stale
in a way that matters: every cached answer is kept with the *versions* of what it was built
from, and is served only while they are current (one MGET reads both); every write bumps
them: `coalition.actions.timeline.record_event`, which each action of both apps calls, bumps
its grievance's version and the lists' version. A bump gives the scope
a new random version, so the next read misses and builds afresh; nothing is deleted, old entries
simply expire.

Scopes: `grievance_scope(id)` for what one grievance's page or answer shows, `LISTS` for
anything that lists grievances or sums over them (the list, a platform's pages, scorecards).

A bump happens at once, inside the writer's transaction, so the writer's own next read sees the
change. A reader that missed between that bump and the commit would build from the old rows: so
a version stays *unsettled* for SETTLE_SECONDS after its bump (longer than any action's
transaction), and answers built under an unsettled version are served but not kept. Under a
burst of writes a grievance's answer is therefore built for each read — from the kept counters
and figures, so that stays cheap — and cached again once the burst is over.

A change that is bumped only after its commit (the co-sign, whose one statement commits on its
own) need not bump a scope that is still unsettled from this process's own bump less than
SETTLE_SECONDS / 2 ago (`bump_committed`): during a burst of co-signs the cache sees a bump every
2.5 s or so, not one per signature. What that leaves open: a version lost from the cache (a Redis
restart, an eviction) within those 2.5 s, and a reader that starts the scope again and reads just
before the commit, would keep an answer without the signature until the scope's next bump.

The module is a bottom layer: it imports nothing of the project, so both apps' actions, queries,
API and views may use it.
"""

from __future__ import annotations

import hashlib
import re
import secrets
import time
from collections.abc import Callable, Iterable
from functools import wraps
from typing import Any, TypeVar

from django.contrib.messages import get_messages
from django.core.cache import cache
from django.http import HttpRequest, HttpResponse
from django.middleware.csrf import get_token
from django.utils import timezone, translation

T = TypeVar("T")

LISTS = "lists"
ANSWER_TIMEOUT = 600  # seconds: a safety net for memory only; the versions keep answers fresh
SETTLE_SECONDS = 5.0
_MISSING = object()


def grievance_scope(grievance_id: int) -> str:
    return f"g{grievance_id}"


def _version_key(scope: str) -> str:
    return f"coalition:v:{scope}"


def _new_version(at: float) -> str:
    # Random, not incremented, so a version evicted from the cache can never come back with a
    # value used before; a bump also says when it happened, `at` (0 for none: SETTLE_SECONDS).
    return f"{at:.3f}:{secrets.token_hex(6)}"


def _bump_time() -> float:
    # Truncated, not rounded, to the millisecond: a time rounded up would read as a bump from
    # the future (taken for a clock set back) for the next half millisecond.
    return int(time.time() * 1000) / 1000


# When this process last bumped each scope (the time its version carries), for bump_committed.
_BUMPED: dict[str, float] = {}
_REMEMBERED = 10_000


def bump_scopes(*scopes: str) -> None:
    """Make every cached answer built from these scopes stale. One round trip (one MSET on
    Redis) however many scopes."""
    at = _bump_time()
    cache.set_many({_version_key(s): _new_version(at) for s in scopes}, timeout=None)
    if len(_BUMPED) + len(scopes) > _REMEMBERED:
        _BUMPED.clear()
    _BUMPED.update(dict.fromkeys(scopes, at))


def bump_committed(*scopes: str) -> None:
    """`bump_scopes` for a change already committed (the co-sign's statement), skipping each
    scope this process bumped less than SETTLE_SECONDS / 2 ago: that version is still unsettled
    for longer than the rest of the half, so no answer read before this commit is kept under it
    (`_settled`), and every answer read after shows the change. A burst of co-signs on one
    grievance thus bumps it about every 2.5 s, not for each signature; the other half is a margin
    for clocks that disagree between servers."""
    now = time.time()
    stale = [
        s for s in scopes if not 0 <= now - _BUMPED.get(s, -SETTLE_SECONDS) < SETTLE_SECONDS / 2
    ]
    if stale:
        bump_scopes(*stale)


def bump(grievance_id: int | None, *, lists: bool = True, committed: bool = False) -> None:
    """A grievance changed: its own answers, and (unless `lists` is False: a change no list or
    total shows, such as a signature) every list, go stale. `committed`: the change is already
    committed (`bump_committed`)."""
    scopes = scopes_changed(grievance_id, lists=lists)
    if committed:
        bump_committed(*scopes)
    else:
        bump_scopes(*scopes)


def scopes_changed(grievance_id: int | None, *, lists: bool = True) -> list[str]:
    """The scopes `bump` makes stale."""
    scopes = [grievance_scope(grievance_id)] if grievance_id else []
    if lists or not scopes:
        scopes.append(LISTS)
    return scopes


def _settled(found: dict[str, Any], keys: list[str]) -> str | None:
    """The versions under `keys` (read into `found`) as one string for a cache entry, starting
    any scope that has none yet; None while one of them is unsettled (bumped less than
    SETTLE_SECONDS ago)."""
    for k in keys:
        if k not in found:
            # add, not set: two readers starting a scope at once must agree on its version.
            v = _new_version(0)
            found[k] = v if cache.add(k, v, timeout=None) else cache.get(k, v)
    now = time.time()
    for k in keys:
        bumped_at = float(str(found[k]).split(":", 1)[0] or 0)
        age = now - bumped_at
        if bumped_at and age < SETTLE_SECONDS:  # a negative age (a clock set back) too
            return None
    return ".".join(str(found[k]) for k in keys)


def answer_key(name: str, *parts: Any) -> str:
    """The cache key of the public answer `name` for `parts` in the active language and time
    zone."""
    ident = "|".join(
        [
            name,
            translation.get_language() or "",
            timezone.get_current_timezone_name(),
            *map(str, parts),
        ]
    )
    return f"coalition:pub:{name}:{hashlib.sha256(ident.encode()).hexdigest()[:32]}"


class Lookup:
    """One public answer looked up: its scopes' versions and the stored answer are read in one
    round trip (a Redis MGET). The answer is stored with the versions it was built under, and
    is a hit only while those are still the current ones; `keep` stores a fresh one, unless a
    scope is unsettled."""

    def __init__(self, name: str, scopes: Iterable[str], *parts: Any) -> None:
        self.key = answer_key(name, *parts)
        version_keys = [_version_key(s) for s in scopes]
        found = cache.get_many([*version_keys, self.key])
        stored = found.pop(self.key, None)
        self.versions = _settled(found, version_keys)
        self.hit = (
            self.versions is not None
            and isinstance(stored, tuple)
            and len(stored) == 2
            and stored[0] == self.versions
        )
        self.value: Any = stored[1] if self.hit else None

    def keep(self, value: Any, timeout: int = ANSWER_TIMEOUT) -> None:
        if self.versions is not None:
            cache.set(self.key, (self.versions, value), timeout)


def cached(
    name: str,
    scopes: Iterable[str],
    parts: Iterable[Any],
    builder: Callable[[], T],
    timeout: int = ANSWER_TIMEOUT,
) -> T:
    """The public answer `name` for `parts` (the path, the filters: whatever it depends on
    besides the active language and time zone), built from `scopes`: from the cache while
    nothing in those scopes changed, else built (and kept, once the scopes have settled)."""
    found = Lookup(name, scopes, *parts)
    if found.hit:
        return found.value
    value = builder()
    found.keep(value, timeout)
    return value


def is_public_request(request: HttpRequest) -> bool:
    """An anonymous GET: the same answer for every visitor in one language and time zone."""
    user = getattr(request, "user", None)
    return request.method in ("GET", "HEAD") and not (user and user.is_authenticated)


# --- pages ---------------------------------------------------------------------------------

_TOKEN = re.compile(r'(name="csrfmiddlewaretoken" value=")[A-Za-z0-9]{32,64}(")')
_SENTINEL = "@@csrf-token@@"


def cached_page(scopes: Callable[..., Iterable[str]], name: str | None = None):
    """Serve an anonymous visitor's page from the cache. `scopes(request, *args, **kwargs)` says
    what the page is built from. Only plain 200 answers are kept, never one with messages
    pending; the page's CSRF tokens (the language form's) are put back fresh for each visitor,
    so a cached page's forms still work."""

    def decorator(view):
        label = name or f"{view.__module__}.{view.__name__}"

        @wraps(view)
        def wrapper(request: HttpRequest, *args, **kwargs):
            if not is_public_request(request) or len(get_messages(request)):
                return view(request, *args, **kwargs)
            found = Lookup(label, scopes(request, *args, **kwargs), request.get_full_path())
            if found.hit:
                return HttpResponse(found.value.replace(_SENTINEL, get_token(request)))
            response = view(request, *args, **kwargs)
            if (
                response.status_code == 200
                and not response.streaming
                and not response.cookies.keys() - {"csrftoken"}
            ):
                found.keep(_TOKEN.sub(rf"\g<1>{_SENTINEL}\g<2>", response.content.decode()))
            return response

        return wrapper

    return decorator
