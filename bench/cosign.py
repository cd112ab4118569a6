"""bench/cosign: co-signing a round through the API against a bare Django view, on one server.

    .venv/bin/python bench/cosign.py          # or: make bench-cosign

Creates a fresh PostgreSQL database (BENCH_COSIGN_DATABASE_URL, default
postgres://postgres@127.0.0.1:5432/coalition_bench_cosign, dropped and recreated each run),
migrates it and seeds one grievance whose round 1 is open for signing (drafted and opened by its
organiser through appeals.actions) and --members members (default 5,000), inserted in bulk, each
with a verified email address and an API token; and, so that the signature table is that of a
site in use, an earlier coalition of --history of them (default 5,000) whose round they all
signed. Starts gunicorn with 2 workers on a free loopback
port with production settings (bench/settings.py: plain http, the "sign" throttle raised, Redis
as the shared cache, and a bare view at /bench/bare/), then measures, by turns:

    GET  /bench/bare/                          a Django view returning a constant
    POST /api/v1/appeals/<id>/signature/       200 co-signs to warm up, then --requests (default
                                               2,500, or as many as --max-seconds 120 allows)
                                               in --slices parts (default 4), a slice of the bare
                                               view before each part and one after the last

with a closed loop of --concurrency clients (default 8). Each co-sign authenticates with its
member's token (`Authorization: Token ...`). 20 % of them are duplicates: half repeat a member who
signed earlier in the run, half leave right after the member's first request, while it is still
in flight. A first signature must answer 201, every duplicate 200 with the same body; any other
answer is an error. The bare-view slices are reported as one, and so are the co-sign parts: taking
them by turns puts whatever else the machine does (a neighbour's load, a slow disk) on both.

Prints requests per second, p50 and p99 for both, the errors (0 when all is well), the signature
count in the database against the number of distinct members who signed, and ends with one line
`ratio: <number>`: co-sign req/s divided by bare view req/s. It exits 1 without that line when any
request failed or the count is off. The server is stopped and the database dropped at the end,
whatever happened.
"""

from __future__ import annotations

import argparse
import json
import os
import random
import sys
import time
from collections import defaultdict
from dataclasses import dataclass
from datetime import timedelta
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from bench._common import (
    Answer,
    Batch,
    BenchError,
    Result,
    Server,
    analyze,
    bench_env,
    checkpoint,
    fresh_database,
    gunicorn,
    load,
    merged,
    print_table,
    raw_request,
    send_all,
    setup_django,
    write_json,
)

DEFAULT_DATABASE_URL = "postgres://postgres@127.0.0.1:5432/coalition_bench_cosign"
BATCH = 5_000
DUPLICATE_SHARE = 0.2
REPEAT_GAP = 50  # a repeat leaves at least this many requests after the member's first one
BARE_PATH = "/bench/bare/"
SHOWN_ERRORS = 10

FIRST, REPEAT, CONCURRENT = "first", "repeat", "concurrent"


# --- seed ------------------------------------------------------------------------------------


@dataclass
class Seeded:
    appeal_id: int
    tokens: list[str]  # one per member, in the order they were created
    history: int  # signatures of the earlier coalition's round
    seconds: float


def seed(members: int, rng: random.Random, history: int) -> Seeded:
    """One grievance with its organiser and `members` active members, verified by the organiser
    (only verified members' signatures count, appeals.models.rounds), every one with a verified email address and a token; round 1 drafted
    and opened for signing by the organiser through the actions, as the site would; and the
    first `history` of them in an earlier coalition (seed_history)."""
    from allauth.account.models import EmailAddress
    from django.contrib.auth import get_user_model
    from django.contrib.auth.hashers import make_password
    from django.db import transaction
    from django.utils import timezone
    from rest_framework.authtoken.models import Token

    from appeals.actions import drafting, signing
    from coalition.actions.grievances import create_grievance
    from coalition.models import AuditEvent, Membership, Platform, Seller

    started = time.monotonic()
    now = timezone.now()
    User = get_user_model()
    unusable = make_password(None)  # the members use their tokens; nobody logs in with a password

    with transaction.atomic():
        organiser = User.objects.create(
            username="organiser", email="organiser@bench.coalition.test", password=unusable
        )
        EmailAddress.objects.create(
            user=organiser, email=organiser.email, primary=True, verified=True
        )
        grievance = create_grievance(
            actor=organiser,
            platform=Platform.objects.order_by("pk").first(),
            category="funds_withheld",
            title="Payouts frozen without a statement of reasons",
            summary="Our payouts were frozen for 90 days without any reason given.",
            demands="Release the funds and state the reasons, as the law requires.",
        )
        users = User.objects.bulk_create(
            [User(username=f"member{i:05d}", email=f"member{i:05d}@bench.coalition.test", password=unusable)
             for i in range(members)],
            batch_size=BATCH,
        )  # fmt: skip
        EmailAddress.objects.bulk_create(
            [EmailAddress(user=u, email=u.email, primary=True, verified=True) for u in users],
            batch_size=BATCH,
        )
        tokens = Token.objects.bulk_create(
            [Token(user=u, key=Token.generate_key()) for u in users], batch_size=BATCH
        )
        sellers = Seller.objects.bulk_create(
            [Seller(user=u, display_name=f"Bench Member {i:05d}") for i, u in enumerate(users)],
            batch_size=BATCH,
        )
        memberships = Membership.objects.bulk_create(
            [Membership(grievance=grievance, seller=s, consent_to_name=rng.random() < 0.7,
                        state=Membership.State.VERIFIED, verified_at=now)
             for i, s in enumerate(sellers)],
            batch_size=BATCH,
        )  # fmt: skip
        AuditEvent.objects.bulk_create(
            [AuditEvent(grievance=grievance, actor=u, verb="membership.joined", data={"membership": m.pk})
             for u, m in zip(users, memberships, strict=True)],
            batch_size=BATCH,
        )  # fmt: skip
        appeal = drafting.draft_round(grievance, actor=organiser, signature_goal=members)
        appeal = signing.open_signing(appeal, actor=organiser, deadline=now + timedelta(days=14))
        earlier = seed_history(organiser, sellers[:history], now)
    analyze()
    checkpoint()
    return Seeded(appeal.pk, [t.key for t in tokens], earlier, time.monotonic() - started)


def seed_history(organiser, sellers: list, now) -> int:
    """An earlier coalition of `sellers` on the same platform whose round 1 every one of them
    signed, closed for signing by the organiser: the site in use, whose signature table the
    planner knows is not empty (after an ANALYZE of an empty table, PostgreSQL would keep a
    connection's plan of the co-sign statement that scans the whole table, until autovacuum's
    next ANALYZE). Returns the signatures it holds."""
    from appeals.actions import drafting, signing
    from appeals.models import Signature
    from coalition.actions.grievances import create_grievance
    from coalition.models import Membership, Platform

    if not sellers:
        return 0
    grievance = create_grievance(
        actor=organiser,
        platform=Platform.objects.order_by("pk").first(),
        category="account_linking",
        title="Stores suspended in the spring sweep",
        summary="Our stores were suspended in March without a stated reason.",
        demands="Reinstate the stores and state the reasons.",
    )
    memberships = Membership.objects.bulk_create(
        [Membership(grievance=grievance, seller=s, state=Membership.State.VERIFIED, verified_at=now)
         for s in sellers],
        batch_size=BATCH,
    )  # fmt: skip
    appeal = drafting.draft_round(grievance, actor=organiser, signature_goal=len(sellers))
    appeal = signing.open_signing(appeal, actor=organiser, deadline=now + timedelta(days=14))
    Signature.objects.bulk_create(
        [Signature(appeal=appeal, membership=m, consent_to_name=True) for m in memberships],
        batch_size=BATCH,
    )
    signing.close_signing(appeal, actor=organiser)
    return len(memberships)


# --- the schedule of co-signs ------------------------------------------------------------------


@dataclass(frozen=True)
class Planned:
    member: int  # index into Seeded.tokens
    kind: str  # FIRST, REPEAT (after the member's first answer) or CONCURRENT (alongside it)


def signers_for(total: int) -> int:
    """How many distinct members `total` co-signs take: the rest are duplicates."""
    return total - round(total * DUPLICATE_SHARE)


def plan(members: list[int], total: int, rng: random.Random) -> list[Planned]:
    """`total` co-signs: one first signature each for the first signers_for(total) of `members`,
    and DUPLICATE_SHARE of `total` duplicates, half concurrent (right behind the member's first
    request, so it leaves while that one is in flight), half repeats (at least REPEAT_GAP
    to 4 * REPEAT_GAP requests later, after the first has been answered). No member sends more
    than two."""
    signers = members[: signers_for(total)]
    duplicates = total - len(signers)
    concurrent = set(rng.sample(signers, duplicates // 2))
    units = [
        [Planned(m, FIRST)] + ([Planned(m, CONCURRENT)] if m in concurrent else []) for m in signers
    ]
    # Repeats go to members whose first request is early enough to leave room for the gap.
    room = [
        u for u, m in enumerate(signers[: max(0, len(signers) - REPEAT_GAP)]) if m not in concurrent
    ]
    repeats: dict[int, list[Planned]] = defaultdict(list)
    for u in rng.sample(room, min(len(room), duplicates - len(concurrent))):
        # Soon after the gap, so a run cut short by --max-seconds keeps about the same mix.
        later = rng.randint(u + REPEAT_GAP, min(len(units), u + 4 * REPEAT_GAP))
        repeats[later].append(Planned(signers[u], REPEAT))
    schedule: list[Planned] = []
    for u in range(len(units) + 1):
        schedule += repeats.get(u, [])
        if u < len(units):
            schedule += units[u]
    return schedule


def sign_requests(
    server: Server, path: str, schedule: list[Planned], tokens: list[str]
) -> list[bytes]:
    body = json.dumps({"consent_to_name": True}).encode()
    return [
        raw_request(
            server,
            "POST",
            path,
            headers={
                "Authorization": f"Token {tokens[p.member]}",
                "Content-Type": "application/json",
            },
            body=body,
        )
        for p in schedule
    ]


# --- checks ------------------------------------------------------------------------------------


@dataclass
class Checked:
    errors: list[str]  # one line each: what was wrong
    signers: set[int]  # members with at least one answered co-sign
    kinds: dict[str, int]  # requests sent per kind
    overlapping: int  # concurrent duplicates sent before their twin's answer was read


def check(runs: list[tuple[Batch, list[Planned]]]) -> Checked:
    """Every answer 201 or 200; exactly one 201 per member, the other answers 200 with the same
    body as that 201. `runs` pairs each batch with the schedule it was sent from, in run order."""
    errors: list[str] = []
    by_member: dict[int, list[tuple[Planned, Answer]]] = defaultdict(list)
    kinds: dict[str, int] = defaultdict(int)
    for batch, part in runs:
        for a in batch.answers:
            p = part[a.index]
            kinds[p.kind] += 1
            if a.status in (200, 201):
                by_member[p.member].append((p, a))
            else:
                errors.append(
                    f"member {p.member} ({p.kind}): HTTP {a.status or 'failure'}: {a.body[:300]!r}"
                )
    overlapping = 0
    for member, answers in by_member.items():
        created = [a for _, a in answers if a.status == 201]
        if len(created) != 1:
            errors.append(
                f"member {member}: {len(created)} answers 201 among {len(answers)}, not exactly one"
            )
            continue
        body = created[0].body
        if not _says_signed(body):
            errors.append(f"member {member}: the 201 does not say signed: {body[:300]!r}")
        for p, a in answers:
            if a.status == 200 and a.body != body:
                errors.append(
                    f"member {member} ({p.kind}): 200 with another body than the 201: {a.body[:300]!r}"
                )
        sent = {p.kind: a for p, a in answers}
        if FIRST in sent and CONCURRENT in sent and sent[CONCURRENT].sent < sent[FIRST].done:
            overlapping += 1
    return Checked(errors, set(by_member), dict(kinds), overlapping)


def _says_signed(body: bytes) -> bool:
    try:
        answer = json.loads(body)
    except ValueError:
        return False
    return (
        isinstance(answer, dict) and answer.get("signed") is True and answer.get("counted") is True
    )


def database_counts(appeal_id: int) -> dict[str, int]:
    from appeals.models import Signature
    from coalition.models import AuditEvent

    return {
        "rows": Signature.objects.filter(appeal_id=appeal_id).count(),
        "counted": Signature.objects.filter(appeal_id=appeal_id).counted().count(),
        "events": AuditEvent.objects.filter(verb="round.signed").count(),
    }


# --- main --------------------------------------------------------------------------------------


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument(
        "--database-url", default=os.environ.get("BENCH_COSIGN_DATABASE_URL", DEFAULT_DATABASE_URL)
    )
    parser.add_argument("--members", type=int, default=5_000)
    parser.add_argument("--requests", type=int, default=2_500, help="measured co-sign requests")
    parser.add_argument(
        "--history", type=int, default=5_000,
        help="members of an earlier coalition whose round they all signed (0: none)",
    )  # fmt: skip
    parser.add_argument(
        "--warmup-requests", type=int, default=200, help="co-signs before measuring"
    )
    parser.add_argument(
        "--max-seconds", type=float, default=120.0, help="stop sending co-signs after this long"
    )
    parser.add_argument("--concurrency", type=int, default=8)
    parser.add_argument(
        "--bare-duration", type=float, default=6.0,
        help="measured seconds of the bare view, times two, spread over its slices",
    )  # fmt: skip
    parser.add_argument(
        "--slices", type=int, default=4,
        help="measured co-signs are sent in this many parts, with a bare-view slice around each",
    )  # fmt: skip
    parser.add_argument("--workers", type=int, default=2, help="gunicorn workers")
    parser.add_argument("--seed", type=int, default=2026, help="random seed of the schedule")
    args = parser.parse_args(argv)

    distinct = [signers_for(n) for n in (args.warmup_requests, args.requests)]
    if sum(distinct) > args.members:
        parser.error(
            f"{args.warmup_requests + args.requests:,} co-signs with {DUPLICATE_SHARE:.0%} duplicates need "
            f"{sum(distinct):,} members; --members is {args.members:,}"
        )
    rng = random.Random(args.seed)
    load_before = os.getloadavg()
    try:
        with fresh_database(args.database_url) as database_url:
            env = bench_env(database_url)
            setup_django(env)
            seeded = seed(args.members, rng, min(args.history, args.members))
            print(
                f"bench/cosign: seeded 1 grievance with round 1 open for signing and {args.members:,} members "
                f"(verified emails, API tokens), and an earlier coalition of {seeded.history:,} of them "
                f"whose round holds {seeded.history:,} signatures, in {seeded.seconds:.1f} s"
            )
            order = rng.sample(range(args.members), args.members)
            warm_schedule = plan(order[: distinct[0]], args.warmup_requests, rng)
            schedule = plan(order[distinct[0] :], args.requests, rng)
            path = f"/api/v1/appeals/{seeded.appeal_id}/signature/"
            with gunicorn(env, workers=args.workers, ready_path=BARE_PATH) as server:
                server.require_ok(BARE_PATH)
                print(
                    f"gunicorn: {args.workers} sync workers on {server.host}:{server.port}, PostgreSQL, "
                    f"production settings (DEBUG off), Redis cache, sign throttle raised; load: "
                    f"{args.concurrency} concurrent clients, same machine ({os.cpu_count()} CPUs)"
                )
                print("load average before: " + ", ".join(f"{x:.2f}" for x in load_before) + "\n")
                run = measure(server, path, seeded, warm_schedule, schedule, args)
            counts = database_counts(seeded.appeal_id)
    except BenchError as exc:
        print(f"bench/cosign failed: {exc}", file=sys.stderr)
        return 1
    return report(run, counts, args, load_before, seeded.history)


@dataclass
class Run:
    bare: Result
    bare_slices: list[float]  # req/s of each bare-view slice, in run order
    cosign: Result
    checked: Checked
    stopped_early: bool
    p50_first_last: tuple[float, float]  # ms: the first and last tenth of the measured co-signs


def slices_of(schedule: list[Planned], count: int) -> list[list[Planned]]:
    """`schedule` cut into `count` consecutive parts of about the same length, never between a
    first signature and the concurrent duplicate right behind it."""
    parts, start = [], 0
    for k in range(1, count + 1):
        end = len(schedule) if k == count else max(start, round(len(schedule) * k / count))
        while 0 < end < len(schedule) and schedule[end].kind == CONCURRENT:
            end += 1
        parts.append(schedule[start:end])
        start = end
    return [part for part in parts if part]


def measure(server: Server, path: str, seeded: Seeded, warm_schedule, schedule, args) -> Run:
    """The bare view and the measured co-signs by turns: a bare-view slice before each co-sign
    slice and one after the last, so that whatever the machine does meanwhile falls on both."""
    parts = slices_of(schedule, args.slices)
    bare_seconds = 2 * args.bare_duration / (len(parts) + 1)

    def bare_slice(warmup: float) -> Result:
        return load(server, BARE_PATH, label="bare view", concurrency=args.concurrency,
                    warmup=warmup, duration=bare_seconds)  # fmt: skip

    bare = [bare_slice(2.0)]
    warm = send_all(server, sign_requests(server, path, warm_schedule, seeded.tokens),
                    concurrency=args.concurrency)  # fmt: skip
    failed = [a for a in warm.answers if a.status not in (200, 201)]
    if failed:
        raise BenchError(
            f"POST {path} answered {failed[0].status or 'nothing'} during the warm-up "
            f"({len(failed)} of {len(warm.answers)}): {failed[0].body[:300]!r}"
        )
    deadline = time.monotonic() + args.max_seconds
    sent: list[tuple[Batch, list[Planned]]] = []
    stopped_early = False
    for k, part in enumerate(parts):
        if k:
            bare.append(bare_slice(0.5))
        batch = send_all(server, sign_requests(server, path, part, seeded.tokens),
                         concurrency=args.concurrency,
                         duration=max(0.0, deadline - time.monotonic()))  # fmt: skip
        sent.append((batch, part))
        if batch.stopped_early:
            stopped_early = True
            break
    bare.append(bare_slice(0.5))
    bare_all = merged("bare view", bare)

    checked = check([(warm, warm_schedule), *sent])
    answers = [a for batch, _ in sent for a in batch.answers]
    cosign = Result("co-sign", path, sum(batch.seconds for batch, _ in sent),
                    [a.latency for a in answers],
                    sum(batch.client_cpu for batch, _ in sent) / len(sent), "POST")  # fmt: skip
    tenth = max(1, len(answers) // 10)
    by_time = sorted(answers, key=lambda a: a.sent)
    first_last = tuple(
        Result("", path, 1.0, [a.latency for a in part]).percentile(50)
        for part in (by_time[:tenth], by_time[-tenth:])
    )
    return Run(bare_all, [r.rps for r in bare], cosign, checked, stopped_early, first_last)


def report(run: Run, counts: dict[str, int], args, load_before, seeded_history: int) -> int:
    load_after = os.getloadavg()
    c = run.checked
    print_table([run.bare, run.cosign], run.bare)
    print(
        f"\nbare view by slice: {', '.join(f'{x:.0f}' for x in run.bare_slices)} req/s "
        f"({len(run.bare_slices)} slices of {2 * args.bare_duration / len(run.bare_slices):.1f} s, "
        f"one before each of the {len(run.bare_slices) - 1} co-sign slices and one after, reported together)"
    )
    sent = sum(c.kinds.values())
    duplicates = c.kinds.get(REPEAT, 0) + c.kinds.get(CONCURRENT, 0)
    print(
        f"co-sign: {run.cosign.requests:,} measured after {args.warmup_requests:,} warm-up; of all {sent:,}: "
        f"{c.kinds.get(FIRST, 0):,} first signatures, {duplicates:,} duplicates ({duplicates / sent:.0%}): "
        f"{c.kinds.get(REPEAT, 0):,} repeats after the first answer, {c.kinds.get(CONCURRENT, 0):,} "
        f"alongside the first ({c.overlapping:,} of them sent while it was in flight)"
    )
    if run.stopped_early:
        print(f"co-sign: stopped after --max-seconds {args.max_seconds:g} before the list ran out")
    print(
        f"co-sign p50 as signatures accumulate: {run.p50_first_last[0]:.2f} ms over the first tenth, "
        f"{run.p50_first_last[1]:.2f} ms over the last"
    )
    print(
        f"errors: {len(c.errors)} (any answer but 201 for a first signature and 200 with the same body after)"
    )
    for line in c.errors[:SHOWN_ERRORS]:
        print(f"  {line}")
    if len(c.errors) > SHOWN_ERRORS:
        print(f"  ... and {len(c.errors) - SHOWN_ERRORS} more")
    expected = len(c.signers)
    print(
        f"signatures in the database: expected {expected:,} (distinct members who signed), "
        f"actual {counts['rows']:,} rows, {counts['counted']:,} counted, {counts['events']:,} round.signed events"
    )
    print("load average after: " + ", ".join(f"{x:.2f}" for x in load_after))
    ratio = run.cosign.rps / run.bare.rps
    exact = counts["rows"] == counts["counted"] == counts["events"] == expected
    write_json(
        "cosign",
        {
            "members": args.members, "history_signatures": seeded_history,
            "concurrency": args.concurrency, "workers": args.workers,
            "warmup_requests": args.warmup_requests, "requests": args.requests,
            "results": [run.bare.as_dict(), run.cosign.as_dict()],
            "bare_slices_rps": [round(x, 1) for x in run.bare_slices],
            "kinds": c.kinds, "overlapping_concurrent": c.overlapping, "errors": len(c.errors),
            "signatures_expected": expected, "signatures": counts,
            "load_average_before": load_before, "load_average_after": load_after,
            "ratio": round(ratio, 4), "ratio_is": "co-sign req/s / bare view req/s",
        },
    )  # fmt: skip
    if c.errors or not exact:
        print(
            "bench/cosign failed: "
            + ("errors in the answers" if c.errors else "the signature count is off"),
            file=sys.stderr,
        )
        return 1
    print(f"ratio: {ratio:.3f}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
