"""Load on the web app: a cached lesson page and card reviews, 50 clients at once, loopback only.

    python benchmarks/web.py [--clients 50] [--requests 2000] [--seconds 20]

Starts `arcxiv serve` as a child process on 127.0.0.1 with SQLite in a temporary folder,
compiles the example paper through the API (POST /api/papers with the X-CSRF-Token from
GET /api/session, keeping the session cookie), then for each of two targets runs a bounded
burst — REQUESTS requests or SECONDS seconds, whichever ends first — from CLIENTS concurrent
asyncio clients (httpx.AsyncClient):

  (a) GET  /papers/{key}/course/lesson-01.html   (rendered once, then served from memory)
  (b) POST /api/papers/{key}/reviews            (a fresh review_id each, grade 3, cards in turn)

and prints requests per second, p50/p99 latency and error counts for each. Afterwards, with the
server stopped, it checks that the reviews table holds exactly the reviews the server
acknowledged. Goal: p99 under 50 ms for the lesson page. Exit status 1 when the count check
fails or a target saw errors; the goal itself is reported, not enforced.
"""
from __future__ import annotations

import argparse
import asyncio
import os
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
SEED = Path(__file__).resolve().parents[2] / "shared" / "seeds" / "000_db1703b9651b8d63.txt"
LESSON_P99_GOAL_MS = 50.0
REQUEST_TIMEOUT_S = 10.0


@dataclass
class Result:
    name: str
    latencies: list[float] = field(default_factory=list)  # seconds, successful requests only
    errors: dict[str, int] = field(default_factory=dict)
    sent: int = 0
    elapsed: float = 0.0
    acknowledged: int = 0  # reviews the server confirmed as applied

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
        return (f"{self.name:<34} {self.sent:>5} sent in {self.elapsed:5.1f} s  {rps:8.1f} req/s  "
                f"p50 {self.pct(50):7.1f} ms  p99 {self.pct(99):7.1f} ms  mean {mean:7.1f} ms  "
                f"errors {errs}{detail}")


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


async def burst(name: str, base: str, cookies: httpx.Cookies, clients: int, total: int, seconds: float,
                send) -> Result:
    """CLIENTS workers share one budget of TOTAL requests and one deadline; each owns a connection."""
    result = Result(name)
    budget = iter(range(total))
    start = time.perf_counter()
    deadline = start + seconds

    async def worker(index: int) -> None:
        limits = httpx.Limits(max_connections=1, max_keepalive_connections=1)
        async with httpx.AsyncClient(base_url=base, cookies=cookies, limits=limits, trust_env=False,
                                     timeout=REQUEST_TIMEOUT_S) as client:
            while time.perf_counter() < deadline:
                try:
                    n = next(budget)
                except StopIteration:
                    return
                result.sent += 1
                t0 = time.perf_counter()
                try:
                    ok = await send(client, n, result)
                except httpx.TimeoutException:
                    result.error("timeout")
                    continue
                except httpx.HTTPError as e:
                    result.error(type(e).__name__)
                    continue
                if ok:
                    result.latencies.append(time.perf_counter() - t0)

    await asyncio.wait_for(asyncio.gather(*(worker(i) for i in range(clients))),
                           timeout=seconds + REQUEST_TIMEOUT_S + 5)
    result.elapsed = time.perf_counter() - start
    return result


def main(argv: list[str]) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--clients", type=int, default=50)
    ap.add_argument("--requests", type=int, default=2000, help="requests per target (default 2000)")
    ap.add_argument("--seconds", type=float, default=20.0, help="time limit per target (default 20)")
    args = ap.parse_args(argv[1:])

    port = free_port()
    base = f"http://{HOST}:{port}"
    with tempfile.TemporaryDirectory(prefix="arcxiv-bench-") as tmp:
        folder = Path(tmp)
        log_path = folder / "server.log"
        with open(log_path, "w", encoding="utf-8") as log:
            t0 = time.perf_counter()
            proc = start_server(port, folder, log)
            started = time.perf_counter() - t0
            try:
                results, setup = run(base, args)
            except BaseException:
                print(log_path.read_text(encoding="utf-8", errors="replace")[-3000:], file=sys.stderr)
                raise
            finally:
                stop_server(proc)
        rows = count_rows(folder / "bench.db")
    stored = rows["reviews"]

    lesson, reviews = results
    print(f"arcxiv web benchmark: {args.clients} concurrent clients on {HOST} (loopback), "
          f"at most {args.requests} requests or {args.seconds:.0f} s per target; "
          f"{os.cpu_count()} CPUs shared by server and clients")
    print(f"setup: server answered after {started:.1f} s; {setup}")
    print(lesson.line())
    print(reviews.line())
    met = lesson.pct(99) < LESSON_P99_GOAL_MS
    print(f"goal: lesson page p99 < {LESSON_P99_GOAL_MS:.0f} ms: {lesson.pct(99):.1f} ms -> "
          f"{'MET' if met else 'NOT MET'}")
    consistent = stored == reviews.acknowledged
    print(f"reviews table: {stored} rows; acknowledged reviews: {reviews.acknowledged} -> "
          f"{'consistent' if consistent else 'MISMATCH'}")
    print(f"sessions table: {rows['sessions']} rows (the load reused one session cookie)")
    failed = not consistent or lesson.errors or reviews.errors
    return 1 if failed else 0


def run(base: str, args) -> tuple[tuple[Result, Result], str]:
    with httpx.Client(base_url=base, trust_env=False, timeout=120) as c:
        csrf = c.get("/api/session").json()["csrf"]
        t0 = time.perf_counter()
        r = c.post("/api/papers", json={"text": SEED.read_text(encoding="utf-8")}, headers={"X-CSRF-Token": csrf})
        r.raise_for_status()
        compiled = time.perf_counter() - t0
        key = r.json()["key"]
        lesson_path = f"/papers/{key}/course/lesson-01.html"
        c.get(lesson_path).raise_for_status()  # render it once: the burst measures the cached page
        cards = [card["id"] for card in c.get(f"/api/papers/{key}/curriculum").json()["flashcards"]]
        first = c.get(f"/api/papers/{key}/review").json()["card"]
        assert first is None or first["id"] in cards
        cookies = c.cookies
    setup = f"example compiled in {compiled:.1f} s (key {key}); {len(cards)} cards"
    headers = {"X-CSRF-Token": csrf}

    async def get_lesson(client: httpx.AsyncClient, n: int, result: Result) -> bool:
        r = await client.get(lesson_path)
        if r.status_code != 200 or b"<h1>" not in r.content:
            result.error(f"HTTP {r.status_code}")
            return False
        return True

    async def post_review(client: httpx.AsyncClient, n: int, result: Result) -> bool:
        review_id = uuid.uuid4().hex
        r = await client.post(f"/api/papers/{key}/reviews", headers=headers,
                              json={"card_id": cards[n % len(cards)], "grade": 3, "review_id": review_id})
        if r.status_code != 200:
            result.error(f"HTTP {r.status_code}")
            return False
        body = r.json()
        if body.get("review_id") != review_id or body.get("repeated"):
            result.error("unexpected reply")
            return False
        result.acknowledged += 1
        return True

    async def both() -> tuple[Result, Result]:
        lesson = await burst("(a) GET lesson-01.html (cached)", base, cookies, args.clients, args.requests,
                             args.seconds, get_lesson)
        reviews = await burst("(b) POST /api/papers/{key}/reviews", base, cookies, args.clients, args.requests,
                              args.seconds, post_review)
        return lesson, reviews

    return asyncio.run(both()), setup


def count_rows(db: Path) -> dict[str, int]:
    con = sqlite3.connect(f"file:{db}?mode=ro", uri=True)
    try:
        return {t: con.execute(f"SELECT count(*) FROM {t}").fetchone()[0] for t in ("reviews", "sessions")}
    finally:
        con.close()


if __name__ == "__main__":
    sys.exit(main(sys.argv))
