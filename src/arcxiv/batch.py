"""batch: many papers — a directory of paper files, a JSON-lines file, or lines on stdin.

Each paper gets its own folder, named by its id (or its content hash), written
atomically with a ``.arcxiv-done`` marker holding the content hash and the
compiler version, so a rerun skips finished papers and a killed run never
leaves a half-written folder. A paper that fails is recorded in
``errors.jsonl`` and the batch goes on. Work runs in a local process pool
(spaCy loaded once per worker, papers sent in chunks) or on Ray; both produce
the same bytes.
"""
from __future__ import annotations

import hashlib
import html
import json
import os
import re
import shutil
import sys
import time
from concurrent.futures import ProcessPoolExecutor, as_completed
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path
from typing import Callable, Iterable, Iterator

from . import __version__
from .errors import ArcxivError, InputError
from .ingest.archive import pack_folder
from .outdir import MARKER, is_temp, note_files, start_folder

DONE = ".arcxiv-done"
SUMMARY = "summary.json"
BATCH_FILES = ("index.json", "index.html", "errors.jsonl")
CHUNK = 32  # papers parsed in one spaCy batch, at most (bigger batches parse faster)


@dataclass(frozen=True)
class Job:
    name: str  # the output folder's name
    origin: str  # where the paper came from, for messages
    data: bytes
    fmt: str | None

    @property
    def digest(self) -> str:
        return hashlib.sha256(self.data).hexdigest()


def safe_name(text: str) -> str:
    name = re.sub(r"[^A-Za-z0-9._-]+", "_", text).strip("._")[:100]
    return name or "paper"


def jobs_from(source: str, stdin=None) -> Iterator[Job]:
    """The papers of a directory, a JSON-lines file, or ``-`` (JSON lines on stdin)."""
    if source == "-":
        yield from _lines((stdin or sys.stdin.buffer), "stdin")
        return
    path = Path(source)
    if path.is_dir():
        yield from _folder_jobs(path)
    elif path.is_file():
        with path.open("rb") as f:
            if not _starts_like_json_lines(f):
                raise InputError(f"{source} is one paper, not a JSON-lines file of papers (one arXiv metadata record "
                                 f"per line): compile it with arcxiv compile {source}, or give batch a folder of "
                                 "paper files.")
            yield from _lines(f, str(path))
    else:
        raise InputError(f"{source} is neither a folder of papers nor a JSON-lines file.")


def _folder_jobs(folder: Path) -> Iterator[Job]:
    """Each paper file is a paper; a subfolder with a main .tex file is one paper's LaTeX source."""
    for p in sorted(folder.iterdir()):
        if p.name.startswith("."):
            continue
        if p.is_file():
            yield Job(safe_name(p.stem.removesuffix(".tar")), str(p), p.read_bytes(), None)
        elif p.is_dir() and not p.is_symlink():
            if _is_latex_source(p):
                yield Job(safe_name(p.name), str(p), pack_folder(p, str(p)), "latex")
            else:
                yield from _folder_jobs(p)


def _is_latex_source(folder: Path) -> bool:
    """A main .tex file (with \\documentclass) in the folder or one level down (src/ms.tex)."""
    for tex in [*folder.glob("*.tex"), *folder.glob("*/*.tex")]:
        try:
            with tex.open("rb") as f:
                if b"\\documentclass" in f.read(65536):
                    return True
        except OSError:
            continue
    return False


def _starts_like_json_lines(f) -> bool:
    """The first non-blank line opens a JSON object (the stream is rewound)."""
    for raw in f:
        if raw.strip():
            f.seek(0)
            return raw.lstrip(b"\xef\xbb\xbf \t").startswith(b"{")
    f.seek(0)
    return True  # an empty file: "holds no papers"


def _lines(stream, origin: str) -> Iterator[Job]:
    seen: dict[str, int] = {}
    for n, raw in enumerate(stream, 1):
        line = raw.strip()
        if not line:
            continue
        try:
            record_id = json.loads(line).get("id")
        except (ValueError, AttributeError):
            record_id = None
        name = safe_name(str(record_id)) if record_id else hashlib.sha256(line).hexdigest()[:16]
        seen[name] = seen.get(name, 0) + 1
        if seen[name] > 1:
            name = f"{name}-{seen[name]}"
        yield Job(name, f"{origin}:{n}", line, "arxiv-json")


def is_done(folder: Path, job: Job) -> bool:
    marker = folder / DONE
    try:
        return marker.read_text(encoding="utf-8").split() == [job.digest, __version__]
    except OSError:
        return False


def build_job(job: Job, prepared=None) -> tuple[dict, dict[str, str] | None]:
    """Compile one paper: (its summary, the files of its folder), or (an error record, None).
    ``prepared``: (Paper, parse) when the caller ingested and parsed it already."""
    from .ingest import ingest
    from .pipeline import compile_paper, render_files

    try:
        paper, doc = prepared if prepared else (ingest(job.data, fmt=job.fmt, name=job.origin), None)
        cur = compile_paper(paper, doc=doc)
        summary = {"name": job.name, "id": cur.source.id, "title": cur.source.title, "lessons": len(cur.lessons),
                   "flashcards": len(cur.flashcards), "quiz": len(cur.quiz),
                   "grounding": {"checked": cur.grounding.checked, "passed": cur.grounding.passed}}
        files = render_files(cur)
        files[SUMMARY] = json.dumps(summary, ensure_ascii=False, indent=2) + "\n"
        files[DONE] = f"{job.digest} {__version__}\n"  # written last of all, inside the same atomic move
        return {"ok": True, **summary}, files
    except ArcxivError as e:
        return _failure(job, str(e)), None
    except Exception as e:  # one bad paper never stops the batch
        return _failure(job, f"{e.__class__.__name__}: {e}"), None


def _failure(job: Job, reason: str) -> dict:
    return {"ok": False, "name": job.name, "source": job.origin, "error": reason}


def _written(job: Job, result: dict, files: dict[str, str] | None, out: Path) -> dict:
    """The paper's result once its folder is in place (or why it could not be written)."""
    from .pipeline import write_outputs

    try:
        if files is not None:
            write_outputs(files, out / job.name, kind="batch-paper")
        return result
    except ArcxivError as e:
        return _failure(job, str(e))
    except OSError as e:
        return _failure(job, f"cannot write {job.name}: {e.strerror or e}")


@lru_cache(maxsize=1)  # once per process
def _warm() -> None:
    import gc

    from .analyse import nlp

    nlp.load()
    gc.freeze()  # the model's objects live as long as the worker: keep them out of every collection


def _compile_chunk(jobs: list[Job], out: str) -> list[dict]:
    """Ingest a chunk, parse its papers in one spaCy batch, then compile and write each."""
    from .analyse import nlp
    from .analyse.sentences import split_sentences
    from .ingest import ingest

    _warm()
    papers: dict[int, object] = {}
    for i, j in enumerate(jobs):
        try:
            papers[i] = ingest(j.data, fmt=j.fmt, name=j.origin)
        except ArcxivError:
            pass  # build_job reports it
    order = sorted(papers)
    docs = dict(zip(order, nlp.parse_many([(papers[i].text, split_sentences(papers[i].text)) for i in order])))
    return [_written(j, *build_job(j, (papers[i], docs.pop(i)) if i in papers else None), Path(out))
            for i, j in enumerate(jobs)]


def _chunks(jobs: list[Job], workers: int) -> list[list[Job]]:
    """Up to CHUNK papers a chunk, but at least four chunks a worker, so a short list still spreads."""
    size = max(1, min(CHUNK, -(-len(jobs) // (4 * max(1, workers)))))
    return [jobs[i:i + size] for i in range(0, len(jobs), size)]


def run_local(jobs: list[Job], out: Path, workers: int, report: Callable[[dict], None]) -> None:
    if workers <= 1:
        for chunk in _chunks(jobs, workers):
            for result in _compile_chunk(chunk, str(out)):
                report(result)
        return
    with ProcessPoolExecutor(max_workers=workers, initializer=_warm) as pool:
        futures = [pool.submit(_compile_chunk, chunk, str(out)) for chunk in _chunks(jobs, workers)]
        for f in as_completed(futures):
            for result in f.result():
                report(result)


def run_ray(jobs: list[Job], out: Path, address: str | None, workers: int, report: Callable[[dict], None]) -> None:
    try:
        import ray
    except ImportError:
        raise ArcxivError("the ray engine needs Ray, which is not installed: pip install 'ray==2.60.0' (or, in a "
                          "checkout of ArcXiv, pip install -e '.[ray]')") from None
    started = not ray.is_initialized()
    if started:
        ray.init(address=address, num_cpus=None if address else workers, include_dashboard=False,
                 log_to_driver=False, ignore_reinit_error=True)
    try:
        remote = ray.remote(_compile_chunk)
        cpus = max(1, int(ray.cluster_resources().get("CPU", workers)))
        chunks = iter(_chunks(jobs, cpus))
        limit = 4 * cpus
        pending = [remote.remote(c, str(out)) for c, _ in zip(chunks, range(limit))]
        while pending:  # a bounded window of chunks in flight, collected several at a time
            done, pending = ray.wait(pending, num_returns=min(len(pending), max(1, limit // 4)), timeout=1.0)
            for ref in done:
                for result in ray.get(ref):
                    report(result)
            pending += [remote.remote(c, str(out)) for c, _ in zip(chunks, range(limit - len(pending)))]
    finally:
        if started:
            ray.shutdown()


@dataclass
class BatchResult:
    total: int
    compiled: int
    skipped: int
    failed: int
    seconds: float


def run_batch(source: str, out: Path, engine: str = "local", workers: int = 1, ray_address: str | None = None,
              progress: Callable[[int, int, dict | None], None] | None = None, stdin=None) -> BatchResult:
    if engine not in ("local", "ray"):
        raise InputError(f"unknown engine {engine!r}; choose local or ray.")
    all_jobs = list(jobs_from(source, stdin))
    if not all_jobs:
        raise InputError(f"{source} holds no papers.")
    start_folder(out, "batch")  # a folder of the user's is refused before anything is written
    listed = [j.name for j in all_jobs] + list(BATCH_FILES)
    note_files(out, listed)
    for stale in out.glob(".*"):  # temporary folders of a run that was killed mid-write
        if is_temp(stale.name, listed + [MARKER]):
            shutil.rmtree(stale, ignore_errors=True) if stale.is_dir() else stale.unlink()
    todo = [j for j in all_jobs if not is_done(out / j.name, j)]
    skipped = len(all_jobs) - len(todo)
    counts = {"compiled": 0, "failed": 0}
    errors = (out / "errors.jsonl").open("a", encoding="utf-8")
    start = time.perf_counter()

    def report(result: dict) -> None:
        if result["ok"]:
            counts["compiled"] += 1
        else:
            counts["failed"] += 1
            errors.write(json.dumps({k: result[k] for k in ("name", "source", "error")}, ensure_ascii=False) + "\n")
            errors.flush()
        if progress:
            progress(counts["compiled"] + counts["failed"], len(todo), result)

    try:
        if todo and engine == "ray":  # nothing to do: no Ray, no workers, no model
            run_ray(todo, out, ray_address, workers, report)
        elif todo:
            run_local(todo, out, workers, report)
    finally:
        errors.close()
    write_index(out, all_jobs)
    return BatchResult(len(all_jobs), counts["compiled"], skipped, counts["failed"], time.perf_counter() - start)


def write_index(out: Path, jobs: Iterable[Job]) -> None:
    """index.json and index.html over every finished paper, in input order."""
    papers = []
    for j in jobs:
        try:
            papers.append(json.loads((out / j.name / SUMMARY).read_text(encoding="utf-8")))
        except (OSError, ValueError):
            continue
    _atomic(out / "index.json", json.dumps({"compiler": f"arcxiv {__version__}", "papers": papers},
                                           ensure_ascii=False, indent=2) + "\n")
    rows = "\n".join(
        f'<tr><td><a href="{html.escape(p["name"])}/index.html">{html.escape(p["title"])}</a></td>'
        f'<td>{p["lessons"]}</td><td>{p["flashcards"]}</td><td>{p["quiz"]}</td>'
        f'<td>{p["grounding"]["passed"]}/{p["grounding"]["checked"]}</td></tr>' for p in papers)
    _atomic(out / "index.html", f"""<!doctype html>
<html lang="en"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1">
<title>ArcXiv batch: {len(papers)} papers</title></head>
<body><main><h1>{len(papers)} papers</h1>
<table><thead><tr><th scope="col">Paper</th><th scope="col">Lessons</th><th scope="col">Flashcards</th>
<th scope="col">Quiz items</th><th scope="col">Grounding</th></tr></thead>
<tbody>
{rows}
</tbody></table></main></body></html>
""")


def _atomic(path: Path, text: str) -> None:
    tmp = path.with_name(f".{path.name}.{os.getpid()}.tmp")
    tmp.write_text(text, encoding="utf-8")
    os.replace(tmp, path)
