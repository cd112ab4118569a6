"""bench/fanout: a 100,000-member reminder fan-out through the outbox, against a plain smtplib loop.

    .venv/bin/python bench/fanout.py            # or: make bench-fanout
    .venv/bin/python bench/fanout.py --members 20000

Needs PostgreSQL and Redis on this machine. Creates a fresh database (BENCH_FANOUT_DATABASE_URL,
default postgres://postgres@127.0.0.1:5432/coalition_bench_fanout, dropped and recreated each run),
migrates it and seeds one grievance with N verified members (bulk inserts) and a round open for
signing whose signing reminder is due. Then, on the same loopback SMTP sink (aiosmtpd in its own
process, counting messages, keeping nothing):

1. **fan-out** — a real Celery worker (prefork, 2 pool processes, production settings, the Redis
   broker at BENCH_CELERY_BROKER_URL, default redis://127.0.0.1:6379/12, on a queue of its own) is
   sent the beat's `dispatch_due_follow_ups` task; one pool process runs the signing_reminder job
   (renders once per language and time zone, writes the outbox in chunks of 500, queues send
   tasks of 100 as each chunk commits) while the other starts sending; both send once it is done.
   Timed from queuing the task until the sink has counted every email; every row must be `sent`.
2. **plain loop** — this process sends the same number of messages (a copy of one of the real
   emails, same size) to the same sink with smtplib over one connection: no database, no broker.

Prints both rates, their ratio, the total time, the fan-out job's own time and the peak resident
memory (VmHWM) of the worker processes; the last line is `ratio: <fan-out emails/s ÷ plain emails/s>`.
The outbox commits to PostgreSQL once per email (the hand-over mark, see appeals/outbox/service.py), so on
a machine with slow fsync that commit, not SMTP, sets the pace. The database is dropped at the end.
"""

from __future__ import annotations

import argparse
import multiprocessing
import os
import smtplib
import subprocess
import sys
import time
import uuid
from datetime import timedelta
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from bench._common import (
    BASE_DIR,
    BenchError,
    analyze,
    bench_env,
    free_port,
    fresh_database,
    setup_django,
    write_json,
)

DEFAULT_DATABASE_URL = "postgres://postgres@127.0.0.1:5432/coalition_bench_fanout"
DEFAULT_BROKER_URL = "redis://127.0.0.1:6379/12"


# --- the SMTP sink (its own process, so it never competes with the senders for a GIL) -----------


def _sink(port: int, counter, ready, stop) -> None:
    from aiosmtpd.controller import Controller

    class Count:
        async def handle_DATA(self, server, session, envelope):
            with counter.get_lock():
                counter.value += 1
            return "250 OK"

    controller = Controller(Count(), hostname="127.0.0.1", port=port)
    controller.start()
    ready.set()
    stop.wait()
    controller.stop()


class Sink:
    def __init__(self) -> None:
        self.port = free_port()
        self.counter = multiprocessing.Value("q", 0)
        self._ready, self._stop = multiprocessing.Event(), multiprocessing.Event()
        self._proc = multiprocessing.Process(
            target=_sink, args=(self.port, self.counter, self._ready, self._stop), daemon=True
        )

    def __enter__(self) -> Sink:
        self._proc.start()
        if not self._ready.wait(20):
            raise BenchError("the SMTP sink did not start")
        return self

    def __exit__(self, *exc) -> None:
        self._stop.set()
        self._proc.join(10)

    @property
    def count(self) -> int:
        return self.counter.value

    def reset(self) -> None:
        with self.counter.get_lock():
            self.counter.value = 0


# --- the worker -----------------------------------------------------------------------------------


class Worker:
    def __init__(self, env: dict[str, str], queue: str, log: Path) -> None:
        self.env, self.queue, self.log = env, queue, log
        self.proc: subprocess.Popen | None = None

    def __enter__(self) -> Worker:
        celery = Path(sys.executable).parent / "celery"
        with self.log.open("wb") as out:
            self.proc = subprocess.Popen(
                [str(celery), "-A", "config", "worker", "--pool=prefork", "--concurrency=2", "-Q", self.queue,
                 "-n", f"{self.queue}@%h", "--without-gossip", "--without-mingle", "--without-heartbeat",
                 "--loglevel=INFO"],
                cwd=BASE_DIR, env={**os.environ, **self.env}, stdout=out, stderr=subprocess.STDOUT,
                start_new_session=True,
            )  # fmt: skip
        deadline = time.monotonic() + 60
        while b" ready." not in self.log.read_bytes():
            if self.proc.poll() is not None or time.monotonic() > deadline:
                raise BenchError(
                    f"the Celery worker did not start:\n{self.log.read_text()[-3000:]}"
                )
            time.sleep(0.2)
        return self

    def __exit__(self, *exc) -> None:
        if self.proc is not None and self.proc.poll() is None:
            import signal

            os.killpg(self.proc.pid, signal.SIGTERM)
            try:
                self.proc.wait(30)
            except subprocess.TimeoutExpired:
                os.killpg(self.proc.pid, signal.SIGKILL)

    def peak_rss_mb(self) -> dict[str, float]:
        """VmHWM (peak resident set) of the main process and each pool process, in MiB."""
        main = self.proc.pid
        pids = {"main": main}
        for entry in Path("/proc").iterdir():
            if entry.name.isdigit():
                try:
                    fields = (entry / "stat").read_text().rsplit(")", 1)[1].split()
                except OSError:
                    continue
                if int(fields[1]) == main:
                    pids[f"pool {len(pids)}"] = int(entry.name)
        return {name: _vm_hwm(pid) for name, pid in pids.items()}


def _vm_hwm(pid: int) -> float:
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmHWM:"):
            return int(line.split()[1]) / 1024
    return 0.0


# --- seeding --------------------------------------------------------------------------------------


def seed(members: int):
    """One grievance, `members` verified members in a daytime time zone (so nothing is held for
    the morning), and round 1 open for signing with its reminder due now."""
    from django.utils import timezone

    from appeals.models import Appeal, FollowUp
    from coalition.models import Grievance, Membership, Platform
    from tests.integration.support import daytime_zone, seed_members

    zone = daytime_zone()
    platform = Platform.objects.create(
        name="Bench Market", slug="bench-market", appeal_email="appeals@bench.example"
    )
    grievance = Grievance.objects.create(
        platform=platform, category="funds_withheld", title="Payouts frozen without a statement of reasons",
        summary="Our payouts were frozen.", demands="Release the funds.",
    )  # fmt: skip
    organiser_ids = seed_members(grievance, 1, zone=zone, prefix="organiser")
    Membership.objects.filter(pk__in=organiser_ids).update(role="organiser", state="verified")
    seed_members(grievance, members, zone=zone, prefix="member")
    now = timezone.now()
    appeal = Appeal.objects.create(
        grievance=grievance, number=1, subject="Collective appeal, round 1", letter="We appeal together.\n",
        state="signing", signing_opened_at=now - timedelta(days=2), signing_deadline=now + timedelta(days=5),
    )  # fmt: skip
    follow_up = FollowUp.objects.create(
        kind="signing_reminder", key=f"signing_reminder:{appeal.pk}:opened", appeal=appeal, due_at=now,
        data={"slot": "opened"},
    )  # fmt: skip
    return follow_up, members + 1


# --- the two measurements -------------------------------------------------------------------------


def fan_out(sink: Sink, worker: Worker, follow_up, expected: int, timeout: float) -> dict:
    from django.db.models import Count

    from appeals.dispatch.tasks import dispatch_due_follow_ups
    from appeals.models import FollowUp, Notification

    sink.reset()
    started = time.perf_counter()
    dispatch_due_follow_ups.delay()
    last, last_change = 0, time.monotonic()
    while sink.count < expected:
        time.sleep(0.2)
        if sink.count != last:
            last, last_change = sink.count, time.monotonic()
        if time.monotonic() - last_change > timeout:
            raise BenchError(
                f"the fan-out stalled at {sink.count:,} of {expected:,} emails:\n{worker.log.read_text()[-3000:]}"
            )
    seconds = time.perf_counter() - started
    peak = worker.peak_rss_mb()
    time.sleep(1)  # nothing more may arrive
    follow_up = FollowUp.objects.get(pk=follow_up.pk)
    states = dict(Notification.objects.values_list("state").annotate(n=Count("pk")).order_by())
    if follow_up.state != "done" or states.get("sent") != expected or sink.count != expected:
        raise BenchError(
            f"fan-out incomplete: follow-up {follow_up.state}, rows {states}, sink {sink.count:,}"
        )
    return {
        "emails": expected,
        "seconds": seconds,
        "rate": expected / seconds,
        # From the first outbox row written to the job's "done": rendering and writing them all.
        "job_seconds": (
            follow_up.finished_at - Notification.objects.order_by("pk").first().created_at
        ).total_seconds(),
        "peak_rss_mib": peak,
    }


def commit_latency_ms(samples: int = 200) -> float:
    """What one synchronous PostgreSQL commit costs here (the outbox makes one per email)."""
    from django.db import connection

    with connection.cursor() as cursor:
        cursor.execute("CREATE TABLE bench_commit (n int)")
        started = time.perf_counter()
        for n in range(samples):
            cursor.execute(
                "INSERT INTO bench_commit VALUES (%s)", [n]
            )  # autocommit: one commit each
        elapsed = time.perf_counter() - started
        cursor.execute("DROP TABLE bench_commit")
    return elapsed / samples * 1000


def plain_loop(sink: Sink, count: int) -> dict:
    from django.conf import settings

    from appeals.models import Notification
    from appeals.outbox.service import build_message

    data = (
        build_message(Notification.objects.order_by("pk").first())
        .message()
        .as_bytes(linesep="\r\n")
    )
    sink.reset()
    started = time.perf_counter()
    with smtplib.SMTP("127.0.0.1", sink.port, timeout=20) as smtp:
        for n in range(count):
            smtp.sendmail(settings.DEFAULT_FROM_EMAIL, [f"plain{n}@example.com"], data)
    seconds = time.perf_counter() - started
    if sink.count != count:
        raise BenchError(f"the sink counted {sink.count:,} of {count:,} plain messages")
    return {
        "emails": count,
        "seconds": seconds,
        "rate": count / seconds,
        "message_bytes": len(data),
    }


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--members", type=int, default=100_000)
    parser.add_argument(
        "--database-url", default=os.environ.get("BENCH_FANOUT_DATABASE_URL", DEFAULT_DATABASE_URL)
    )
    parser.add_argument(
        "--broker-url", default=os.environ.get("BENCH_CELERY_BROKER_URL", DEFAULT_BROKER_URL)
    )
    parser.add_argument(
        "--stall-timeout", type=float, default=120, help="seconds without progress before giving up"
    )
    args = parser.parse_args(argv)
    began = time.perf_counter()
    queue = f"bench-fanout-{uuid.uuid4().hex[:8]}"
    try:
        with Sink() as sink, fresh_database(args.database_url) as database_url:
            env = {
                **bench_env(database_url),
                "CELERY_BROKER_URL": args.broker_url,
                "CELERY_TASK_DEFAULT_QUEUE": queue,
                "EMAIL_URL": f"smtp://127.0.0.1:{sink.port}",
            }
            setup_django(env)
            t = time.perf_counter()
            follow_up, expected = seed(args.members)
            analyze()
            print(
                f"bench/fanout: seeded {args.members:,} members (+1 organiser) in {time.perf_counter() - t:.1f} s"
            )
            log = BASE_DIR / "bench" / "out" / "fanout-worker.log"
            log.parent.mkdir(parents=True, exist_ok=True)
            with Worker(env, queue, log) as worker:
                fan = fan_out(sink, worker, follow_up, expected, args.stall_timeout)
            plain = plain_loop(sink, expected)
            fan["commit_ms"] = commit_latency_ms()
            _forget_queue(args.broker_url, queue)
    except BenchError as exc:
        print(f"bench/fanout failed: {exc}", file=sys.stderr)
        return 1
    total = time.perf_counter() - began
    report(fan, plain, total, os.cpu_count())
    write_json("fanout", {"fan_out": fan, "plain": plain, "total_seconds": total})
    return 0


def _forget_queue(broker_url: str, queue: str) -> None:
    import redis

    client = redis.Redis.from_url(broker_url)
    client.delete(queue, f"_kombu.binding.{queue}")


def report(fan: dict, plain: dict, total: float, cpus: int | None) -> None:
    ratio = fan["rate"] / plain["rate"]
    peak = fan["peak_rss_mib"]
    pools = ", ".join(f"{name} {mib:.0f} MiB" for name, mib in peak.items())
    print(f"\n{'':<40}{'emails':>10}{'seconds':>10}{'emails/s':>11}")
    print(
        f"{'fan-out (outbox, 2 worker processes)':<40}{fan['emails']:>10,}{fan['seconds']:>10.1f}{fan['rate']:>11,.0f}"
    )
    print(
        f"{'plain smtplib loop (1 conn.)':<40}{plain['emails']:>10,}{plain['seconds']:>10.1f}{plain['rate']:>11,.0f}"
    )
    print(
        f"\nfan-out job (render + write {fan['emails']:,} outbox rows): {fan['job_seconds']:.1f} s; "
        f"message size {plain['message_bytes']:,} bytes; {cpus} CPUs shared by PostgreSQL, Redis, the worker and the sink"
    )
    print(f"peak RSS of the worker (VmHWM): {pools}; largest {max(peak.values()):.0f} MiB")
    print(
        f"one PostgreSQL commit here: {fan['commit_ms']:.2f} ms "
        "(the outbox makes one per email, its hand-over mark before DATA)"
    )
    print(f"total time: {total:.1f} s")
    print(f"ratio: {ratio:.3f}")


if __name__ == "__main__":
    sys.exit(main())
