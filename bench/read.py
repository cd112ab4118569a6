"""bench/read: the grievance list and detail API against a bare Django view, on one server.

    .venv/bin/python bench/read.py          # or: make bench-read

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

The server is stopped and the database dropped at the end, whatever happened.
"""

from __future__ import annotations

import argparse
import os
import random
import sys
import time
from dataclasses import dataclass
from decimal import Decimal
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from bench._common import (
    DEFAULT_DATABASE_URL,
    BenchError,
    Result,
    analyze,
    bench_env,
    fresh_database,
    gunicorn,
    load,
    print_table,
    setup_django,
    write_json,
)

GRIEVANCES = 1_000
MEMBERSHIPS = 50_000
SELLERS = 10_000
BIG_GRIEVANCE_MEMBERS = 5_000  # the detail endpoint reads the grievance with the most members
BATCH = 5_000


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
    parser.add_argument("--workers", type=int, default=2, help="gunicorn workers")
    args = parser.parse_args(argv)

    try:
        with fresh_database(args.database_url) as database_url:
            env = bench_env(database_url)
            setup_django(env)
            seeded = seed(random.Random(2026))
            print(
                f"bench/read: seeded {seeded.grievances:,} grievances, {seeded.memberships:,} memberships, "
                f"{seeded.sellers:,} sellers in {seeded.seconds:.1f} s"
            )
            with gunicorn(env, workers=args.workers, ready_path="/bench/bare/") as server:
                endpoints = [
                    ("bare view", "/bench/bare/"),
                    ("list", "/api/v1/grievances/"),
                    (
                        f"detail ({BIG_GRIEVANCE_MEMBERS:,} members)",
                        f"/api/v1/grievances/{seeded.big_grievance_id}/",
                    ),
                ]
                for _label, path in endpoints:  # fail before measuring if anything is not there
                    server.require_ok(path, {"Accept": "application/json"})
                print(
                    f"gunicorn: {args.workers} sync workers on {server.host}:{server.port}, PostgreSQL, "
                    f"production settings (DEBUG off); load: {args.concurrency} concurrent clients, "
                    f"{args.warmup:g} s warm-up + {args.duration:g} s per endpoint, same machine ({os.cpu_count()} CPUs)\n"
                )
                results = [
                    load(server, path, label=label, concurrency=args.concurrency, warmup=args.warmup,
                         duration=args.duration)
                    for label, path in endpoints
                ]  # fmt: skip
    except BenchError as exc:
        print(f"bench/read failed: {exc}", file=sys.stderr)
        return 1

    report(results, seeded, args)
    return 0


def report(results: list[Result], seeded: Seeded, args: argparse.Namespace) -> None:
    bare, *endpoints = results
    print_table(results, bare)
    slower = min(endpoints, key=lambda r: r.rps)
    ratio = slower.rps / bare.rps
    print(
        "\n÷ bare = the endpoint's req/s divided by the bare view's req/s on the same server "
        "(1.0 = as fast as a Django view returning a constant; lower = slower)."
    )
    print(
        f"slower endpoint: {slower.label} ({slower.rps:.1f} req/s against {bare.rps:.1f} req/s for the bare view)"
    )
    write_json(
        "read",
        {
            "seeded": {"grievances": seeded.grievances, "memberships": seeded.memberships, "sellers": seeded.sellers},
            "concurrency": args.concurrency, "warmup_s": args.warmup, "duration_s": args.duration,
            "workers": args.workers, "results": [r.as_dict() for r in results],
            "ratio": round(ratio, 4), "ratio_is": "slower endpoint req/s / bare view req/s",
        },
    )  # fmt: skip
    print(f"ratio: {ratio:.3f}")


if __name__ == "__main__":
    sys.exit(main())
