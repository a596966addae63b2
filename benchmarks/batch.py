"""Batch throughput and memory: ArcXiv's run_batch against spaCy's bare nlp.pipe.

    python benchmarks/batch.py [LINES]        (default 1000)

Builds a JSON-lines file of LINES abstracts in a temp folder (the corpus's
abstracts repeated, each copy with its own "id" so each gets its own output
folder), then measures, each in a fresh Python process so that no model, cache
or allocator state carries over from one measurement to the next:

* ArcXiv: ``run_batch(path, out, workers=N)`` into a fresh output folder,
  wall clock from the call to its return (spaCy load in the workers, every
  paper compiled and written, index.json/html written);
* bare parse, two baselines, each ``model.pipe(texts, n_process=N, batch_size=32)``
  over the same texts (``Paper.text``, what ArcXiv parses), all docs consumed,
  wall clock including the model load and, for N=2, spaCy's multiprocessing
  start-up:
  - "stock": ``spacy.load`` of the model ArcXiv ships (en_core_web_sm 3.8.0),
    every component, named entities included: spaCy's bare ``nlp.pipe``, the
    baseline the goal names;
  - "same pipeline": ``arcxiv.analyse.nlp.load()``, the components ArcXiv
    actually runs (no named entities), a stricter baseline that leaves out
    what ArcXiv saves by skipping them;

for N = 1 and 2. While the N=2 batch runs, a thread samples VmRSS of the
measuring process's children (the pool's workers) from /proc every 0.2 s.
Prints the throughput table (goal: ArcXiv / stock bare >= 0.5; the ratio to the
same-pipeline parse beside it), the same rates per
CPU-second (user + system time of the run's processes, less disturbed than wall
clock when something else shares the machine), peak memory per worker (goal:
under 500 MB) and the parent's peak, and a projection for all of arXiv
(time, and the size of the output). Prints figures only; asserts nothing about
time. Takes about 6 minutes for 1000 lines on 2 cores.
"""
from __future__ import annotations

import json
import os
import resource
import shutil
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path

DEFAULT_CORPUS = Path(__file__).resolve().parents[1] / "tests" / "data" / "abstracts.jsonl"
DEFAULT_LINES = 1000
WORKERS = (1, 2)
BATCH_SIZE = 32  # for nlp.pipe
SAMPLE_S = 0.2
RATIO_GOAL = 0.5
WORKER_MB_GOAL = 500
ARXIV_ABSTRACTS = 2_500_000
RAY_NODES, RAY_CORES = 10, 16  # the projected cluster: 10 nodes x 16 cores, one worker per core


# ---------------------------------------------------------------- memory sampling (no psutil)

def _children(parent: int) -> list[int]:
    kids = []
    for entry in os.listdir("/proc"):
        if not entry.isdigit():
            continue
        try:
            with open(f"/proc/{entry}/stat", "rb") as f:
                stat = f.read()
        except OSError:
            continue
        fields = stat[stat.rfind(b")") + 2:].split()  # after "pid (comm) ": state ppid ...
        if len(fields) > 1 and int(fields[1]) == parent:
            kids.append(int(entry))
    return kids


def _rss_kb(pid: int) -> int | None:
    try:
        with open(f"/proc/{pid}/status", "rb") as f:
            for line in f:
                if line.startswith(b"VmRSS:"):
                    return int(line.split()[1])
    except OSError:
        pass
    return None


def _is_helper(pid: int) -> bool:
    """multiprocessing's resource tracker, not a worker."""
    try:
        with open(f"/proc/{pid}/cmdline", "rb") as f:
            return b"resource_tracker" in f.read()
    except OSError:
        return False


class Sampler(threading.Thread):
    """VmRSS of this process and of its children (workers), every SAMPLE_S seconds."""

    def __init__(self) -> None:
        super().__init__(daemon=True)
        self.me = os.getpid()
        self.samples: list[tuple[float, int, int]] = []  # (time, pid, kB)
        self.helpers: set[int] = set()
        self._halt = threading.Event()

    def run(self) -> None:
        while not self._halt.is_set():
            self.sample()
            self._halt.wait(SAMPLE_S)
        self.sample()

    def sample(self) -> None:
        now = time.perf_counter()
        for pid in [self.me, *_children(self.me)]:
            if pid != self.me and pid not in self.helpers and _is_helper(pid):
                self.helpers.add(pid)
            rss = _rss_kb(pid)
            if rss is not None and pid not in self.helpers:
                self.samples.append((now, pid, rss))

    def stop(self) -> None:
        self._halt.set()
        self.join()

    def peaks_mb(self) -> dict[int, float]:
        peaks: dict[int, int] = {}
        for _, pid, kb in self.samples:
            if pid != self.me:
                peaks[pid] = max(peaks.get(pid, 0), kb)
        return {pid: kb / 1024 for pid, kb in peaks.items()}

    def rss_at_mb(self, pid: int, t: float) -> float | None:
        """The last sample of ``pid`` taken at or before ``t``."""
        last = None
        for when, p, kb in self.samples:
            if p == pid and when <= t:
                last = kb
        return None if last is None else last / 1024


def _cpu_s() -> float:
    """User + system CPU seconds of this process and its finished (joined) children."""
    me, kids = resource.getrusage(resource.RUSAGE_SELF), resource.getrusage(resource.RUSAGE_CHILDREN)
    return me.ru_utime + me.ru_stime + kids.ru_utime + kids.ru_stime


def _maxrss_mb(who: int) -> float:
    kb = resource.getrusage(who).ru_maxrss  # kB on Linux
    return kb / 1024


# ---------------------------------------------------------------- one measurement, in its own process

def measure_arcxiv(path: str, out: str, workers: int) -> dict:
    from arcxiv.batch import run_batch

    sampler = Sampler()
    done_at: list[float] = []
    sampler.start()
    cpu0 = _cpu_s()
    t0 = time.perf_counter()
    result = run_batch(path, Path(out), workers=workers, progress=lambda i, n, r: done_at.append(time.perf_counter()))
    seconds = time.perf_counter() - t0
    cpu = _cpu_s() - cpu0
    sampler.stop()
    # RSS growth while compiling: each worker's RSS when a quarter of the papers were done vs its peak.
    growth = {}
    if len(done_at) >= 8:
        quarter = done_at[len(done_at) // 4]
        pids = list(sampler.peaks_mb()) or [sampler.me]
        for pid in pids:
            at_quarter = sampler.rss_at_mb(pid, quarter)
            at_end = max((kb for _, p, kb in sampler.samples if p == pid), default=0) / 1024
            if at_quarter is not None:
                growth[pid] = (at_quarter, at_end)
    files = [f for f in Path(out).rglob("*") if f.is_file()]  # after the clock stopped
    return {
        "out_files": len(files), "out_bytes": sum(f.stat().st_size for f in files),
        "seconds": seconds, "cpu_s": cpu, "total": result.total, "compiled": result.compiled, "failed": result.failed,
        "skipped": result.skipped, "first_result_s": (done_at[0] - t0) if done_at else None,
        "worker_peaks_mb": sampler.peaks_mb(), "helpers": len(sampler.helpers),
        "self_peak_mb": _maxrss_mb(resource.RUSAGE_SELF), "children_peak_mb": _maxrss_mb(resource.RUSAGE_CHILDREN),
        "growth": growth, "done_between_quarter_and_end": len(done_at) - len(done_at) // 4,
    }


def measure_bare(path: str, workers: int, baseline: str) -> dict:
    import spacy

    from arcxiv.analyse import nlp
    from arcxiv.ingest import ingest

    lines = [line for line in Path(path).read_bytes().split(b"\n") if line.strip()]
    texts = [ingest(line, fmt="arxiv-json", name=f"line {i}").text for i, line in enumerate(lines, 1)]
    sampler = Sampler()
    sampler.start()
    cpu0 = _cpu_s()
    t0 = time.perf_counter()
    model = spacy.load(nlp.MODEL) if baseline == "stock" else nlp.load()
    load_s = time.perf_counter() - t0
    count = 0
    for _ in model.pipe(texts, n_process=workers, batch_size=BATCH_SIZE):
        count += 1
    seconds = time.perf_counter() - t0
    cpu = _cpu_s() - cpu0
    sampler.stop()
    return {"seconds": seconds, "cpu_s": cpu, "load_s": load_s, "total": count, "worker_peaks_mb": sampler.peaks_mb(),
            "components": list(model.pipe_names),
            "self_peak_mb": _maxrss_mb(resource.RUSAGE_SELF),
            "words": statistics.median(len(t.split()) for t in texts)}


def _run_measure(argv: list[str]) -> int:
    kind, workers, path = argv[0], int(argv[1]), argv[2]
    if kind == "arcxiv":
        result = measure_arcxiv(path, argv[3], workers)
    else:
        result = measure_bare(path, workers, kind)
    print(json.dumps(result))
    return 0


def measure(kind: str, workers: int, path: Path, out: Path | None = None) -> dict:
    cmd = [sys.executable, __file__, "--measure", kind, str(workers), str(path)] + ([str(out)] if out else [])
    print(f"  {kind:<6} N={workers} ... ", end="", flush=True)
    load = os.getloadavg()[0]
    proc = subprocess.run(cmd, stdout=subprocess.PIPE, text=True, check=True)
    result = json.loads(proc.stdout.strip().splitlines()[-1])
    result["loadavg_before"] = load
    print(f"{result['seconds']:.1f} s wall, {result['cpu_s']:.1f} CPU s "
          f"(1-min load average before: {load:.2f}, after: {os.getloadavg()[0]:.2f})", flush=True)
    return result


# ---------------------------------------------------------------- the benchmark

def build_input(corpus: Path, lines: int, folder: Path) -> Path:
    records = [json.loads(line) for line in corpus.read_bytes().split(b"\n") if line.strip()]
    path = folder / "abstracts.jsonl"
    with path.open("w", encoding="utf-8") as f:
        for i in range(lines):
            rec = dict(records[i % len(records)])
            rec["id"] = f"{rec.get('id') or 'paper'}-copy{i // len(records):04d}"
            f.write(json.dumps(rec, ensure_ascii=False) + "\n")
    return path


def _hms(seconds: float) -> str:
    if seconds >= 86400:
        return f"{seconds / 86400:.1f} days"
    if seconds >= 3600:
        return f"{seconds / 3600:.1f} hours"
    return f"{seconds / 60:.1f} minutes"


def main(argv: list[str]) -> int:
    if len(argv) > 1 and argv[1] == "--measure":
        return _run_measure(argv[2:])
    lines = int(argv[1]) if len(argv) > 1 else DEFAULT_LINES
    corpus = DEFAULT_CORPUS
    tmp = Path(tempfile.mkdtemp(prefix="arcxiv-batch-bench-"))
    try:
        path = build_input(corpus, lines, tmp)
        distinct = sum(1 for line in corpus.read_bytes().split(b"\n") if line.strip())
        avg_line = path.stat().st_size / lines
        print(f"input: {lines} abstracts ({distinct} distinct from {corpus}, repeated with distinct ids), "
              f"{avg_line:.0f} bytes a line")
        print(f"machine: {os.cpu_count()} CPUs; Python {sys.version.split()[0]}; each measurement in a fresh process")
        print()
        arc: dict[int, dict] = {}
        bare: dict[int, dict] = {}  # the stock pipeline: spaCy's bare nlp.pipe
        same: dict[int, dict] = {}  # the components ArcXiv runs
        t_all = time.perf_counter()
        for n in WORKERS:
            bare[n] = measure("stock", n, path)
            same[n] = measure("same", n, path)
            arc[n] = measure("arcxiv", n, path, tmp / f"out-{n}")  # a fresh output folder each time
            shutil.rmtree(tmp / f"out-{n}", ignore_errors=True)
        print(f"  (all measurements: {time.perf_counter() - t_all:.0f} s)")
        print()

        for n in WORKERS:
            r = arc[n]
            if r["compiled"] != lines or r["failed"]:
                print(f"NOTE: N={n}: {r['compiled']} compiled, {r['failed']} failed, {r['skipped']} skipped of {lines}")
        print(f"median words a text: {bare[1]['words']:.0f}; model load: stock {bare[1]['load_s']:.2f} s, same "
              f"pipeline {same[1]['load_s']:.2f} s (included in every column: ArcXiv loads it in each worker)")
        print(f"stock pipeline: {', '.join(bare[1]['components'])}; ArcXiv's: {', '.join(same[1]['components'])}")
        print()
        print(f"{'N':>3}{'ArcXiv':>9}{'stock parse':>13}{'ratio':>7}   goal >= {RATIO_GOAL}"
              f"{'same-pipeline parse':>24}{'ratio':>7}   (abstracts/s)")
        rate = {}
        for n in WORKERS:
            a = lines / arc[n]["seconds"]
            b = lines / bare[n]["seconds"]
            c = lines / same[n]["seconds"]
            rate[n] = a
            print(f"{n:>3}{a:>9.2f}{b:>13.2f}{a / b:>7.2f}   {'met' if a / b >= RATIO_GOAL else 'NOT met':<10}"
                  f"{c:>21.2f}{a / c:>7.2f}")
        print("    CPU time (all processes of the run), abstracts per CPU-second: ArcXiv " + ", ".join(
            f"N={n} {lines / arc[n]['cpu_s']:.2f}" for n in WORKERS) + "; stock " + ", ".join(
            f"N={n} {lines / bare[n]['cpu_s']:.2f}" for n in WORKERS) + "; same pipeline " + ", ".join(
            f"N={n} {lines / same[n]['cpu_s']:.2f}" for n in WORKERS) + " (less sensitive than wall clock to other load)")
        print(f"    speed-up 1 -> 2 workers: ArcXiv x{rate[2] / rate[1]:.2f}, "
              f"stock x{bare[1]['seconds'] / bare[2]['seconds']:.2f}, same pipeline x{same[1]['seconds'] / same[2]['seconds']:.2f}")
        for n in WORKERS:
            if arc[n]["first_result_s"] is not None:
                print(f"    ArcXiv N={n}: first paper done after {arc[n]['first_result_s']:.2f} s")
        print()

        r2 = arc[2]
        peaks = r2["worker_peaks_mb"]
        print(f"memory, ArcXiv N=2 (VmRSS of the pool's workers sampled every {SAMPLE_S} s; goal < {WORKER_MB_GOAL} MB "
              f"each):")
        for i, (pid, mb) in enumerate(sorted(peaks.items()), 1):
            print(f"  worker {i} (pid {pid}): peak {mb:.0f} MB   {'met' if mb < WORKER_MB_GOAL else 'NOT met'}")
        if r2["helpers"]:
            print(f"  ({r2['helpers']} multiprocessing helper process(es) not counted)")
        print(f"  largest finished child (getrusage RUSAGE_CHILDREN): {r2['children_peak_mb']:.0f} MB")
        print(f"  parent peak (getrusage RUSAGE_SELF): {r2['self_peak_mb']:.0f} MB")
        papers_each = r2["done_between_quarter_and_end"] / max(1, len(peaks))  # per worker, last three quarters
        for pid, (q, e) in sorted(r2["growth"].items() if papers_each >= 200 else []):
            per_k = (e - q) / max(1.0, papers_each) * 1000
            print(f"  worker pid {pid}: {q:.0f} MB at 25% done -> {e:.0f} MB peak "
                  f"(~{per_k:+.1f} MB per 1,000 of its papers; {distinct} distinct texts, so vocab growth is understated)")
        print(f"  for comparison, ArcXiv N=1 (all in the parent): {arc[1]['self_peak_mb']:.0f} MB; "
              f"bare stock spaCy N=2 workers: " + ", ".join(f"{mb:.0f} MB" for mb in sorted(bare[2]['worker_peaks_mb'].values())))
        print()

        per_worker = rate[2] / 2
        one = ARXIV_ABSTRACTS / rate[2]
        cluster_workers = RAY_NODES * RAY_CORES
        cluster = ARXIV_ABSTRACTS / (per_worker * cluster_workers)
        worst = max(peaks.values()) if peaks else 0
        print(f"projection for all of arXiv (~{ARXIV_ABSTRACTS:,} abstracts):")
        print(f"  this machine, 2 workers, {rate[2]:.2f} abstracts/s measured: {_hms(one)}")
        print(f"  Ray cluster of {RAY_NODES} nodes x {RAY_CORES} cores = {cluster_workers} workers, assuming linear "
              f"scaling per core")
        print(f"    at the measured {per_worker:.2f} abstracts/s per worker (N=2 rate / 2), same-speed cores, no Ray "
              f"overhead: {_hms(cluster)}")
        cpu_rate = lines / arc[2]["cpu_s"]
        print(f"    at {cpu_rate:.2f} abstracts per CPU-second (N=2 run, all its processes), one worker a core: "
              f"{_hms(ARXIV_ABSTRACTS / (cpu_rate * cluster_workers))}")
        print(f"    memory per node at the measured worker peak: {RAY_CORES} x {worst:.0f} MB = "
              f"{RAY_CORES * worst / 1024:.1f} GB")
        bare_per_worker = lines / bare[2]["seconds"] / 2
        print(f"  (bare stock spaCy parse on the same cluster at {bare_per_worker:.2f}/s per worker: "
              f"{_hms(ARXIV_ABSTRACTS / (bare_per_worker * cluster_workers))})")
        out_files, out_bytes = arc[2]["out_files"], arc[2]["out_bytes"]
        print(f"  output: {out_files:,} files, {out_bytes / 1e6:.0f} MB for {lines:,} papers -> "
              f"~{out_files / lines * ARXIV_ABSTRACTS / 1e6:.0f} million files, "
              f"~{out_bytes / lines * ARXIV_ABSTRACTS / 1e9:.0f} GB for all of arXiv")
        print(f"  run_batch holds every job's bytes in the parent before starting: ~{ARXIV_ABSTRACTS * avg_line / 1e9:.1f} "
              f"GB of input lines for {ARXIV_ABSTRACTS:,} abstracts of this size")
    finally:
        shutil.rmtree(tmp, ignore_errors=True)
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
