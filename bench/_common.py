"""What every benchmark in bench/ needs: a throwaway PostgreSQL database, Django set up with the
bench settings, gunicorn on a free loopback port, and a small closed-loop load generator.

The benchmarks are scripts, not tests: each prints its figures and exits non-zero when something
it measures does not answer 200, so a broken endpoint is never reported as a fast one.
"""

from __future__ import annotations

import http.client
import json
import math
import os
import re
import secrets
import signal
import socket
import subprocess
import sys
import tempfile
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from urllib.parse import urlsplit, urlunsplit

BASE_DIR = Path(__file__).resolve().parents[1]
OUT_DIR = BASE_DIR / "bench" / "out"
DEFAULT_DATABASE_URL = "postgres://postgres@127.0.0.1:5432/coalition_bench"
HOST = "127.0.0.1"

if str(BASE_DIR) not in sys.path:
    sys.path.insert(0, str(BASE_DIR))


class BenchError(RuntimeError):
    """The benchmark cannot give a meaningful figure (a non-200 answer, a server that won't start)."""


# --- environment and database --------------------------------------------------------------


def bench_env(database_url: str) -> dict[str, str]:
    """What production settings require, pointed at loopback. The same values go to this process
    (for migrating and seeding) and to gunicorn."""
    return {
        "DJANGO_SETTINGS_MODULE": "bench.settings",
        "DJANGO_SECRET_KEY": secrets.token_urlsafe(50),
        "DJANGO_ALLOWED_HOSTS": f"{HOST},localhost",
        "SITE_URL": f"http://{HOST}",
        "DATABASE_URL": database_url,
        # Reads never queue a task or send mail; production settings just insist these are set.
        "CELERY_BROKER_URL": os.environ.get("BENCH_CELERY_BROKER_URL", "memory://"),
        "EMAIL_URL": "consolemail://",
        "CACHE_URL": os.environ.get("BENCH_CACHE_URL", "rediscache://127.0.0.1:6379/14"),
        # A run's own key prefix (bench/settings.py): each run seeds a fresh database with the
        # same ids, and must never be served public answers another run cached.
        "BENCH_CACHE_KEY_PREFIX": f"bench-{secrets.token_hex(4)}",
    }


def _admin_url_and_name(database_url: str) -> tuple[str, str]:
    parts = urlsplit(database_url)
    name = parts.path.lstrip("/")
    # This database is dropped: refuse anything that does not look like a benchmark's own.
    if not re.fullmatch(r"[a-z0-9_]*bench[a-z0-9_]*", name):
        raise BenchError(f"refusing to drop database {name!r}: its name must contain 'bench'")
    return urlunsplit(parts._replace(path="/postgres")), name


def _drop(admin_url: str, name: str) -> None:
    import psycopg
    from psycopg import sql

    with psycopg.connect(admin_url, autocommit=True) as conn:
        conn.execute(
            sql.SQL("DROP DATABASE IF EXISTS {} WITH (FORCE)").format(sql.Identifier(name))
        )


@contextmanager
def fresh_database(database_url: str) -> Iterator[str]:
    """Create the database empty (dropping what a previous run left) and drop it afterwards."""
    import psycopg
    from psycopg import sql

    admin_url, name = _admin_url_and_name(database_url)
    try:
        _drop(admin_url, name)
        with psycopg.connect(admin_url, autocommit=True) as conn:
            conn.execute(sql.SQL("CREATE DATABASE {}").format(sql.Identifier(name)))
    except psycopg.OperationalError as exc:
        raise BenchError(f"cannot create {name!r} on PostgreSQL at {admin_url}: {exc}") from exc
    try:
        yield database_url
    finally:
        if "django" in sys.modules:
            from django.db import connections

            connections.close_all()
        _drop(admin_url, name)


def setup_django(env: dict[str, str]) -> None:
    """Configure Django in this process with the bench settings and migrate the database."""
    os.environ.update(env)
    import django
    from django.core.management import call_command

    django.setup()
    # The bench settings relax the https checks on purpose; tests/test_deploy.py covers them.
    call_command("migrate", verbosity=0, interactive=False, skip_checks=True)


def analyze() -> None:
    """Fresh planner statistics after a bulk load, as autovacuum would eventually give."""
    from django.db import connection

    with connection.cursor() as cursor:
        cursor.execute("VACUUM ANALYZE")


def checkpoint() -> None:
    """Write the bulk load back now, so PostgreSQL's checkpoint does not fall into the measurement."""
    from django.db import connection

    with connection.cursor() as cursor:
        cursor.execute("CHECKPOINT")


# --- gunicorn ------------------------------------------------------------------------------


def free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as s:
        s.bind((HOST, 0))
        return s.getsockname()[1]


@dataclass
class Server:
    host: str
    port: int
    pid: int
    log_path: Path

    def get(self, path: str, headers: dict[str, str] | None = None) -> tuple[int, bytes, str]:
        conn = http.client.HTTPConnection(self.host, self.port, timeout=30)
        try:
            conn.request("GET", path, headers=headers or {})
            response = conn.getresponse()
            return response.status, response.read(), response.getheader("Content-Type", "")
        finally:
            conn.close()

    def require_ok(self, path: str, headers: dict[str, str] | None = None) -> bytes:
        """One request that must answer 200; anything else stops the benchmark with the answer."""
        status, body, _ = self.get(path, headers)
        if status != 200:
            raise BenchError(f"GET {path} answered {status}, not 200: {body[:300]!r}")
        return body


@contextmanager
def gunicorn(
    env: dict[str, str], *, workers: int = 2, ready_path: str = "/", timeout: float = 60
) -> Iterator[Server]:
    """gunicorn serving config.wsgi on a free loopback port; stopped (and waited for) on exit."""
    port = free_port()
    log = tempfile.NamedTemporaryFile(prefix="bench-gunicorn-", suffix=".log", delete=False)  # noqa: SIM115
    command = [
        sys.executable, "-m", "gunicorn", "config.wsgi:application",
        "--workers", str(workers),
        "--bind", f"{HOST}:{port}",
        "--log-level", "warning",
        "--timeout", "120",
    ]  # fmt: skip
    proc = subprocess.Popen(
        command, cwd=BASE_DIR, env={**os.environ, **env}, stdout=log, stderr=subprocess.STDOUT,
        start_new_session=True,
    )  # fmt: skip
    server = Server(HOST, port, proc.pid, Path(log.name))
    try:
        _wait_ready(server, proc, ready_path, timeout)
        yield server
    finally:
        _stop(proc)
        log.close()


def _wait_ready(server: Server, proc: subprocess.Popen, path: str, timeout: float) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if proc.poll() is not None:
            raise BenchError(
                f"gunicorn exited with {proc.returncode}:\n{server.log_path.read_text()[-3000:]}"
            )
        try:
            server.get(path)
            return
        except OSError:
            time.sleep(0.2)
    raise BenchError(f"gunicorn did not answer on port {server.port} within {timeout:.0f} s")


def _stop(proc: subprocess.Popen) -> None:
    if proc.poll() is not None:
        return
    os.killpg(proc.pid, signal.SIGTERM)  # its own session: the master and its workers
    try:
        proc.wait(timeout=20)
    except subprocess.TimeoutExpired:
        os.killpg(proc.pid, signal.SIGKILL)
        proc.wait(timeout=10)


# --- load generator ------------------------------------------------------------------------


@dataclass
class Result:
    label: str
    path: str
    seconds: float
    latencies: list[float] = field(default_factory=list)  # seconds, one per measured request
    client_cpu: float = 0.0  # CPU seconds the load generator used per wall-clock second
    method: str = "GET"

    @property
    def requests(self) -> int:
        return len(self.latencies)

    @property
    def rps(self) -> float:
        return self.requests / self.seconds if self.seconds else 0.0

    def percentile(self, q: float) -> float:
        """Nearest-rank percentile in milliseconds."""
        if not self.latencies:
            return math.nan
        ordered = sorted(self.latencies)
        return ordered[max(0, math.ceil(q / 100 * len(ordered)) - 1)] * 1000

    def as_dict(self) -> dict:
        return {
            "label": self.label, "path": self.path, "requests": self.requests, "seconds": round(self.seconds, 3),
            "rps": round(self.rps, 1), "p50_ms": round(self.percentile(50), 2), "p99_ms": round(self.percentile(99), 2),
            "client_cpu": round(self.client_cpu, 3),
        }  # fmt: skip


def load(
    server: Server,
    path: str,
    *,
    label: str = "",
    concurrency: int = 8,
    warmup: float = 2.0,
    duration: float = 10.0,
    max_requests: int = 1_000_000,
    headers: dict[str, str] | None = None,
) -> Result:
    """Closed loop: `concurrency` clients each send the next GET as soon as the last one is
    answered, for `warmup` + `duration` seconds (or `max_requests` in all). Only requests that
    finish inside the measured window count. Any answer but 200 stops the run with an error.

    Each request is one connection with a prebuilt request, read to the end: gunicorn's sync
    workers close every connection anyway, and a client this small leaves the shared CPUs to
    the server (http.client used about 2.5 times the CPU per request when compared)."""
    headers = {
        "Host": f"{server.host}:{server.port}",
        "Accept": "application/json",
        **(headers or {}),
    }
    head = "".join(f"{k}: {v}\r\n" for k, v in headers.items())
    request = f"GET {path} HTTP/1.1\r\n{head}Connection: close\r\n\r\n".encode("latin-1")
    address = (server.host, server.port)
    start, cpu_start = time.monotonic(), time.process_time()
    measure_from, stop_at = start + warmup, start + warmup + duration
    stop = threading.Event()
    budget = threading.Semaphore(max_requests)
    latencies: list[list[float]] = [[] for _ in range(concurrency)]
    failures: list[str] = []

    def client(mine: list[float]) -> None:
        try:
            while not stop.is_set() and budget.acquire(blocking=False):
                sent = time.monotonic()
                with socket.create_connection(address, timeout=30) as sock:
                    sock.sendall(request)
                    chunks = []
                    while chunk := sock.recv(65536):
                        chunks.append(chunk)
                done = time.monotonic()
                answer = b"".join(chunks)
                if answer[9:12] != b"200":
                    status_line, _, rest = answer.partition(b"\r\n")
                    body = rest.partition(b"\r\n\r\n")[2]
                    failures.append(
                        f"GET {path} answered {status_line.decode('latin-1')!r}: {body[:300]!r}"
                    )
                    stop.set()
                    return
                if done >= stop_at:
                    return
                if done >= measure_from:
                    mine.append(done - sent)
        except OSError as exc:
            failures.append(f"GET {path} failed: {exc!r}")
            stop.set()

    threads = [
        threading.Thread(target=client, args=(latencies[i],), daemon=True)
        for i in range(concurrency)
    ]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=warmup + duration + 60)
    stop.set()
    if failures:
        raise BenchError(failures[0])
    elapsed = time.monotonic() - start
    measured = min(time.monotonic(), stop_at) - measure_from
    return Result(
        label or path,
        path,
        measured,
        [x for chunk in latencies for x in chunk],
        client_cpu=(time.process_time() - cpu_start) / elapsed,
    )


def merged(label: str, parts: list[Result]) -> Result:
    """The slices of one endpoint as one result: their measured seconds and latencies added up,
    the client's CPU share averaged."""
    return Result(label, parts[0].path, sum(r.seconds for r in parts),
                  [x for r in parts for x in r.latencies],
                  client_cpu=sum(r.client_cpu for r in parts) / len(parts),
                  method=parts[0].method)  # fmt: skip


def load_by_turns(
    server: Server,
    endpoints: list[tuple[str, str]],
    *,
    slices: int = 5,
    concurrency: int = 8,
    warmup: float = 2.0,
    duration: float = 10.0,
    slice_warmup: float = 0.5,
) -> list[Result]:
    """Each (label, path) of `endpoints` measured for `duration` seconds in all, by turns: the
    duration is cut into `slices` slices and the endpoints take one slice each in order, round
    after round, so that whatever else the machine does meanwhile (a neighbour on the
    hypervisor, a checkpoint) falls on all of them alike. The first slice of each endpoint warms
    up for `warmup` seconds, the later ones for `slice_warmup`."""
    taken: list[list[Result]] = [[] for _ in endpoints]
    for k in range(slices):
        for i, (label, path) in enumerate(endpoints):
            taken[i].append(
                load(server, path, label=label, concurrency=concurrency,
                     warmup=warmup if k == 0 else slice_warmup, duration=duration / slices)
            )  # fmt: skip
    return [merged(label, parts) for (label, _), parts in zip(endpoints, taken, strict=True)]


# --- output --------------------------------------------------------------------------------


def print_table(results: list[Result], baseline: Result) -> None:
    """One line per endpoint; "÷ bare" is its req/s over the baseline's, "client CPU" the share of
    one CPU the load generator itself used (it runs on the same machine as the server)."""
    print(
        f"{'endpoint':<56} {'requests':>9} {'req/s':>8} {'p50 ms':>8} {'p99 ms':>8} {'÷ bare':>7} {'client CPU':>10}"
    )
    for r in results:
        name = f"{r.label}  {r.method} {r.path}"
        ratio = r.rps / baseline.rps if baseline.rps else math.nan
        print(
            f"{name:<56} {r.requests:>9,} {r.rps:>8.1f} {r.percentile(50):>8.2f} {r.percentile(99):>8.2f}"
            f" {ratio:>7.3f} {r.client_cpu:>10.0%}"
        )


def write_json(name: str, payload: dict) -> Path:
    OUT_DIR.mkdir(parents=True, exist_ok=True)
    path = OUT_DIR / f"{name}.json"
    path.write_text(json.dumps(payload, indent=2) + "\n")
    return path


# --- a fixed list of requests, every answer kept --------------------------------------------


def raw_request(
    server: Server,
    method: str,
    path: str,
    *,
    headers: dict[str, str] | None = None,
    body: bytes = b"",
) -> bytes:
    """One prebuilt HTTP/1.1 request for send_all (one connection each, closed after the answer)."""
    headers = {
        "Host": f"{server.host}:{server.port}",
        "Accept": "application/json",
        **(headers or {}),
    }
    if body or method not in {"GET", "HEAD"}:
        headers["Content-Length"] = str(len(body))
    head = "".join(f"{k}: {v}\r\n" for k, v in headers.items())
    return f"{method} {path} HTTP/1.1\r\n{head}Connection: close\r\n\r\n".encode("latin-1") + body


def split_answer(raw: bytes) -> tuple[int, bytes]:
    """(status, body) of a whole HTTP/1.1 answer read to the end of its connection; 0 when it
    is not one. Undoes chunked transfer encoding."""
    head, _, body = raw.partition(b"\r\n\r\n")
    status_line, *lines = head.split(b"\r\n")
    parts = status_line.split(b" ", 2)
    if len(parts) < 2 or not parts[0].startswith(b"HTTP/") or not parts[1].isdigit():
        return 0, raw[:300]
    chunked = any(
        line.lower().startswith(b"transfer-encoding:") and b"chunked" in line.lower()
        for line in lines
    )
    if chunked:
        decoded, rest = [], body
        while rest:
            size_line, _, rest = rest.partition(b"\r\n")
            size = int(size_line.split(b";")[0] or b"0", 16)
            if size == 0:
                break
            decoded.append(rest[:size])
            rest = rest[size + 2 :]
        body = b"".join(decoded)
    return int(parts[1]), body


@dataclass
class Answer:
    index: int  # the request's position in the list given to send_all
    status: int  # 0 when the connection failed or the answer was not HTTP
    body: bytes  # the answer's body (or what went wrong, when status is 0)
    sent: float  # time.monotonic() when the connection was opened
    done: float  # time.monotonic() when the answer was read to its end

    @property
    def latency(self) -> float:
        return self.done - self.sent


@dataclass
class Batch:
    answers: list[Answer]  # one per request sent, in the order of the list
    seconds: float  # from the first request sent to the last answer read
    client_cpu: float  # CPU seconds this process used per wall-clock second
    stopped_early: bool  # the duration ran out before the list did

    @property
    def rps(self) -> float:
        return len(self.answers) / self.seconds if self.seconds else 0.0

    def result(self, label: str, path: str, method: str) -> Result:
        return Result(
            label, path, self.seconds, [a.latency for a in self.answers], self.client_cpu, method
        )


def send_all(
    server: Server,
    requests: list[bytes],
    *,
    concurrency: int = 8,
    duration: float | None = None,
) -> Batch:
    """Closed loop over a fixed list: `concurrency` clients each take the next request of the
    list as soon as their last one is answered, until the list is used up or `duration` seconds
    have passed (no request starts after that; those in flight are read to the end). Every
    answer is kept, whatever its status, for the caller to check: unlike load(), a non-2xx
    answer does not stop the run. Neighbouring requests in the list leave at about the same
    moment from different clients, which is how a caller makes two requests race."""
    address = (server.host, server.port)
    lock = threading.Lock()
    position = iter(range(len(requests)))
    answers: list[list[Answer]] = [[] for _ in range(concurrency)]
    start, cpu_start = time.monotonic(), time.process_time()
    stop_at = start + duration if duration is not None else math.inf
    stopped_early = threading.Event()

    def take() -> int | None:
        with lock:
            index = next(position, None)
        if index is not None and time.monotonic() >= stop_at:
            stopped_early.set()
            return None
        return index

    def client(mine: list[Answer]) -> None:
        while (index := take()) is not None:
            sent = time.monotonic()
            try:
                with socket.create_connection(address, timeout=60) as sock:
                    sock.sendall(requests[index])
                    chunks = []
                    while chunk := sock.recv(65536):
                        chunks.append(chunk)
                status, body = split_answer(b"".join(chunks))
            except OSError as exc:
                status, body = 0, repr(exc).encode()
            mine.append(Answer(index, status, body, sent, time.monotonic()))

    threads = [
        threading.Thread(target=client, args=(answers[i],), daemon=True) for i in range(concurrency)
    ]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    flat = sorted((a for chunk in answers for a in chunk), key=lambda a: a.index)
    elapsed = time.monotonic() - start
    seconds = (max(a.done for a in flat) - min(a.sent for a in flat)) if flat else 0.0
    return Batch(flat, seconds, (time.process_time() - cpu_start) / elapsed, stopped_early.is_set())
