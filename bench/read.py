"""bench/read: the grievance list and detail API against a bare Django view, on one server,
at two sizes in the same run.

    .venv/bin/python bench/read.py                  # or: make bench-read
    .venv/bin/python bench/read.py --sizes small    # the first size only (a quick check)

Creates a fresh PostgreSQL database (BENCH_DATABASE_URL, default
postgres://postgres@127.0.0.1:5432/coalition_bench, dropped and recreated each run), migrates it,
seeds 1,000 grievances and 50,000 memberships, starts gunicorn with 2 workers on a free loopback
port with production settings (bench/settings.py: plain http, plus a bare view at /bench/bare/),
and load-tests, in this order and one after the other:

    GET /bench/bare/                   a Django view returning a constant (the baseline)
    GET /api/v1/grievances/            the first page of the public list (20 per page)
    GET /api/v1/grievances/<id>/       the grievance with the most members (5,000)

with a closed loop of --concurrency clients (default 8) for --warmup + --duration seconds each.
It prints requests per second, p50 and p99 for each, each endpoint's req/s divided by the bare
view's, and ends with one line `ratio: <number>`: the slower endpoint's req/s divided by the bare
view's req/s (1.0 would be as fast as Django doing nothing; 0.25 means four times slower).
Requests are anonymous, as a visitor browsing grievances would make them. The load generator runs
on the same machine as the server and shares its CPUs.

Then it grows the same database to 10,000 grievances, the big one to 50,000 members, restarts
gunicorn on a fresh cache prefix and measures the same three again. Before `ratio:` it prints
`growth: <number>`: the worse of (detail ÷ bare at 50,000 members) / (detail ÷ bare at 5,000)
and (list ÷ bare at 10,000 grievances) / (list ÷ bare at 1,000); 1.0 is flat. `ratio:` stays the
first size's figure, comparable with earlier runs.

The server is stopped and the database dropped at the end, whatever happened.
"""

from __future__ import annotations

import argparse
import os
import random
import sys
import time
from dataclasses import dataclass
from datetime import timedelta
from decimal import Decimal
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from bench._common import (
    DEFAULT_DATABASE_URL,
    BenchError,
    Result,
    analyze,
    bench_env,
    checkpoint,
    fresh_database,
    gunicorn,
    load,
    load_by_turns,
    print_table,
    setup_django,
    write_json,
)

GRIEVANCES = 1_000
MEMBERSHIPS = 50_000
SELLERS = 10_000
BIG_GRIEVANCE_MEMBERS = 5_000  # the detail endpoint reads the grievance with the most members
BATCH = 5_000
# The second size: the same database grown (see grow()).
LARGE_GRIEVANCES = 10_000
LARGE_BIG_GRIEVANCE_MEMBERS = 50_000
LARGE_SELLERS = 50_000
NEW_GRIEVANCE_MEMBERS = 5


@dataclass
class Seeded:
    big_grievance_id: int
    grievances: int
    memberships: int
    sellers: int
    seconds: float


def seed(rng: random.Random) -> Seeded:
    """Bulk-insert users, sellers, stores, grievances, memberships and their timeline events.

    Every seller has one store on one platform; a membership names that store when the platform
    matches the grievance's. Each grievance's first member is its organiser. (grievance, seller)
    pairs are unique: a grievance's members are a run of consecutive sellers, never wrapping onto
    itself because no grievance has more members than there are sellers.
    """
    from django.contrib.auth import get_user_model
    from django.contrib.auth.hashers import make_password
    from django.db import transaction
    from django.utils import timezone

    from coalition.categories import Category
    from coalition.models import AuditEvent, Grievance, Membership, Platform, Seller, Store

    started = time.monotonic()
    now = timezone.now()
    platforms = list(Platform.objects.order_by("pk"))
    categories = [c for c in Category.values if c != Category.OTHER]
    User = get_user_model()
    unusable = make_password(None)  # one hash for all: nobody logs in as these sellers

    with transaction.atomic():
        users = User.objects.bulk_create(
            [User(username=f"bench{i:05d}", email=f"seller{i:05d}@bench.coalition.test", password=unusable)
             for i in range(SELLERS)],
            batch_size=BATCH,
        )  # fmt: skip
        sellers = Seller.objects.bulk_create(
            [Seller(user=u, display_name=f"Bench Seller {i:05d}", time_zone="Asia/Shanghai" if i % 3 else "UTC")
             for i, u in enumerate(users)],
            batch_size=BATCH,
        )  # fmt: skip
        stores = Store.objects.bulk_create(
            [Store(seller=s, platform=platforms[i % len(platforms)], name=f"Store {i:05d}",
                   platform_store_id=f"BENCH-{i:06d}", state=rng.choice(list(Store.State.values)))
             for i, s in enumerate(sellers)],
            batch_size=BATCH,
        )  # fmt: skip

        sizes = _member_counts()
        grievances = []
        for g in range(GRIEVANCES):
            platform = platforms[g % len(platforms)]
            category = categories[g % len(categories)]
            grievances.append(
                Grievance(
                    platform=platform,
                    category=category,
                    title=f"{Category(category).label} on {platform.name}, case {g:04d}",
                    summary=_text(rng, 60),
                    demands=_text(rng, 40),
                    state=Grievance.State.OPEN
                    if g == 0 or rng.random() < 0.85
                    else rng.choice(["resolved", "closed"]),
                    visibility=Grievance.Visibility.PUBLIC
                    if g == 0 or rng.random() < 0.9
                    else Grievance.Visibility.UNLISTED,
                    hidden=g != 0 and rng.random() < 0.01,
                    created_by=sellers[_first_seller(g)],
                )
            )
        grievances = Grievance.objects.bulk_create(grievances, batch_size=BATCH)

        memberships = []
        for g, (grievance, size) in enumerate(zip(grievances, sizes, strict=True)):
            first = _first_seller(g)
            for j in range(size):
                s = (first + j) % SELLERS
                memberships.append(
                    _membership(rng, grievance, sellers[s], stores[s], organiser=j == 0, now=now)
                )
        memberships = Membership.objects.bulk_create(memberships, batch_size=BATCH)

        events = [AuditEvent(grievance=g, actor_id=g.created_by.user_id, verb="grievance.created",
                             data={"title": g.title}) for g in grievances]  # fmt: skip
        events += [
            AuditEvent(grievance_id=m.grievance_id, actor_id=m.seller.user_id, verb="membership.joined",
                       data={"membership": m.pk})
            for m in memberships if m.role == Membership.Role.MEMBER
        ]  # fmt: skip
        AuditEvent.objects.bulk_create(events, batch_size=BATCH)
    analyze()
    return Seeded(
        grievances[0].pk,
        len(grievances),
        len(memberships),
        len(sellers),
        time.monotonic() - started,
    )


def _member_counts() -> list[int]:
    rest, extra = divmod(MEMBERSHIPS - BIG_GRIEVANCE_MEMBERS, GRIEVANCES - 1)
    return [BIG_GRIEVANCE_MEMBERS] + [rest + (1 if g < extra else 0) for g in range(GRIEVANCES - 1)]


def _first_seller(g: int) -> int:
    # The big grievance takes sellers 0..4,999; the others start at scattered places.
    return 0 if g == 0 else (g * 7919) % SELLERS


def _membership(rng: random.Random, grievance, seller, store, *, organiser: bool, now):
    from coalition.models import Membership

    roll = rng.random()
    if organiser:
        state = Membership.State.VERIFIED
    else:
        state = (
            Membership.State.WITHDRAWN
            if roll < 0.05
            else Membership.State.VERIFIED
            if roll < 0.35
            else Membership.State.JOINED
        )
    currency = rng.choices(["USD", "CNY", "EUR"], weights=[6, 3, 1])[0]
    return Membership(
        grievance=grievance,
        seller=seller,
        role=Membership.Role.ORGANISER if organiser else Membership.Role.MEMBER,
        state=state,
        store=store if store.platform_id == grievance.platform_id else None,
        amount_withheld=Decimal(rng.randrange(10_000, 5_000_000)) / 100
        if rng.random() < 0.6
        else Decimal("0"),
        amount_fined=Decimal(rng.randrange(1_000, 200_000)) / 100
        if rng.random() < 0.2
        else Decimal("0"),
        currency=currency,
        statement=_text(rng, 25),
        consent_to_name=rng.random() < 0.7,
        verified_at=now if state == Membership.State.VERIFIED else None,
        withdrawn_at=now if state == Membership.State.WITHDRAWN else None,
    )


WORDS = [
    "payout",
    "held",
    "order",
    "refund",
    "store",
    "account",
    "policy",
    "notice",
    "appeal",
    "invoice",
    "supplier",
    "buyer",
    "tracking",
    "delivered",
    "suspended",
    "linked",
    "review",
    "warehouse",
    "listing",
    "chargeback",
    "evidence",
    "statement",
    "reasons",
    "days",
]


def _text(rng: random.Random, words: int) -> str:
    return " ".join(rng.choice(WORDS) for _ in range(words)).capitalize() + "."


def keep_counts(big_grievance_id: int) -> None:
    """Bulk inserts bypass the membership actions: recount the kept counters in one statement,
    and store the big grievance's released figures (the others' are computed when read)."""
    from coalition.actions.tallies import reconcile_grievance, recount_all_tallies
    from coalition.models import Grievance

    recount_all_tallies()
    reconcile_grievance(Grievance.objects.get(pk=big_grievance_id))


def grow(rng: random.Random, seeded: Seeded) -> Seeded:
    """The second size, in the same database: sellers up to 50,000 (a store each), the big
    grievance up to 50,000 members, 9,000 more grievances of 5 members each (10,000 in all),
    each new grievance with its creation event (new joins have none: neither endpoint reads
    the timeline)."""
    from django.contrib.auth import get_user_model
    from django.contrib.auth.hashers import make_password
    from django.db import transaction
    from django.utils import timezone

    from coalition.categories import Category
    from coalition.models import AuditEvent, Grievance, Membership, Platform, Seller, Store

    started = time.monotonic()
    now = timezone.now()
    platforms = list(Platform.objects.order_by("pk"))
    categories = [c for c in Category.values if c != Category.OTHER]
    User = get_user_model()
    unusable = make_password(None)
    new = range(seeded.sellers, LARGE_SELLERS)
    with transaction.atomic():
        users = User.objects.bulk_create(
            [User(username=f"bench{i:05d}", email=f"seller{i:05d}@bench.coalition.test", password=unusable)
             for i in new],
            batch_size=BATCH,
        )  # fmt: skip
        Seller.objects.bulk_create(
            [Seller(user=u, display_name=f"Bench Seller {i:05d}") for i, u in zip(new, users, strict=True)],
            batch_size=BATCH,
        )  # fmt: skip
        sellers = list(Seller.objects.order_by("pk"))
        Store.objects.bulk_create(
            [Store(seller=sellers[i], platform=platforms[i % len(platforms)], name=f"Store {i:05d}",
                   platform_store_id=f"BENCH-{i:06d}", state=rng.choice(list(Store.State.values)))
             for i in new],
            batch_size=BATCH,
        )  # fmt: skip
        stores = list(Store.objects.order_by("pk"))
        big = Grievance.objects.get(pk=seeded.big_grievance_id)
        memberships = [
            _membership(rng, big, sellers[s], stores[s], organiser=False, now=now)
            for s in range(BIG_GRIEVANCE_MEMBERS, LARGE_BIG_GRIEVANCE_MEMBERS)
        ]
        grievances = Grievance.objects.bulk_create(
            [
                Grievance(
                    platform=platforms[g % len(platforms)],
                    category=categories[g % len(categories)],
                    title=f"{Category(categories[g % len(categories)]).label} on "
                    f"{platforms[g % len(platforms)].name}, case {g:05d}",
                    summary=_text(rng, 60),
                    demands=_text(rng, 40),
                    visibility=Grievance.Visibility.PUBLIC
                    if rng.random() < 0.9
                    else Grievance.Visibility.UNLISTED,
                    created_by=sellers[(g * 7919) % LARGE_SELLERS],
                )
                for g in range(seeded.grievances, LARGE_GRIEVANCES)
            ],
            batch_size=BATCH,
        )
        for g, grievance in zip(
            range(seeded.grievances, LARGE_GRIEVANCES), grievances, strict=True
        ):
            first = (g * 7919) % LARGE_SELLERS
            for j in range(NEW_GRIEVANCE_MEMBERS):
                s = (first + j) % LARGE_SELLERS
                memberships.append(
                    _membership(rng, grievance, sellers[s], stores[s], organiser=j == 0, now=now)
                )
        Membership.objects.bulk_create(memberships, batch_size=BATCH)
        AuditEvent.objects.bulk_create(
            [AuditEvent(grievance=g, actor_id=g.created_by.user_id, verb="grievance.created",
                        data={"title": g.title}) for g in grievances],
            batch_size=BATCH,
        )  # fmt: skip
    keep_counts(big.pk)
    analyze()
    checkpoint()
    return Seeded(
        big.pk,
        LARGE_GRIEVANCES,
        seeded.memberships + len(memberships),
        LARGE_SELLERS,
        time.monotonic() - started,
    )


# --- the platform scorecard and the member list (organisers at scale) ---------------------------
# Kept apart from the list/detail measurement above: `ratio:` stays the API endpoints' figure.

SCORECARD_ROUNDS = 1_000


def seed_organiser_pages(rng: random.Random, big_grievance_id: int) -> list[tuple[str, str, dict]]:
    """1,000 submitted rounds (most answered) across the public grievances of the big
    grievance's platform, own appeals with recovered amounts from its verified members, and a
    logged-in session of its organiser. Returns (label, path, headers) of the two pages."""
    from importlib import import_module

    from django.conf import settings
    from django.contrib.auth import BACKEND_SESSION_KEY, HASH_SESSION_KEY, SESSION_KEY
    from django.db import transaction
    from django.utils import timezone

    from appeals.models import Appeal, PlatformResponse, Submission
    from coalition.models import Grievance, Membership

    now = timezone.now()
    big = Grievance.objects.select_related("platform").get(pk=big_grievance_id)
    public = list(
        Grievance.objects.filter(platform=big.platform, visibility="public", hidden=False)
        .order_by("pk")
        .values_list("pk", flat=True)
    )
    numbers: dict[int, int] = {}
    rounds = []
    for i in range(SCORECARD_ROUNDS):
        gid = public[i % len(public)]
        numbers[gid] = numbers.get(gid, 0) + 1
        answered = rng.random() < 0.8
        rounds.append(
            Appeal(
                grievance_id=gid, number=numbers[gid], subject=f"Round {numbers[gid]}", letter="x",
                state=Appeal.State.RESPONDED if answered else Appeal.State.SUBMITTED,
                outcome=rng.choice(["granted", "partial", "rejected"]) if answered else "",
                submitted_at=now - timedelta(days=rng.randrange(20, 360)),
            )
        )  # fmt: skip
    with transaction.atomic():
        rounds = Appeal.objects.bulk_create(rounds, batch_size=BATCH)
        PlatformResponse.objects.bulk_create(
            [PlatformResponse(appeal=r, received_at=r.submitted_at + timedelta(days=rng.randrange(1, 30)),
                              text="Our decision.", classification=r.outcome)
             for r in rounds if r.outcome],
            batch_size=BATCH,
        )  # fmt: skip
        first_round = next(r for r in rounds if r.grievance_id == big.pk)
        members = Membership.objects.filter(grievance=big, state=Membership.State.VERIFIED)
        Submission.objects.bulk_create(
            [Submission(appeal=first_round, membership=m, submitted_on=now.date(),
                        outcome="funds_released", currency=m.currency,
                        amount_recovered=Decimal(rng.randrange(100, 500_000)) / 100)
             for m in members[:1_000]],
            batch_size=BATCH,
        )  # fmt: skip
    analyze()

    organiser = Membership.objects.organisers().filter(grievance=big).select_related("seller__user")
    user = organiser.first().seller.user
    session = import_module(settings.SESSION_ENGINE).SessionStore()
    session[SESSION_KEY] = str(user.pk)
    session[BACKEND_SESSION_KEY] = settings.AUTHENTICATION_BACKENDS[0]
    session[HASH_SESSION_KEY] = user.get_session_auth_hash()
    session.save()
    html = {"Accept": "text/html"}
    as_organiser = {**html, "Cookie": f"{settings.SESSION_COOKIE_NAME}={session.session_key}"}
    return [
        (f"scorecard ({SCORECARD_ROUNDS:,} rounds)", f"/platforms/{big.platform.slug}/", html),
        ("member list (organiser, 5,000 members)", f"/grievances/{big.pk}/members/", as_organiser),
    ]


def measure_organiser_pages(server, pages, bare: Result, args: argparse.Namespace) -> None:
    """Load-test the scorecard and the member list like the API endpoints; print them against
    the same bare view and write bench/out/read-organiser-pages.json."""
    for _label, path, headers in pages:
        server.require_ok(path, headers)
    results = [
        load(server, path, label=label, concurrency=args.concurrency, warmup=args.warmup,
             duration=args.duration, headers=headers)
        for label, path, headers in pages
    ]  # fmt: skip
    print("\nOrganiser pages (HTML):")
    print_table([bare, *results], bare)
    write_json(
        "read-organiser-pages",
        {"results": [r.as_dict() for r in results],
         "ratios": {r.label: round(r.rps / bare.rps, 4) for r in results}},
    )  # fmt: skip


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument(
        "--database-url", default=os.environ.get("BENCH_DATABASE_URL", DEFAULT_DATABASE_URL)
    )
    parser.add_argument("--concurrency", type=int, default=8)
    parser.add_argument(
        "--warmup", type=float, default=2.0, help="seconds per endpoint before measuring"
    )
    parser.add_argument(
        "--duration", type=float, default=10.0, help="measured seconds per endpoint"
    )
    parser.add_argument(
        "--slices", type=int, default=5,
        help="each endpoint's measured seconds are cut into this many slices, taken by turns",
    )  # fmt: skip
    parser.add_argument("--workers", type=int, default=2, help="gunicorn workers")
    parser.add_argument(
        "--sizes",
        choices=["small", "small,large"],
        default="small,large",
        help="small: 1,000 grievances / 5,000 members only; small,large: also 10,000 / 50,000",
    )
    args = parser.parse_args(argv)

    sizes: list[tuple[Seeded, list[Result]]] = []
    try:
        with fresh_database(args.database_url) as database_url:
            env = bench_env(database_url)
            setup_django(env)
            seeded = seed(random.Random(2026))
            keep_counts(seeded.big_grievance_id)
            organiser_pages = seed_organiser_pages(random.Random(2027), seeded.big_grievance_id)
            checkpoint()
            print(
                f"bench/read: seeded {seeded.grievances:,} grievances, {seeded.memberships:,} memberships, "
                f"{seeded.sellers:,} sellers in {seeded.seconds:.1f} s"
            )
            sizes.append((seeded, measure(env, seeded, args, organiser_pages)))
            if args.sizes == "small,large":
                grown = grow(random.Random(2028), seeded)
                print(
                    f"\nbench/read: grown to {grown.grievances:,} grievances, {grown.memberships:,} "
                    f"memberships, {grown.sellers:,} sellers in {grown.seconds:.1f} s"
                )
                sizes.append((grown, measure(env, grown, args, None)))
    except BenchError as exc:
        print(f"bench/read failed: {exc}", file=sys.stderr)
        return 1

    report(sizes, args)
    return 0


def measure(env: dict, seeded: Seeded, args: argparse.Namespace, organiser_pages) -> list[Result]:
    """One size: gunicorn on a cache prefix of its own (no answer cached at another size can be
    served), then the bare view, the list and the detail by turns (`load_by_turns`)."""
    members = (
        BIG_GRIEVANCE_MEMBERS if seeded.grievances == GRIEVANCES else LARGE_BIG_GRIEVANCE_MEMBERS
    )
    prefix = f"{env['BENCH_CACHE_KEY_PREFIX']}-{seeded.grievances}"
    env = {**env, "BENCH_CACHE_KEY_PREFIX": prefix}
    with gunicorn(env, workers=args.workers, ready_path="/bench/bare/") as server:
        endpoints = [
            ("bare view", "/bench/bare/"),
            (f"list ({seeded.grievances:,} grievances)", "/api/v1/grievances/"),
            (f"detail ({members:,} members)", f"/api/v1/grievances/{seeded.big_grievance_id}/"),
        ]
        for _label, path in endpoints:  # fail before measuring if anything is not there
            server.require_ok(path, {"Accept": "application/json"})
        print(
            f"gunicorn: {args.workers} sync workers on {server.host}:{server.port}, PostgreSQL, "
            f"production settings (DEBUG off); load: {args.concurrency} concurrent clients, "
            f"{args.duration:g} s per endpoint in {args.slices} slices taken by turns ({args.warmup:g} s "
            f"warm-up before the first), same machine ({os.cpu_count()} CPUs)\n"
        )
        results = load_by_turns(server, endpoints, slices=args.slices,
                                concurrency=args.concurrency, warmup=args.warmup,
                                duration=args.duration)  # fmt: skip
        if organiser_pages:
            measure_organiser_pages(server, organiser_pages, results[0], args)
    return results


def report(sizes: list[tuple[Seeded, list[Result]]], args: argparse.Namespace) -> None:
    ratios = []
    for seeded, results in sizes:
        bare, listed, detail = results
        print(f"\nAt {seeded.grievances:,} grievances:")
        print_table(results, bare)
        ratios.append({"list": listed.rps / bare.rps, "detail": detail.rps / bare.rps})
    print(
        "\n÷ bare = the endpoint's req/s divided by the bare view's req/s on the same server "
        "(1.0 = as fast as a Django view returning a constant; lower = slower)."
    )
    seeded, (bare, *endpoints) = sizes[0]
    slower = min(endpoints, key=lambda r: r.rps)
    ratio = slower.rps / bare.rps
    print(
        f"slower endpoint at the first size: {slower.label} ({slower.rps:.1f} req/s against "
        f"{bare.rps:.1f} req/s for the bare view)"
    )
    growth = None
    if len(ratios) == 2:
        small, large = ratios
        by = {k: large[k] / small[k] for k in ("list", "detail")}
        growth = min(by.values())
        print(
            f"growth (larger ÷ smaller, of each endpoint's ÷ bare): list {by['list']:.3f}, "
            f"detail {by['detail']:.3f}"
        )
    write_json(
        "read",
        {
            "sizes": [
                {"grievances": s.grievances, "memberships": s.memberships, "sellers": s.sellers,
                 "results": [r.as_dict() for r in rs], "ratios": {k: round(v, 4) for k, v in rt.items()}}
                for (s, rs), rt in zip(sizes, ratios, strict=True)
            ],
            "concurrency": args.concurrency, "warmup_s": args.warmup, "duration_s": args.duration,
            "workers": args.workers, "growth": None if growth is None else round(growth, 4),
            "ratio": round(ratio, 4), "ratio_is": "slower endpoint req/s / bare view req/s, first size",
        },
    )  # fmt: skip
    if growth is not None:
        print(f"growth: {growth:.3f}")
    print(f"ratio: {ratio:.3f}")


if __name__ == "__main__":
    sys.exit(main())
