"""Many papers: outputs per paper, resume, errors, stdin, a real kill, and Ray giving the same bytes."""
from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

from arcxiv.batch import DONE, run_batch

from .conftest import SEED, corpus_lines

ARCXIV = Path(sys.executable).parent / "arcxiv"


def files_of(folder: Path) -> dict[str, bytes]:
    return {str(p.relative_to(folder)): p.read_bytes() for p in sorted(folder.rglob("*")) if p.is_file()}


@pytest.fixture()
def small(tmp_path) -> Path:
    lines = corpus_lines()[:4] + ['{"id": "broken-1", "title": "x", "abstract": ""}', "{not json"]
    path = tmp_path / "papers.jsonl"
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return path


def test_local_batch_outputs_index_errors_and_resume(small, tmp_path):
    out = tmp_path / "out"
    first = run_batch(str(small), out, workers=2)
    assert (first.total, first.compiled, first.failed, first.skipped) == (6, 4, 2, 0)
    index = json.loads((out / "index.json").read_text(encoding="utf-8"))
    assert len(index["papers"]) == 4
    for p in index["papers"]:
        folder = out / p["name"]
        assert (folder / "curriculum.json").is_file() and (folder / "index.html").is_file() and (folder / DONE).is_file()
        assert 3 <= p["lessons"] <= 12 and p["grounding"]["passed"] == p["grounding"]["checked"]
        assert p["title"] in (out / "index.html").read_text(encoding="utf-8")
    errors = [json.loads(l) for l in (out / "errors.jsonl").read_text(encoding="utf-8").splitlines()]
    assert {e["name"] for e in errors} >= {"broken-1"} and all(e["error"] for e in errors)
    named = json.loads(corpus_lines()[0])["id"]
    before = files_of(out / named)
    again = run_batch(str(small), out, workers=1)
    assert (again.compiled, again.skipped) == (0, 4)  # done papers are skipped; the broken ones are retried
    assert files_of(out / named) == before


def test_cli_exit_code_and_stdin(small, tmp_path):
    r = subprocess.run([str(ARCXIV), "batch", str(small), "-o", str(tmp_path / "a")], capture_output=True, text=True)
    assert r.returncode == 4 and "2 failed" in r.stderr and "Traceback" not in r.stderr
    lines = "\n".join(corpus_lines()[:2]) + "\n"
    r = subprocess.run([str(ARCXIV), "batch", "-", "-o", str(tmp_path / "b")], input=lines, capture_output=True, text=True)
    assert r.returncode == 0, r.stderr
    assert len(json.loads((tmp_path / "b" / "index.json").read_text())["papers"]) == 2
    r = subprocess.run([str(ARCXIV), "batch", str(tmp_path / "nothing"), "-o", str(tmp_path / "c")],
                       capture_output=True, text=True)
    assert r.returncode == 2 and "neither a folder" in r.stderr


def test_a_folder_of_paper_files(tmp_path):
    src = tmp_path / "papers"
    src.mkdir()
    (src / "seed.txt").write_bytes(SEED.read_bytes())
    (src / "empty.txt").write_bytes(b"")
    result = run_batch(str(src), tmp_path / "out")
    assert (result.compiled, result.failed) == (1, 1)
    assert (tmp_path / "out" / "seed" / "curriculum.json").is_file()


def test_a_folder_of_whole_papers(tmp_path):
    """A PDF, a JATS file, a LaTeX source archive and a LaTeX source folder: each one paper, compiled
    from its own sections; the source folder's .tex and .bib files are not papers of their own."""
    import shutil

    fulltext = Path(__file__).parent / "data" / "fulltext"
    src = tmp_path / "papers"
    src.mkdir()
    shutil.copy(fulltext / "pdf" / "rescience-2020-essential-genes.pdf", src)
    shutil.copy(fulltext / "jats" / "plosone-2015-kramers-moyal-noise.xml", src)
    shutil.copytree(fulltext / "latex" / "rqtl2-paper", src / "rqtl2")
    from arcxiv.ingest.archive import pack_folder
    import gzip
    (src / "sympy.tar.gz").write_bytes(gzip.compress(pack_folder(fulltext / "latex" / "sympy-paper", "sympy")))
    result = run_batch(str(src), tmp_path / "out", workers=1)
    assert (result.compiled, result.failed) == (4, 0)
    titles = {}
    for name in ("rescience-2020-essential-genes", "plosone-2015-kramers-moyal-noise", "rqtl2", "sympy"):
        cur = json.loads((tmp_path / "out" / name / "curriculum.json").read_text(encoding="utf-8"))
        titles[name] = (cur["source"]["format"], cur["sections"][0]["title"])
    assert titles == {"rescience-2020-essential-genes": ("pdf", "Abstract"),
                      "plosone-2015-kramers-moyal-noise": ("jats", "Abstract"),
                      "rqtl2": ("latex", "Abstract"), "sympy": ("latex", "Abstract")}


def test_killed_batch_leaves_no_half_written_paper(tmp_path):
    many = tmp_path / "many.jsonl"
    many.write_text("".join(l + "\n" for l in corpus_lines()), encoding="utf-8")
    out = tmp_path / "out"
    proc = subprocess.Popen([str(ARCXIV), "batch", str(many), "-o", str(out)], stdout=subprocess.DEVNULL,
                            stderr=subprocess.DEVNULL)
    deadline = time.time() + 60
    while time.time() < deadline and len(list(out.glob(f"*/{DONE}"))) < 3:
        time.sleep(0.05)
    os.kill(proc.pid, signal.SIGKILL)
    proc.wait()
    for folder in (p for p in out.iterdir() if p.is_dir() and not p.name.startswith(".")):
        assert (folder / DONE).is_file(), f"{folder.name} is half-written"
        json.loads((folder / "curriculum.json").read_text(encoding="utf-8"))
    # a temporary folder killed between its marker and its rename is not a finished paper
    done_before = {p.parent.name for p in out.glob(f"*/{DONE}") if not p.parent.name.startswith(".")}
    result = run_batch(str(many), out)
    assert result.skipped == len(done_before) and result.compiled == len(corpus_lines()) - len(done_before)
    assert not [p for p in out.iterdir() if p.name.startswith(".") and p.is_dir()]
    clean = tmp_path / "clean"  # the resumed output is exactly what one uninterrupted run writes
    run_batch(str(many), clean)
    for folder in (p for p in clean.iterdir() if p.is_dir()):
        assert files_of(out / folder.name) == files_of(folder), folder.name


def test_ray_gives_the_same_bytes_as_local(tmp_path):
    pytest.importorskip("ray")
    few = tmp_path / "few.jsonl"
    few.write_text("".join(l + "\n" for l in corpus_lines()[:3]), encoding="utf-8")
    run_batch(str(few), tmp_path / "local", workers=1)
    run_batch(str(few), tmp_path / "ray", engine="ray", workers=2)
    for name in (json.loads(l)["id"] for l in corpus_lines()[:3]):
        assert files_of(tmp_path / "local" / name) == files_of(tmp_path / "ray" / name)
