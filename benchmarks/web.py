"""Load on the web app over loopback: the latency goal, and a long mixed run.

    python benchmarks/web.py                       # goal: 50 clients, cached lesson page and card reviews
    python benchmarks/web.py --mixed --clients 100 --seconds 300
                                                   # 100 clients mixing pages, reviews and quiz answers

Starts `arcxiv serve` as a child process on 127.0.0.1 with SQLite in a temporary folder and
compiles the example paper through the API (the session cookie and X-CSRF-Token of one learner
are shared by all clients). The load generator is a minimal HTTP/1.1 keep-alive client on
asyncio streams, one connection per client, in one process on the same CPUs as the server: a
heavyweight client (httpx) spends more CPU per request than the server does and would measure
itself. Latencies are measured from writing the request to reading the whole body.

Default mode, for each of three targets, REQUESTS requests or SECONDS seconds, whichever ends first:
  (a) GET  /papers/{key}/course/lesson-01.html   (rendered once, then served from memory)
  (b) POST /api/papers/{key}/reviews            (a fresh review_id each, grade 3, cards in turn)
  (c) GET  lesson pages and study pages in turn (review, the daily queue, a quiz session, one quiz item,
           cards, progress, statistics, library, settings, and their JSON twins)
Goal: p99 under 50 ms for the lesson pages, alone (a) and among the study pages (c) (reported, not enforced).

--mixed: every client loops for SECONDS seconds choosing, at random with a fixed seed, a page
view (60%: lessons, course index, paper, the study pages of (c), their JSON twins), a
card review (25%) or a quiz answer (15%). One review and one answer in twenty is sent twice with
the same id, as a client retrying after a lost reply would: the second must be answered as
"repeated" and must not add a row. The server's resident memory is sampled every second.

Afterwards, with the server stopped, both modes count the rows in the database: reviews and
answers stored must equal the ones the server acknowledged (no lost and no duplicated writes).
Exit status 1 when a count differs or any request failed.
"""
from __future__ import annotations

import argparse
import asyncio
import json
import os
import random
import shutil
import signal
import socket
import sqlite3
import statistics
import subprocess
import sys
import tempfile
import time
import uuid
from dataclasses import dataclass, field
from pathlib import Path

import httpx

HOST = "127.0.0.1"
SEED = Path(__file__).resolve().parents[1] / "tests" / "data" / "000_db1703b9651b8d63.txt"
LESSON_P99_GOAL_MS = 50.0
REQUEST_TIMEOUT_S = 10.0


@dataclass
class Result:
    name: str
    latencies: list[float] = field(default_factory=list)  # seconds, successful requests only
    errors: dict[str, int] = field(default_factory=dict)
    elapsed: float = 0.0

    def error(self, what: str) -> None:
        self.errors[what] = self.errors.get(what, 0) + 1

    def pct(self, q: float) -> float:
        """Nearest-rank percentile in milliseconds."""
        if not self.latencies:
            return float("nan")
        ordered = sorted(self.latencies)
        return ordered[min(len(ordered) - 1, max(0, int(q / 100 * len(ordered) + 0.5) - 1))] * 1000

    def line(self) -> str:
        ok = len(self.latencies)
        rps = ok / self.elapsed if self.elapsed else 0.0
        errs = sum(self.errors.values())
        detail = f" ({', '.join(f'{k}: {v}' for k, v in sorted(self.errors.items()))})" if errs else ""
        mean = statistics.fmean(self.latencies) * 1000 if ok else float("nan")
        return (f"{self.name:<36} {ok:>6} ok {rps:8.1f} req/s  p50 {self.pct(50):6.1f} ms  "
                f"p99 {self.pct(99):6.1f} ms  mean {mean:6.1f} ms  errors {errs}{detail}")


class Connection:
    """One keep-alive HTTP/1.1 connection; enough of the protocol for uvicorn's replies."""

    def __init__(self, port: int, cookie: str, csrf: str):
        self.port, self.fixed = port, f"Host: {HOST}\r\nCookie: {cookie}\r\nX-CSRF-Token: {csrf}\r\n"
        self.reader = self.writer = None

    async def request(self, method: str, path: str, payload: dict | None = None) -> tuple[int, bytes]:
        if self.writer is None:
            self.reader, self.writer = await asyncio.open_connection(HOST, self.port)
        body = json.dumps(payload).encode() if payload is not None else b""
        extra = f"Content-Type: application/json\r\nContent-Length: {len(body)}\r\n" if payload is not None else ""
        self.writer.write(f"{method} {path} HTTP/1.1\r\n{self.fixed}{extra}\r\n".encode() + body)
        head = await asyncio.wait_for(self.reader.readuntil(b"\r\n\r\n"), REQUEST_TIMEOUT_S)
        lines = head.split(b"\r\n")
        status = int(lines[0].split()[1])
        length = next((int(v) for k, _, v in (ln.partition(b":") for ln in lines[1:]) if k.lower() == b"content-length"),
                      None)
        if length is None:
            raise ConnectionError("reply without Content-Length")
        return status, await asyncio.wait_for(self.reader.readexactly(length), REQUEST_TIMEOUT_S)

    def close(self) -> None:
        if self.writer is not None:
            self.writer.close()


@dataclass
class Setup:
    port: int
    key: str
    cookie: str
    csrf: str
    cards: list[str]
    quiz: list[dict]
    lessons: list[str]
    study_pages: list[str]  # the app's study pages: review, the daily queue, a quiz session, statistics …
    note: str


def free_port() -> int:
    with socket.socket() as s:
        s.bind((HOST, 0))
        return s.getsockname()[1]


def arcxiv_command() -> str:
    local = Path(sys.executable).with_name("arcxiv")
    found = str(local) if local.exists() else shutil.which("arcxiv")
    if not found:
        sys.exit("benchmarks/web.py: the arcxiv command is not installed (pip install -e .)")
    return found


def start_server(port: int, folder: Path, log) -> subprocess.Popen:
    db = f"sqlite:///{folder / 'bench.db'}"
    proc = subprocess.Popen([arcxiv_command(), "serve", "--host", HOST, "--port", str(port), "--db", db],
                            env={**os.environ, "ARCXIV_DATA": str(folder)}, stdout=log, stderr=subprocess.STDOUT,
                            stdin=subprocess.DEVNULL, start_new_session=True)
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        if proc.poll() is not None:
            raise RuntimeError(f"the server exited with status {proc.returncode}")
        try:
            if httpx.get(f"http://{HOST}:{port}/api", timeout=1.0, trust_env=False).status_code == 200:
                return proc
        except httpx.TransportError:
            pass
        time.sleep(0.1)
    stop_server(proc)
    raise RuntimeError("the server did not answer within 60 s")


def stop_server(proc: subprocess.Popen) -> None:
    if proc.poll() is not None:
        return
    proc.send_signal(signal.SIGINT)
    try:
        proc.wait(timeout=15)
    except subprocess.TimeoutExpired:
        proc.kill()
        proc.wait(timeout=5)


def rss_mb(pid: int) -> float:
    with open(f"/proc/{pid}/status", encoding="ascii") as f:
        return next(int(line.split()[1]) for line in f if line.startswith("VmRSS:")) / 1024


def prepare(port: int) -> Setup:
    """Compile the example through the API and warm every page the load will ask for."""
    with httpx.Client(base_url=f"http://{HOST}:{port}", trust_env=False, timeout=120) as c:
        csrf = c.get("/api/session").json()["csrf"]
        t0 = time.perf_counter()
        r = c.post("/api/papers", json={"text": SEED.read_text(encoding="utf-8")}, headers={"X-CSRF-Token": csrf})
        r.raise_for_status()
        compiled = time.perf_counter() - t0
        key = r.json()["key"]
        cur = c.get(f"/api/papers/{key}/curriculum").json()
        lessons = [f"/papers/{key}/course/lesson-{lesson['number']:02d}.html" for lesson in cur["lessons"]]
        c.get(lessons[0]).raise_for_status()  # renders the course once: the load measures the cached pages
        study = c.post(f"/api/papers/{key}/quiz/sessions", json={}, headers={"X-CSRF-Token": csrf}).json()["id"]
        study_pages = [f"/papers/{key}/review", f"/papers/{key}/review?show=1", "/review", "/api/review",
                       f"/papers/{key}/quiz", f"/papers/{key}/quiz/session/{study}", f"/papers/{key}/quiz/{cur['quiz'][0]['id']}",
                       f"/papers/{key}/cards", f"/papers/{key}/progress", "/stats", "/api/stats", "/library", "/settings"]
        for page in study_pages:
            c.get(page).raise_for_status()
        cookie = "; ".join(f"{k}={v}" for k, v in c.cookies.items())
    note = f"example compiled in {compiled:.1f} s (key {key}); {len(cur['flashcards'])} cards, {len(cur['quiz'])} quiz items"
    return Setup(port, key, cookie, csrf, [card["id"] for card in cur["flashcards"]], cur["quiz"], lessons,
                 study_pages, note)


def answer_of(item: dict):
    """The right answer as the API takes it (the web form's shape for each kind)."""
    if item["kind"] in ("matching", "ordering"):
        return item["answer"] if isinstance(item["answer"], list) else [item["answer"]]
    return item["answer"]


class Load:
    """The clients' shared counters: what the server acknowledged, and per-kind results."""

    def __init__(self, setup: Setup):
        self.setup = setup
        self.results: dict[str, Result] = {}
        self.reviews_acked = self.answers_acked = self.repeats_ok = 0

    def result(self, name: str) -> Result:
        return self.results.setdefault(name, Result(name))

    async def timed(self, conn: Connection, name: str, method: str, path: str, payload=None):
        result = self.result(name)
        t0 = time.perf_counter()
        try:
            status, body = await conn.request(method, path, payload)
        except (OSError, asyncio.IncompleteReadError, asyncio.TimeoutError, ValueError) as e:
            result.error(type(e).__name__)
            conn.close()
            conn.writer = None
            return None
        if status != 200:
            result.error(f"HTTP {status}")
            return None
        result.latencies.append(time.perf_counter() - t0)
        return body

    async def review(self, conn: Connection, n: int, retry: bool, name: str = "POST review") -> None:
        review_id = uuid.uuid4().hex
        payload = {"card_id": self.setup.cards[n % len(self.setup.cards)], "grade": 1 + n % 4, "review_id": review_id}
        body = await self.timed(conn, name, "POST", f"/api/papers/{self.setup.key}/reviews", payload)
        if body is None:
            return
        reply = json.loads(body)
        if reply.get("review_id") != review_id or reply.get("repeated"):
            self.result(name).error("unexpected reply")
            return
        self.reviews_acked += 1
        if retry:
            again = await self.timed(conn, "POST review (resent)", "POST", f"/api/papers/{self.setup.key}/reviews",
                                     payload)
            if again is not None and json.loads(again).get("repeated"):
                self.repeats_ok += 1
            elif again is not None:
                self.result("POST review (resent)").error("not repeated")

    async def answer(self, conn: Connection, n: int, retry: bool) -> None:
        item = self.setup.quiz[n % len(self.setup.quiz)]
        payload = {"item_id": item["id"], "answer": answer_of(item) if n % 3 else "not it", "answer_id": uuid.uuid4().hex}
        path = f"/api/papers/{self.setup.key}/answers"
        body = await self.timed(conn, "POST answer", "POST", path, payload)
        if body is None:
            return
        if json.loads(body).get("item_id") != item["id"]:
            self.result("POST answer").error("unexpected reply")
            return
        self.answers_acked += 1
        if retry:
            again = await self.timed(conn, "POST answer (resent)", "POST", path, payload)
            if again is not None and json.loads(again).get("repeated"):
                self.repeats_ok += 1
            elif again is not None:
                self.result("POST answer (resent)").error("not repeated")


async def goal_run(setup: Setup, clients: int, total: int, seconds: float) -> tuple[Load, list[Result]]:
    load = Load(setup)
    lesson = setup.lessons[0]

    async def phase(name: str, action) -> Result:
        budget = iter(range(total))
        start = time.perf_counter()
        deadline = start + seconds

        async def client() -> None:
            conn = Connection(setup.port, setup.cookie, setup.csrf)
            try:
                for n in budget:
                    if time.perf_counter() > deadline:
                        return
                    await action(conn, n)
            finally:
                conn.close()

        await asyncio.gather(*(client() for _ in range(clients)))
        load.result(name).elapsed = time.perf_counter() - start
        return load.result(name)

    name_a, name_b = "(a) GET lesson-01.html (cached)", "(b) POST /api/papers/{key}/reviews"
    name_c, name_s = "(c) GET lesson pages, among study pages", "(c) GET study pages, among lesson pages"
    a = await phase(name_a, lambda conn, n: load.timed(conn, name_a, "GET", lesson))

    def course_or_study(conn, n):  # half the requests a lesson, half a study page (review, quiz, statistics …)
        if n % 2:
            return load.timed(conn, name_s, "GET", setup.study_pages[n // 2 % len(setup.study_pages)])
        return load.timed(conn, name_c, "GET", setup.lessons[n // 2 % len(setup.lessons)])
    # (c) before (b): the study pages read the day's reviews, and (b) adds thousands in seconds
    c = await phase(name_c, course_or_study)
    load.result(name_s).elapsed = c.elapsed
    b = await phase(name_b, lambda conn, n: load.review(conn, n, False, name_b))
    return load, [a, b, c, load.result(name_s)]


async def mixed_run(setup: Setup, clients: int, seconds: float, server_pid: int,
                    wal: Path) -> tuple[Load, list[float], list[float]]:
    load = Load(setup)
    key = setup.key
    pages = [*setup.lessons, f"/papers/{key}/course/index.html", f"/papers/{key}", *setup.study_pages,
             f"/api/papers/{key}/progress", f"/api/papers/{key}/review", f"/api/papers/{key}"]
    memory: list[float] = []
    wal_mb: list[float] = []  # SQLite's write-ahead log, which the server also maps into memory
    start = time.perf_counter()
    deadline = start + seconds

    async def client(index: int) -> None:
        rng = random.Random(index)
        conn = Connection(setup.port, setup.cookie, setup.csrf)
        try:
            while time.perf_counter() < deadline:
                roll, n = rng.random(), rng.randrange(1 << 30)
                if roll < 0.60:
                    path = rng.choice(pages)
                    kind = "GET lesson page" if "/course/" in path else "GET api" if "/api/" in path else "GET page"
                    await load.timed(conn, kind, "GET", path)
                elif roll < 0.85:
                    await load.review(conn, n, retry=n % 20 == 0)
                else:
                    await load.answer(conn, n, retry=n % 20 == 0)
        finally:
            conn.close()

    async def sample() -> None:
        while time.perf_counter() < deadline:
            memory.append(rss_mb(server_pid))
            wal_mb.append(wal.stat().st_size / 2**20 if wal.exists() else 0.0)
            await asyncio.sleep(1.0)

    await asyncio.gather(sample(), *(client(i) for i in range(clients)))
    for r in load.results.values():
        r.elapsed = time.perf_counter() - start
    return load, memory, wal_mb


def count_rows(db: Path) -> dict[str, int]:
    con = sqlite3.connect(f"file:{db}?mode=ro", uri=True)
    try:
        return {t: con.execute(f"SELECT count(*) FROM {t}").fetchone()[0] for t in ("reviews", "answers", "sessions")}
    finally:
        con.close()


def main(argv: list[str]) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--mixed", action="store_true", help="the long mixed run instead of the latency goal")
    ap.add_argument("--clients", type=int, default=None, help="concurrent clients (default 50, or 100 with --mixed)")
    ap.add_argument("--requests", type=int, default=20000, help="requests per target in the goal run (default 20000)")
    ap.add_argument("--seconds", type=float, default=None, help="time per target (default 10), or of the mixed run (300)")
    args = ap.parse_args(argv[1:])
    clients = args.clients or (100 if args.mixed else 50)
    seconds = args.seconds or (300.0 if args.mixed else 10.0)

    port = free_port()
    with tempfile.TemporaryDirectory(prefix="arcxiv-bench-") as tmp:
        folder = Path(tmp)
        log_path = folder / "server.log"
        with open(log_path, "w", encoding="utf-8") as log:
            t0 = time.perf_counter()
            proc = start_server(port, folder, log)
            started = time.perf_counter() - t0
            try:
                setup = prepare(port)
                if args.mixed:
                    load, memory, wal_mb = asyncio.run(mixed_run(setup, clients, seconds, proc.pid,
                                                                 folder / "bench.db-wal"))
                    shown = sorted(load.results.values(), key=lambda r: r.name)
                else:
                    load, shown = asyncio.run(goal_run(setup, clients, args.requests, seconds))
            except BaseException:
                print(log_path.read_text(encoding="utf-8", errors="replace")[-3000:], file=sys.stderr)
                raise
            finally:
                stop_server(proc)
        rows = count_rows(folder / "bench.db")

    print(f"arcxiv web benchmark ({'mixed' if args.mixed else 'goal'}): {clients} concurrent clients on {HOST} "
          f"(loopback), {seconds:.0f} s{'' if args.mixed else ' or ' + str(args.requests) + ' requests per target'}; "
          f"{os.cpu_count()} CPUs shared by server and clients")
    print(f"setup: server answered after {started:.1f} s; {setup.note}")
    for r in shown:
        print(r.line())
    failed = any(r.errors for r in shown)
    if args.mixed:
        total = sum(len(r.latencies) for r in shown)
        print(f"all requests: {total} ok in {seconds:.0f} s ({total / seconds:.0f} req/s), "
              f"{sum(sum(r.errors.values()) for r in shown)} errors; {load.repeats_ok} resent writes answered as repeats")
        marks = ", ".join(f"{q}% {memory[min(len(memory) - 1, len(memory) * q // 100)]:.0f}" for q in range(10, 100, 10))
        print(f"server memory (VmRSS MB, sampled each second) at {marks}, end {memory[-1]:.0f}, peak {max(memory):.0f}")
        print(f"SQLite WAL file: largest {max(wal_mb):.1f} MB, at the end {wal_mb[-1]:.1f} MB")
    else:
        for lesson in (shown[0], shown[2]):
            print(f"goal: {lesson.name[4:]}: p99 < {LESSON_P99_GOAL_MS:.0f} ms: {lesson.pct(99):.1f} ms -> "
                  f"{'MET' if lesson.pct(99) < LESSON_P99_GOAL_MS else 'NOT MET'}")
    consistent = rows["reviews"] == load.reviews_acked and rows["answers"] == load.answers_acked
    print(f"database: {rows['reviews']} reviews and {rows['answers']} answers stored; acknowledged "
          f"{load.reviews_acked} and {load.answers_acked} -> {'consistent' if consistent else 'MISMATCH'}")
    return 1 if failed or not consistent else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
