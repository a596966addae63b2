"""End-to-end tests of the installed ``arcxiv`` console script, run as a subprocess
against real files: exit codes, stderr messages, and what lands on disk."""
from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

ARCXIV = Path(sys.executable).parent / "arcxiv"
from .conftest import CORPUS, SEED
MAX_BYTES = 5 * 1024 * 1024

ABSTRACT = "We prove that the method converges. It is fast and simple."

BILLION_LAUGHS = """<?xml version="1.0"?>
<!DOCTYPE lolz [
 <!ENTITY lol "lol">
 <!ENTITY lol1 "&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;">
 <!ENTITY lol2 "&lol1;&lol1;&lol1;&lol1;&lol1;&lol1;&lol1;&lol1;&lol1;&lol1;">
 <!ENTITY lol3 "&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;">
 <!ENTITY lol4 "&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;">
 <!ENTITY lol5 "&lol4;&lol4;&lol4;&lol4;&lol4;&lol4;&lol4;&lol4;&lol4;&lol4;">
 <!ENTITY lol6 "&lol5;&lol5;&lol5;&lol5;&lol5;&lol5;&lol5;&lol5;&lol5;&lol5;">
 <!ENTITY lol7 "&lol6;&lol6;&lol6;&lol6;&lol6;&lol6;&lol6;&lol6;&lol6;&lol6;">
 <!ENTITY lol8 "&lol7;&lol7;&lol7;&lol7;&lol7;&lol7;&lol7;&lol7;&lol7;&lol7;">
 <!ENTITY lol9 "&lol8;&lol8;&lol8;&lol8;&lol8;&lol8;&lol8;&lol8;&lol8;&lol8;">
]>
<feed xmlns="http://www.w3.org/2005/Atom"><entry><title>&lol9;</title><summary>&lol9;</summary></entry></feed>
"""


def run(*args, cwd: Path | None = None) -> subprocess.CompletedProcess:
    env = dict(os.environ)
    env.pop("COLUMNS", None)  # behave as when stderr is a pipe or a log file
    env.pop("LINES", None)
    return subprocess.run([str(ARCXIV), *map(str, args)], capture_output=True, text=True, cwd=cwd, env=env,
                          timeout=120)


def flat(text: str) -> str:
    """Rich wraps long lines; join them back so messages can be matched as one string."""
    return " ".join(text.split())


def corpus_records() -> list[dict]:
    return [json.loads(line) for line in CORPUS.read_text(encoding="utf-8").splitlines() if line.strip()]


@pytest.fixture(scope="module")
def seed_out(tmp_path_factory) -> tuple[Path, subprocess.CompletedProcess]:
    """The seed compiled once for the whole module; tests must not modify it."""
    out = tmp_path_factory.mktemp("seed") / "out"
    result = run("compile", SEED, "-o", out)
    return out, result


# --------------------------------------------------------------------------- success paths
def test_compile_seed(seed_out):
    out, result = seed_out
    assert result.returncode == 0, result.stderr
    assert (out / "curriculum.json").is_file()
    assert (out / "curriculum.md").is_file()
    names = sorted(p.name for p in out.iterdir())
    assert {"curriculum.json", "curriculum.md", "index.html", "quiz.html", "cards.html", "assets"} <= set(names)
    assert all(n in ("curriculum.json", "curriculum.md", "assets", ".arcxiv-output") or n.endswith(".html")
               for n in names)
    assert "lessons" in result.stderr
    assert "Traceback" not in result.stderr
    data = json.loads((out / "curriculum.json").read_text(encoding="utf-8"))
    assert data["source"]["title"].startswith("Feature Learning in Wide Neural Networks")
    assert data["lessons"]
    assert (out / "curriculum.md").read_text(encoding="utf-8").strip()


def test_demo(tmp_path):
    result = run("demo", "-o", "out", cwd=tmp_path)
    assert result.returncode == 0, result.stderr
    assert (tmp_path / "out" / "curriculum.json").is_file()
    assert (tmp_path / "out" / "curriculum.md").is_file()
    assert "lessons" in result.stderr
    json.loads((tmp_path / "out" / "curriculum.json").read_text(encoding="utf-8"))


def test_id_selects_one_corpus_paper(tmp_path):
    wanted = corpus_records()[1]
    out = tmp_path / "out"
    result = run("compile", CORPUS, "--id", wanted["id"], "-o", out)
    assert result.returncode == 0, result.stderr
    data = json.loads((out / "curriculum.json").read_text(encoding="utf-8"))
    assert data["source"]["title"] == wanted["title"]


def test_deterministic(seed_out, tmp_path):
    first, result = seed_out
    assert result.returncode == 0, result.stderr
    second = tmp_path / "again"
    again = run("compile", SEED, "-o", second)
    assert again.returncode == 0, again.stderr
    for name in ("curriculum.json", "curriculum.md"):
        assert (first / name).read_bytes() == (second / name).read_bytes(), name


def test_strict_on_seed(tmp_path):
    result = run("compile", SEED, "--strict", "-o", tmp_path / "out")
    assert result.returncode == 0, result.stderr
    assert (tmp_path / "out" / "curriculum.json").is_file()


@pytest.mark.parametrize("command", ["compile", "demo", "verify"])
def test_help(command):
    result = run(command, "--help")
    assert result.returncode == 0, result.stderr
    assert "Usage" in result.stdout


# --------------------------------------------------------------------------- bad input
def _bad_json_lines() -> bytes:
    good = json.dumps({"id": "1", "title": "T", "abstract": ABSTRACT})
    return f'{good}\n{{"id": "2", "title": "U", "abstract": \n'.encode()


BAD_FILES = {
    "empty": b"",
    "whitespace": b"  \n\t\n   \n",
    "binary": b"Title\x00\x00\x01\x02\nAbstract\x00\nWe prove it.\x00",
    "invalid-utf8": b"A Title\nAbstract\nWe prove that \xc3\x28 the method \xff converges. It is fast.\n",
    "too-big": b"a" * (MAX_BYTES + 1),
    "malformed-json-line": _bad_json_lines(),
    "malformed-atom": (
        b'<?xml version="1.0"?>\n<feed xmlns="http://www.w3.org/2005/Atom">\n'
        b"<entry><title>T</title><summary>" + ABSTRACT.encode() + b"</entry>\n</feed>\n"
    ),
    "malformed-bibtex": b"@article{key,\n  title = {A Title},\n  abstract = {" + ABSTRACT.encode() + b"\n",
    "billion-laughs": BILLION_LAUGHS.encode(),
    "page-empty-abstract": b"A Title Of A Paper\nAbstract\n\n",
}


def _case_args(case: str, tmp_path: Path) -> list:
    if case in BAD_FILES:
        paper = tmp_path / f"{case}.txt"
        paper.write_bytes(BAD_FILES[case])
        return [paper]
    if case == "missing-file":
        return [tmp_path / "no-such-paper.txt"]
    if case == "directory":
        folder = tmp_path / "a-folder"
        folder.mkdir()
        return [folder]
    if case == "unknown-format":
        return [SEED, "--format", "docx"]
    if case == "corpus-without-id":
        return [CORPUS]
    if case == "corpus-unknown-id":
        return [CORPUS, "--id", "9999.99999-not-there"]
    raise AssertionError(case)


BAD_CASES = [*BAD_FILES, "missing-file", "directory", "unknown-format", "corpus-without-id", "corpus-unknown-id"]

EXPECTED_WORDS = {
    "empty": "empty",
    "whitespace": "whitespace",
    "binary": "binary",
    "invalid-utf8": "UTF-8",
    "too-big": "5 MB",
    "malformed-json-line": "malformed JSON on line 2",
    "malformed-atom": "not well-formed XML",
    "malformed-bibtex": "unbalanced braces",
    "billion-laughs": "DTD",
    "page-empty-abstract": "no abstract",
    "missing-file": "does not exist",
    "directory": "directory",
    "unknown-format": "unknown format 'docx'",
    "corpus-without-id": "contains 30 papers",
    "corpus-unknown-id": "no paper with id '9999.99999-not-there'",
}


@pytest.mark.parametrize("case", BAD_CASES)
def test_bad_input_exit_2_one_error_no_output(case, tmp_path):
    out = tmp_path / "out"
    result = run("compile", *_case_args(case, tmp_path), "-o", out)
    assert result.returncode == 2, (result.returncode, result.stderr)
    assert "Traceback" not in result.stderr
    errors = [line for line in result.stderr.splitlines() if line.startswith("error:")]
    assert len(errors) == 1, result.stderr
    assert EXPECTED_WORDS[case] in flat(result.stderr), result.stderr
    assert not out.exists()
    assert not [p.name for p in tmp_path.iterdir() if p.name.startswith(".out")]  # no temp folders left
    assert result.stdout == ""


def test_error_message_is_one_unwrapped_line(tmp_path):
    """stderr holds the progress line and then the error, each on one line, even when
    stderr is not a terminal (a long message must not be hard-wrapped at 80 columns)."""
    result = run("compile", CORPUS, "-o", tmp_path / "out")
    assert result.returncode == 2
    lines = [line for line in result.stderr.splitlines() if line.strip()]
    error_lines = [line for line in lines if not line.startswith("compiling ")]
    assert len(error_lines) == 1, result.stderr
    assert "30" in error_lines[0]


def test_failed_compile_keeps_existing_output(seed_out, tmp_path):
    source, result = seed_out
    assert result.returncode == 0, result.stderr
    out = tmp_path / "out"
    shutil.copytree(source, out)
    before = {p.relative_to(out): p.read_bytes() for p in out.rglob("*") if p.is_file()}
    bad = tmp_path / "bad.txt"
    bad.write_bytes(b"")
    failed = run("compile", bad, "-o", out)
    assert failed.returncode == 2
    assert "Traceback" not in failed.stderr
    assert {p.relative_to(out): p.read_bytes() for p in out.rglob("*") if p.is_file()} == before
    assert sorted(p.name for p in tmp_path.iterdir()) == ["bad.txt", "out"]


# --------------------------------------------------------------------------- verify
def test_verify_pass(seed_out):
    out, result = seed_out
    assert result.returncode == 0, result.stderr
    check = run("verify", out / "curriculum.json")
    assert check.returncode == 0, check.stderr
    assert check.stdout.startswith("PASS")


def test_verify_detects_tampered_quote(seed_out, tmp_path):
    out, result = seed_out
    assert result.returncode == 0, result.stderr
    data = json.loads((out / "curriculum.json").read_text(encoding="utf-8"))
    quote = next(
        s
        for lesson in data["lessons"]
        for block in lesson["blocks"]
        for s in block["statements"]
        if s["kind"] == "quote"
    )
    quote["text"] = quote["text"].replace("We ", "They ", 1) + " This sentence is not in the paper."
    tampered = tmp_path / "curriculum.json"
    tampered.write_text(json.dumps(data, ensure_ascii=False, indent=2), encoding="utf-8")
    check = run("verify", tampered)
    assert check.returncode == 3, (check.stdout, check.stderr)
    assert "FAIL" in check.stdout
    assert "Traceback" not in check.stderr


def test_verify_non_json(tmp_path):
    bogus = tmp_path / "curriculum.json"
    bogus.write_text("this is not JSON {", encoding="utf-8")
    check = run("verify", bogus)
    assert check.returncode == 2
    assert "Traceback" not in check.stderr
    assert "error:" in check.stderr


# --------------------------------------------------------------------------- export
@pytest.mark.parametrize("fmt,expected", [("anki", ".apkg"), ("csv", "cards.tsv"), ("gift", "quiz.gift"),
                                          ("qti", "imsmanifest.xml"), ("markdown", "Home.md"), ("html", "index.html")])
def test_export_each_format(seed_out, tmp_path, fmt, expected):
    out, _ = seed_out
    result = run("export", out / "curriculum.json", "--to", fmt, "-o", tmp_path / fmt)
    assert result.returncode == 0, result.stderr
    assert any(p.name.endswith(expected) for p in (tmp_path / fmt).rglob("*"))


def test_export_bad_input(seed_out, tmp_path):
    out, _ = seed_out
    r = run("export", out / "curriculum.json", "--to", "pdf", "-o", tmp_path / "x")
    assert r.returncode == 2 and "choose one of" in r.stderr and not (tmp_path / "x").exists()
    bad = tmp_path / "bad.json"
    bad.write_text('{"schema": "something else"}', encoding="utf-8")
    r = run("export", bad, "--to", "gift", "-o", tmp_path / "y")
    assert r.returncode == 2 and "arcxiv.curriculum/1" in r.stderr and not (tmp_path / "y").exists()


def test_serve_sends_replies_without_waiting_for_nagle():
    """uvicorn takes a socket given by fd for a Unix one and sets no TCP_NODELAY on its connections; then
    a reply written in two parts (head, body) waited for the client's delayed ACK, 40 ms on every page.
    The listener has it set, and Linux passes it on to every connection it accepts."""
    import socket

    from arcxiv.cli import _listen

    listener = _listen("127.0.0.1", 0)
    try:
        assert listener.getsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY)
        with socket.create_connection(listener.getsockname()[:2]):
            accepted, _ = listener.accept()
            with accepted:
                assert accepted.getsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY)
    finally:
        listener.close()
