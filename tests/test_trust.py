"""Trust on first use: ArcXiv never deletes or replaces what it did not write, never reads paper
text as console markup, and answers every mistaken command with one clear sentence."""
from __future__ import annotations

import json
import os
import shutil
import socket
import stat
import subprocess
import sys
from pathlib import Path

import pytest

from .conftest import CORPUS, ROOT, SEED
from .test_cli import ARCXIV, flat, run

ABSTRACT = "We prove that the method converges. It is fast and simple.\n"


def _tree(folder: Path) -> dict[str, bytes]:
    return {p.relative_to(folder).as_posix(): p.read_bytes() for p in sorted(folder.rglob("*")) if p.is_file()}


@pytest.fixture(scope="module")
def course(tmp_path_factory) -> Path:
    out = tmp_path_factory.mktemp("course") / "out"
    assert run("compile", SEED, "-o", out).returncode == 0
    return out


def _copy(course: Path, tmp_path: Path) -> Path:
    out = tmp_path / "course"
    shutil.copytree(course, out)
    return out


# --------------------------------------------------------------------------- never lose a user's files
def test_compile_into_the_current_folder_is_refused(tmp_path):
    paper = tmp_path / "paper.txt"
    paper.write_text(ABSTRACT, encoding="utf-8")
    before = _tree(tmp_path)
    result = run("compile", "paper.txt", "-o", ".", cwd=tmp_path)
    assert result.returncode == 2
    assert "ArcXiv did not write" in flat(result.stderr) and "Traceback" not in result.stderr
    assert _tree(tmp_path) == before


def test_compile_into_a_users_folder_is_refused(tmp_path):
    docs = tmp_path / "mydocs"
    docs.mkdir()
    (docs / "keep.txt").write_text("mine", encoding="utf-8")
    result = run("compile", SEED, "-o", docs)
    assert result.returncode == 2 and "choose a new or empty folder" in flat(result.stderr)
    assert _tree(docs) == {"keep.txt": b"mine"}


@pytest.mark.parametrize("name", ["notes.txt", "paper.txt"])
def test_a_file_as_output_is_refused(tmp_path, name):
    target = tmp_path / name
    target.write_text(ABSTRACT, encoding="utf-8")
    result = run("compile", tmp_path / "paper.txt" if name == "paper.txt" else SEED, "-o", target)
    assert result.returncode == 2 and "is a file, not a folder" in flat(result.stderr)
    assert target.read_text(encoding="utf-8") == ABSTRACT


def test_an_empty_folder_and_arcxivs_own_folder_are_written(course, tmp_path):
    empty = tmp_path / "empty"
    empty.mkdir()
    assert run("compile", SEED, "-o", empty).returncode == 0
    assert (empty / "curriculum.json").is_file()
    again = _copy(course, tmp_path)
    (again / "lesson-01.html").write_text("stale", encoding="utf-8")  # ArcXiv's own file, changed: replaced
    assert run("compile", SEED, "-o", again).returncode == 0
    assert _tree(again) == _tree(course)


def test_a_course_the_user_added_to_is_not_replaced(course, tmp_path):
    out = _copy(course, tmp_path)
    (out / "my-notes.md").write_text("mine", encoding="utf-8")
    result = run("compile", SEED, "-o", out)
    assert result.returncode == 2 and "'my-notes.md', which ArcXiv did not write" in flat(result.stderr)
    assert (out / "my-notes.md").read_text(encoding="utf-8") == "mine"


def test_export_into_a_course_folder_adds_to_it(course, tmp_path):
    out = _copy(course, tmp_path)
    before = _tree(out)
    result = run("export", out / "curriculum.json", "--to", "anki", "-o", out)
    assert result.returncode == 0, result.stderr
    after = _tree(out)
    assert {k: v for k, v in after.items() if k in before and k != ".arcxiv-output"} == \
        {k: v for k, v in before.items() if k != ".arcxiv-output"}
    added = set(after) - set(before)
    assert added == {"feature-learning-in-wide-neural-networks-under-μp.apkg"}
    # the course, with its export, is still ArcXiv's own: a recompile may replace it, an export may be redone
    assert run("export", out / "curriculum.json", "--to", "csv", "-o", out).returncode == 0
    assert run("compile", SEED, "-o", out).returncode == 0


def test_export_next_to_the_course_keeps_the_course_replaceable(course, tmp_path):
    out = _copy(course, tmp_path)
    for _ in range(2):  # a second export of the same format replaces its own folder
        assert run("export", out / "curriculum.json", "--to", "qti").returncode == 0
    assert (out / "export-qti" / "qti" / "imsmanifest.xml").is_file()
    assert run("compile", SEED, "-o", out).returncode == 0


def test_export_into_a_users_folder_is_refused(course, tmp_path):
    docs = tmp_path / "docs"
    docs.mkdir()
    (docs / "thesis.tex").write_text("mine", encoding="utf-8")
    result = run("export", course / "curriculum.json", "--to", "gift", "-o", docs)
    assert result.returncode == 2 and _tree(docs) == {"thesis.tex": b"mine"}


def test_batch_output_follows_the_same_rule(course, tmp_path):
    lines = tmp_path / "two.jsonl"
    lines.write_text("".join(CORPUS.read_text(encoding="utf-8").splitlines(keepends=True)[:2]), encoding="utf-8")
    docs = tmp_path / "docs"
    docs.mkdir()
    (docs / "keep.txt").write_text("mine", encoding="utf-8")
    assert run("batch", lines, "-o", docs).returncode == 2
    assert _tree(docs) == {"keep.txt": b"mine"}
    assert run("batch", lines, "-o", course).returncode == 2  # a course is not a batch folder
    out = tmp_path / "batch"
    assert run("batch", lines, "-o", out).returncode == 0
    (out / "mine.txt").write_text("mine", encoding="utf-8")
    result = run("batch", lines, "-o", out)
    assert result.returncode == 2 and "'mine.txt', which ArcXiv did not write" in flat(result.stderr)
    (out / "mine.txt").unlink()
    assert "2 already done" in flat(run("batch", lines, "-o", out).stderr)


@pytest.mark.parametrize("umask, mode", [(0o022, 0o755), (0o027, 0o750)])
def test_output_folders_get_the_users_umask(tmp_path, umask, mode):
    out = tmp_path / "out"
    code = (f"import os, sys; os.umask({umask}); from arcxiv.cli import main; "
            f"sys.argv = ['arcxiv', 'compile', {str(SEED)!r}, '-o', {str(out)!r}]; main()")
    subprocess.run([sys.executable, "-c", code], check=True, capture_output=True, timeout=120)
    assert stat.S_IMODE(out.stat().st_mode) == mode
    assert stat.S_IMODE((out / "assets").stat().st_mode) == mode


# --------------------------------------------------------------------------- paper text is not console markup
def test_titles_and_paths_are_printed_as_written(tmp_path):
    paper = tmp_path / "paper[draft].txt"
    paper.write_text("A [/] study of [red]colour[/red] markup\nWe prove that the method converges. It is fast.\n",
                     encoding="utf-8")
    result = run("compile", paper, "-o", tmp_path / "out")
    assert result.returncode == 0, result.stderr
    text = flat(result.stderr)
    assert "paper[draft].txt" in text and "“A [/] study of [red]colour[/red] markup”" in text
    dive = run("deep-dive", paper, "--section", "overview")
    assert dive.returncode == 0 and "MarkupError" not in dive.stderr
    missing = run("compile", tmp_path / "gone[x].txt", "-o", tmp_path / "o2")
    assert missing.returncode == 2 and "gone[x].txt does not exist" in flat(missing.stderr)


def test_the_ray_hint_is_a_command_that_works(monkeypatch, tmp_path):
    import builtins

    from arcxiv.batch import run_ray
    from arcxiv.errors import ArcxivError

    real = builtins.__import__
    monkeypatch.setattr(builtins, "__import__",
                        lambda name, *a, **k: (_ for _ in ()).throw(ImportError(name)) if name == "ray" else
                        real(name, *a, **k))
    with pytest.raises(ArcxivError) as e:
        run_ray([], tmp_path, None, 1, lambda r: None)
    assert "pip install 'ray==2.60.0'" in str(e.value) and "pip install -e '.[ray]'" in str(e.value)


# --------------------------------------------------------------------------- commands and messages
def test_version_and_short_help():
    from arcxiv import __version__

    assert run("--version").stdout.strip() == f"arcxiv {__version__}"
    for args in (["-h"], ["compile", "-h"], ["batch", "-h"], ["serve", "-h"]):
        shown = run(*args)
        assert shown.returncode == 0 and "Usage:" in shown.stdout and "<bool>" not in shown.stdout


def test_compile_reads_standard_input(tmp_path):
    out = tmp_path / "out"
    result = subprocess.run([str(ARCXIV), "compile", "-", "-o", str(out)], input=SEED.read_bytes(),
                            capture_output=True, timeout=120)
    assert result.returncode == 0, result.stderr
    assert json.loads((out / "curriculum.json").read_text(encoding="utf-8"))["source"]["title"].startswith(
        "Feature Learning in Wide Neural Networks")


@pytest.mark.parametrize("content, expected", [
    ("\\documentclass{article}\n\\usepackage{amsmath}\n\\begin{document}\n\\maketitle\n\\end{document}\n",
     "has no text to teach"),
    ("Deep Learning for Cats and Dogs\n", "a title alone is not enough"),
    ("Deep Learning for Cats and Dogs\nAbstract\n", "a title alone is not enough"),
])
def test_inputs_that_are_not_an_abstract_are_refused(tmp_path, content, expected):
    paper = tmp_path / "paper.tex"
    paper.write_text(content, encoding="utf-8")
    result = run("compile", paper, "-o", tmp_path / "out")
    assert result.returncode == 2 and expected in flat(result.stderr)
    assert not (tmp_path / "out").exists()


@pytest.mark.parametrize("given", ["https://arxiv.org/abs/2609.17939", "2609.17939", "arXiv:2609.17939v1",
                                   "math/0601001"])
def test_a_url_or_arxiv_id_says_arcxiv_works_offline(tmp_path, given):
    result = run("compile", given, "-o", tmp_path / "out")
    text = flat(result.stderr)
    assert result.returncode == 2 and f"{given} is not a file here, and ArcXiv works offline" in text
    assert "Atom response" in text


def test_batch_on_one_paper_file_points_to_compile(tmp_path):
    result = run("batch", SEED, "-o", tmp_path / "out")
    assert result.returncode == 2 and f"compile it with arcxiv compile {SEED}" in flat(result.stderr)
    assert not (tmp_path / "out").exists()


def test_batch_rerun_of_a_finished_batch_loads_nothing(tmp_path):
    lines = tmp_path / "one.jsonl"
    lines.write_text(CORPUS.read_text(encoding="utf-8").splitlines()[0] + "\n", encoding="utf-8")
    out = tmp_path / "out"
    assert run("batch", lines, "-o", out).returncode == 0
    code = ("import sys; from pathlib import Path; from arcxiv.batch import run_batch; "
            f"r = run_batch({str(lines)!r}, Path({str(out)!r})); "
            "print(r.skipped, 'spacy' in sys.modules)")
    shown = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True, timeout=120)
    assert shown.stdout.split() == ["1", "False"]


def test_serve_port_out_of_range_and_busy(tmp_path):
    bad = run("serve", "--port", "99999")
    assert bad.returncode == 2 and "--port" in bad.stderr and "65535" in bad.stderr
    with socket.socket() as taken:
        taken.bind(("127.0.0.1", 0))
        taken.listen(1)
        port = taken.getsockname()[1]
        env = {**os.environ, "ARCXIV_DATA": str(tmp_path)}
        busy = subprocess.run([str(ARCXIV), "serve", "--port", str(port)], capture_output=True, text=True,
                              timeout=60, env=env)
    assert busy.returncode == 5
    assert "another program is using that port" in flat(busy.stderr) and "ArcXiv on http" not in busy.stderr


@pytest.mark.parametrize("make, expected", [
    (lambda d: d / "missing.json", "does not exist."),
    (lambda d: d, "is a folder; give the curriculum.json inside it."),
])
def test_verify_says_what_is_wrong_in_words(tmp_path, make, expected):
    result = run("verify", make(tmp_path))
    assert result.returncode == 2 and expected in flat(result.stderr) and "Errno" not in result.stderr


def test_export_refuses_a_curriculum_that_fails_verify(course, tmp_path):
    data = json.loads((course / "curriculum.json").read_text(encoding="utf-8"))
    first = data["lessons"][0]["blocks"][0]["statements"][0]
    first["text"] = first["text"] + " It is always false."
    bad = tmp_path / "curriculum.json"
    bad.write_text(json.dumps(data, ensure_ascii=False), encoding="utf-8")
    assert run("verify", bad).returncode == 3
    result = run("export", bad, "--to", "anki", "-o", tmp_path / "deck")
    assert result.returncode == 2 and "fails its grounding check" in flat(result.stderr)
    assert not (tmp_path / "deck").exists()


def test_deep_dive_sections_are_numbered_as_their_titles():
    shown = run("deep-dive", SEED, "--section", "4")
    assert shown.returncode == 0 and shown.stdout.startswith("## Deep dive: Result 4:")
    unknown = run("deep-dive", SEED, "--section", "9")
    text = flat(unknown.stderr)
    assert unknown.returncode == 2 and "1 or part-1 (Result 1:" in text and "overview (Overview)" in text


# --------------------------------------------------------------------------- the checkout is whole
def test_tests_need_nothing_outside_the_checkout():
    """No test or benchmark reads ../shared for data it needs; the shared folder may only add optional corpora."""
    for path in [*(ROOT / "tests").glob("*.py"), *(ROOT / "benchmarks").glob("*.py")]:
        text = path.read_text(encoding="utf-8")
        assert "parents[2] / " + '"shared"' not in text, path.name
