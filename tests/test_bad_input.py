"""The bad-input table: every row is one input, what the user sees, the CLI's exit code and the web
app's HTTP status for the same bytes. Each row is checked through the real ``arcxiv compile`` (a
subprocess) and through the web app (upload to the API and to the home page's form, and a paste
where the bytes are text). The README's bad-input table is this table.

A refused input: exit 2, exactly one ``error:`` line holding the row's words, no traceback, no
output folder and no temporary folder left; on the web the row's 4xx with the same words, nothing
stored. A compiled input: exit 0 and a course on disk; 201 from the API. Never a 500."""
from __future__ import annotations

import json
import os
import re
import socket
import subprocess
import sys
import tempfile
import time
import tracemalloc
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

import pytest
from markupsafe import escape

from arcxiv.ingest import MAX_BYTES
from arcxiv.web import create_app

from .test_cli import ARCXIV, flat
from .test_web import client_for, csrf_of

COMPILES = "compiles"
ABSTRACT = ("We prove that the proposed method converges under mild assumptions. The rate depends on the "
            "smoothness of the loss. Experiments on three data sets confirm the theory.")
PAPER = f"A Study of Convergence\n\n{ABSTRACT}\n"
PASSWD = Path("/etc/passwd")
PASSWD_LINE = next((l for l in PASSWD.read_text(errors="replace").splitlines() if l.strip()), None) \
    if PASSWD.is_file() else None
ATOM_HEAD = '<?xml version="1.0"?>\n'
ATOM_NS = 'xmlns="http://www.w3.org/2005/Atom"'
CONTENT_TYPES = {".txt": "text/plain", ".json": "application/json", ".xml": "application/atom+xml",
                 ".bib": "application/x-bibtex", ".tex": "application/x-tex", ".bin": "application/octet-stream"}


@dataclass(frozen=True)
class Ctx:
    """What a row's input may refer to: the test's own folder and a URL nobody may fetch."""
    tmp: Path
    trap_url: str


@dataclass(frozen=True)
class Row:
    name: str
    build: Callable[[Ctx], bytes]  # how the input is made
    says: str  # words of the error message, or COMPILES
    exit: int  # arcxiv compile's exit code
    status: int  # the web app's status for the same bytes uploaded
    suffix: str = ".txt"  # the file's name ends so (and gives the upload's content type)
    how: str = ""  # the README's words for the input


# --------------------------------------------------------------------------- inputs
def _truncated_utf8(where: str) -> bytes:
    good = f"Über die Konvergenz\n\n{ABSTRACT} Schöne Grüße.".encode()
    cut = "é".encode()[:1]  # the first byte of a two-byte character
    return good + cut if where == "end" else good[:30] + cut + good[30:]


def _exactly_5_mb(_: Ctx) -> bytes:
    # A copied arXiv page: the abstract, then page furniture (dropped) filling the file to the limit.
    head = f"A Study of Convergence\nAbstract\n{ABSTRACT}\nTurn this paper into a full lesson\n".encode()
    furniture = b"Share this page on social media\n" * (MAX_BYTES // 32)
    return (head + furniture)[: MAX_BYTES - 1] + b"\n"


def _one_line(size: int) -> bytes:
    sentences = (f"Method {i} improves accuracy on benchmark {i}. " for i in range(10 ** 6))
    text, total = [], 0
    for s in sentences:
        if total + len(s) > size:
            break
        text.append(s)
        total += len(s)
    return "".join(text).ljust(size).encode()


def _ten_thousand_sentences(_: Ctx) -> bytes:
    return ("Ten Thousand Findings\n\n" + " ".join(f"Finding {i} holds for model {i}." for i in range(10_000))).encode()


def _deep_json(_: Ctx) -> bytes:
    depth = 50_000  # 100,000 levels: an array holding an object, 50,000 times
    return (b'{"id": "2401.00001", "title": "Deep", "abstract": ' + b'[{"a": ' * depth + b'"We prove it."'
            + b"}]" * depth + b"}\n")


def _deep_xml(_: Ctx) -> bytes:
    depth = 100_000
    return (f'{ATOM_HEAD}<feed {ATOM_NS}><entry><id>http://arxiv.org/abs/2401.00002v1</id><title>Deep</title>'
            f'<summary>{"<b>" * depth}{ABSTRACT}{"</b>" * depth}</summary></entry></feed>\n').encode()


def _billion_laughs(_: Ctx) -> bytes:
    # lol9 would expand to 10**9 "lol"s: 3 GB.
    refs = [f"&lol{i - 1 or ''};" * 10 for i in range(1, 10)]  # lol1 is ten &lol; and so on
    entities = ['<!ENTITY lol "lol">'] + [f'<!ENTITY lol{i} "{ref}">' for i, ref in enumerate(refs, 1)]
    return (f"{ATOM_HEAD}<!DOCTYPE feed [\n " + "\n ".join(entities) + "\n]>\n"
            f"<feed {ATOM_NS}><entry><title>&lol9;</title><summary>&lol9; {ABSTRACT}</summary></entry></feed>\n"
            ).encode()


def _external_entity(url: str, external_dtd: str = "") -> bytes:
    dtd = f' SYSTEM "{external_dtd}"' if external_dtd else ""
    return (f'{ATOM_HEAD}<!DOCTYPE feed{dtd} [<!ENTITY xxe SYSTEM "{url}">]>\n'
            f"<feed {ATOM_NS}><entry><title>Leak &xxe;</title><summary>&xxe; {ABSTRACT}</summary></entry></feed>\n"
            ).encode()


def _latex_document(ctx: Ctx) -> bytes:
    return (r"\documentclass{article}" "\n"
            rf"\immediate\write18{{touch {ctx.tmp / 'pwned-immediate'}}}" "\n"
            r"\title{Convergence \input{/etc/passwd}}" "\n"
            r"\begin{document}\maketitle" "\n"
            r"\begin{abstract}" "\n"
            rf"{ABSTRACT} \input{{/etc/passwd}} \write18{{touch {ctx.tmp / 'pwned-write18'}}}" "\n"
            r"\end{abstract}\end{document}" "\n").encode()


def _latex_in_bibtex(ctx: Ctx) -> bytes:
    return ("@article{pwn2024,\n  title = {Convergence \\input{/etc/passwd}},\n"
            f"  abstract = {{{ABSTRACT} \\input{{/etc/passwd}} \\include{{/etc/passwd}}\n"
            f"    \\immediate\\write18{{touch {ctx.tmp / 'pwned-immediate'}}}\n"
            f"    \\write18{{touch {ctx.tmp / 'pwned-write18'}}}}}\n"
            "}\n").encode()


GERMAN = ("Über die Konvergenz stochastischer Gradientenverfahren\n\nWir beweisen, dass das Verfahren unter milden "
          "Annahmen konvergiert. Die Konvergenzrate hängt von der Glattheit der Verlustfunktion ab. Unsere "
          "Experimente auf drei Datensätzen bestätigen die Theorie.\n")
FRENCH = ("Sur la convergence des méthodes de gradient stochastique\n\nNous montrons que la méthode converge sous "
          "des hypothèses faibles. Le taux de convergence dépend de la régularité de la fonction de perte. Nos "
          "expériences sur trois jeux de données confirment la théorie.\n")
CHINESE = ("随机梯度方法的收敛性\n\n我们证明了该方法在温和的假设下收敛。收敛速度取决于损失函数的光滑性。"
           "我们在三个数据集上的实验证实了这一理论。\n")
MATH_ONLY = ("$$E = mc^2$$\n\n$a^2 + b^2 = c^2$, $e^{i\\pi} + 1 = 0$, $\\sum_{n \\ge 1} 1/n^2 = \\pi^2/6$,\n"
             "$$\\int_0^1 f(x)\\,dx = F(1) - F(0)$$\n")
HOSTILE_TITLE = "<script>alert(1)</script><img src=x onerror=alert(2)>"

ROWS = [
    Row("empty file", lambda c: b"", "is empty", 2, 422, how="0 bytes"),
    Row("whitespace only", lambda c: b" \n\t \r\n   \n", "contains only whitespace", 2, 422,
        how="spaces, tabs, newlines"),
    Row("binary (NUL bytes)", lambda c: b"A Title\n\nAbstract\x00\x00\x01 text\x00", "looks like a binary file", 2,
        415, ".bin", how="text with NUL bytes"),
    Row("truncated UTF-8 at the end", lambda c: _truncated_utf8("end"), "is not valid UTF-8", 2, 415,
        how="a two-byte character cut after its first byte, at the end"),
    Row("truncated UTF-8 in the middle", lambda c: _truncated_utf8("middle"), "is not valid UTF-8", 2, 415,
        how="the same cut character in the middle of the text"),
    Row("UTF-16 with BOM", lambda c: PAPER.encode("utf-16"), "is UTF-16 text; re-save it as UTF-8", 2, 415,
        how="a paper saved as UTF-16 (with its byte-order mark)"),
    Row("5 MB + 1 byte", lambda c: PAPER.encode().ljust(MAX_BYTES + 1, b" "), "the limit is 5 MB", 2, 413,
        how="5,242,881 bytes"),
    Row("exactly 5 MB", _exactly_5_mb, COMPILES, 0, 201,
        how="5,242,880 bytes: an arXiv page whose furniture after the abstract fills the file"),
    Row("one 1 MB line", lambda c: _one_line(2 ** 20), "too long to compile", 2, 422,
        how="1 MB of sentences and no newline"),
    Row("10,000 sentences", _ten_thousand_sentences, "too long to compile", 2, 422,
        how="a title and 10,000 short distinct sentences (340 kB)"),
    Row("deeply nested JSON", _deep_json, "nests JSON too deeply", 2, 422, ".json",
        how="arXiv JSON whose abstract is 100,000 nested arrays and objects"),
    Row("deeply nested XML", _deep_xml, COMPILES, 0, 201, ".xml",
        how="an Atom entry whose summary sits in 100,000 nested elements"),
    Row("billion laughs", _billion_laughs, "declares a DTD or entities, which ArcXiv refuses", 2, 422, ".xml",
        how="Atom XML with ten levels of entities that expand each other tenfold"),
    Row("external entity: file", lambda c: _external_entity("file:///etc/passwd"),
        "declares a DTD or entities, which ArcXiv refuses", 2, 422, ".xml",
        how='Atom XML with <!ENTITY xxe SYSTEM "file:///etc/passwd">'),
    Row("external entity: http", lambda c: _external_entity(c.trap_url + "/entity", c.trap_url + "/feed.dtd"),
        "declares a DTD or entities, which ArcXiv refuses", 2, 422, ".xml",
        how="Atom XML with an external DTD and an entity at http URLs"),
    Row("BibTeX unbalanced braces",
        lambda c: f"@article{{k,\n  title = {{A {{Study}},\n  abstract = {{{ABSTRACT}}}\n}}\n".encode(),
        "unbalanced braces", 2, 422, ".bib", how="an entry with one '{' never closed"),
    Row("LaTeX document with \\input and \\write18", _latex_document, COMPILES, 0, 201, ".tex",
        how=r"a .tex file with \input{/etc/passwd}, \write18{touch F} and \immediate\write18{touch F}"),
    Row("BibTeX abstract with \\input and \\write18", _latex_in_bibtex, COMPILES, 0, 201, ".bib",
        how=r"the same commands inside a BibTeX title and abstract"),
    Row("German abstract", lambda c: GERMAN.encode(), COMPILES, 0, 201, how="title and three German sentences"),
    Row("French abstract", lambda c: FRENCH.encode(), COMPILES, 0, 201, how="title and three French sentences"),
    Row("Chinese abstract", lambda c: CHINESE.encode(), "Chinese or Japanese script", 2, 422,
        how="title and three Chinese sentences"),
    Row("only math", lambda c: MATH_ONLY.encode(), "no abstract found", 2, 422,
        how="five $…$ / $$…$$ formulas, no words, no sentence"),
    Row("only a title", lambda c: b"Deep Learning for Cats and Dogs\n", "a title alone is not enough", 2, 422,
        how="one short line without a full stop"),
    Row("HTML/JS in the title", lambda c: f"{HOSTILE_TITLE}\n\n{ABSTRACT}\n".encode(), COMPILES, 0, 201,
        how=f"the title {HOSTILE_TITLE}"),
]
IDS = [row.name for row in ROWS]
BY_NAME = {row.name: row for row in ROWS}
LATEX_ROWS = ("LaTeX document with \\input and \\write18", "BibTeX abstract with \\input and \\write18")


# --------------------------------------------------------------------------- fixtures and helpers
class Trap:
    """A listening socket standing in for an attacker's server: nothing may ever connect to it."""

    def __init__(self):
        self.sock = socket.create_server(("127.0.0.1", 0))
        self.sock.setblocking(False)
        self.url = f"http://127.0.0.1:{self.sock.getsockname()[1]}"

    def connections(self) -> int:
        count = 0
        while True:
            try:
                conn, _ = self.sock.accept()
            except BlockingIOError:
                return count
            conn.close()
            count += 1


@pytest.fixture(scope="module")
def trap():
    t = Trap()
    yield t
    t.sock.close()


@pytest.fixture(scope="module")
def web(tmp_path_factory):
    app = create_app(f"sqlite:///{tmp_path_factory.mktemp('badweb') / 'a.db'}")
    client = client_for(app)
    return app, client, csrf_of(client)


@dataclass
class Cli:
    returncode: int
    stdout: str
    stderr: str
    seconds: float
    max_rss_mb: float


# Runs the command and writes its peak memory to a file. A small process forks it: a child's
# ru_maxrss also counts the memory of the process it was forked from (pytest's, with spaCy).
_MEASURE = ("import resource, subprocess, sys; code = subprocess.call(sys.argv[2:]); "
            "open(sys.argv[1], 'w').write(str(resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss)); "
            "sys.exit(code)")


def cli(*args) -> Cli:
    """``run`` of test_cli, plus the wall time and the peak memory of the ``arcxiv`` process."""
    env = {k: v for k, v in os.environ.items() if k not in ("COLUMNS", "LINES")}
    with tempfile.TemporaryDirectory() as tmp:
        peak = Path(tmp) / "peak"
        started = time.perf_counter()
        proc = subprocess.run([sys.executable, "-c", _MEASURE, str(peak), str(ARCXIV), *map(str, args)],
                              capture_output=True, env=env, timeout=120)
        seconds = time.perf_counter() - started
        return Cli(proc.returncode, proc.stdout.decode(errors="replace"), proc.stderr.decode(errors="replace"),
                   seconds, int(peak.read_text()) / 1024)


def files_text(folder: Path) -> dict[str, str]:
    return {str(p.relative_to(folder)): p.read_text(encoding="utf-8", errors="replace")
            for p in sorted(folder.rglob("*")) if p.is_file()}


def check_row_specifics(row: Row, ctx: Ctx, texts: dict[str, str], trap: Trap) -> None:
    """What some rows promise beyond the message: nothing leaked, fetched, executed or left unescaped."""
    if PASSWD_LINE is not None:
        leaked = [where for where, text in texts.items() if PASSWD_LINE in text]
        assert not leaked, f"/etc/passwd content in {leaked}"
    assert trap.connections() == 0, "something fetched the trap URL"
    if row.name in LATEX_ROWS:
        assert not list(ctx.tmp.glob("pwned-*")), "\\write18 was executed"
    if row.name == "HTML/JS in the title":
        pages = {where: text for where, text in texts.items() if where.endswith(".html") or where.startswith("page:")}
        assert any("&lt;script&gt;alert(1)&lt;/script&gt;" in html for html in pages.values())  # shown, escaped
        for where, html in pages.items():
            assert "<script>alert" not in html, where
            assert not re.search(r"<[A-Za-z][^<>]*\sonerror\s*=", html), where


# --------------------------------------------------------------------------- the tests
@pytest.mark.parametrize("row", ROWS, ids=IDS)
def test_cli(row, tmp_path, trap):
    ctx = Ctx(tmp_path, trap.url)
    paper = tmp_path / f"paper{row.suffix}"
    paper.write_bytes(row.build(ctx))
    out = tmp_path / "out"
    result = cli("compile", paper, "-o", out)
    assert "Traceback" not in result.stderr, result.stderr
    errors = [line for line in result.stderr.splitlines() if line.startswith("error:")]
    assert result.returncode == row.exit, (result.returncode, result.stderr[-2000:])
    if row.says == COMPILES:
        assert not errors, result.stderr
        assert (out / "curriculum.json").is_file() and (out / "index.html").is_file()
        assert json.loads((out / "curriculum.json").read_text(encoding="utf-8"))["lessons"]
        texts = {"stderr": result.stderr, "stdout": result.stdout, **files_text(out)}
    else:
        assert len(errors) == 1, result.stderr
        assert row.says in flat(result.stderr), result.stderr
        assert not out.exists()
        assert sorted(p.name for p in tmp_path.iterdir()) == [paper.name]  # no temporary folder left
        assert result.stdout == ""
        texts = {"stderr": result.stderr}
    check_row_specifics(row, ctx, texts, trap)
    if row.name == "billion laughs":  # refused before anything is expanded
        assert result.seconds < 10 and result.max_rss_mb < 150, (result.seconds, result.max_rss_mb)


@pytest.mark.parametrize("row", ROWS, ids=IDS)
def test_web(row, tmp_path, trap, web):
    app, client, csrf = web
    ctx = Ctx(tmp_path, trap.url)
    data = row.build(ctx)
    name = f"paper{row.suffix}"
    upload = {"file": (name, data, CONTENT_TYPES[row.suffix])}
    papers_before = len(app.state.store.list_papers())

    measure = row.name == "billion laughs"  # tracemalloc slows everything else down
    if measure:
        tracemalloc.start()
    started = time.perf_counter()
    api = client.post("/api/papers", data={"csrf": csrf}, files=upload)
    seconds = time.perf_counter() - started
    if measure:
        peak_mb = tracemalloc.get_traced_memory()[1] / 2 ** 20
        tracemalloc.stop()
    assert api.status_code == row.status, (api.status_code, api.text[:500])
    form = client.post("/papers", data={"csrf": csrf}, files=upload)
    try:
        pasted = data.decode("utf-8")
    except UnicodeDecodeError:
        pasted = None  # not text: a browser cannot paste it
    paste = client.post("/api/papers", json={"text": pasted}, headers={"x-csrf-token": csrf}) if pasted else None
    texts = {"api": api.text, "page:form": form.text, **({"paste": paste.text} if paste else {})}

    if row.says == COMPILES:
        key = api.json()["key"]
        # the form sends the paper the API compiled already: the same paper, with a note that it was there
        assert form.status_code == 303 and form.headers["location"] == f"/papers/{key}?again=1"
        if paste is not None:
            assert paste.status_code == 200 and paste.json()["key"] == key  # the same paper, compiled once
        for path in (f"/papers/{key}", f"/papers/{key}/course/index.html", f"/papers/{key}/course/lesson-01.html"):
            r = client.get(path)
            assert r.status_code == 200, path
            texts[f"page:{path}"] = r.text
        assert len(app.state.store.list_papers()) == papers_before + 1
    else:
        assert row.says in api.json()["error"], api.json()
        assert form.status_code == row.status and 'role="alert"' in form.text
        assert str(escape(row.says)) in form.text
        if paste is not None:
            assert paste.status_code == row.status and row.says in paste.json()["error"], paste.text[:500]
        assert len(app.state.store.list_papers()) == papers_before  # nothing stored
    check_row_specifics(row, ctx, texts, trap)
    if measure:  # refused before anything is expanded
        assert seconds < 5 and peak_mb < 50, (seconds, peak_mb)


def test_table_covers_every_kind_of_outcome():
    """The table names each exit code and status it promises; a row that compiles compiles on both paths."""
    assert len(set(IDS)) == len(ROWS)
    assert {row.status for row in ROWS if row.says != COMPILES} == {413, 415, 422}
    assert all((row.exit, row.status) == (0, 201) for row in ROWS if row.says == COMPILES)
    assert all(row.exit == 2 for row in ROWS if row.says != COMPILES)


def test_length_and_script_limits_are_on_the_paper_not_the_file():
    """The 5 MB limit is on the file; "too long" is on the one paper's text (so a big arXiv JSON file of
    short abstracts is fine); "Chinese or Japanese script" only when that script is most of the text."""
    from arcxiv.errors import InputError
    from arcxiv.ingest import MAX_CHARS, ingest

    sentence = "Method converges fast. "
    body = (sentence * (MAX_CHARS // len(sentence) + 1))[:MAX_CHARS].strip()
    body = body + "x" * (MAX_CHARS - len(body))
    assert len(ingest(f"Title\n\n{body}".encode()).text) == MAX_CHARS
    with pytest.raises(InputError, match="too long to compile"):
        ingest(f"Title\n\n{body}y".encode())
    many = "\n".join(json.dumps({"id": str(i), "title": f"T{i}", "abstract": ABSTRACT}) for i in range(2 * MAX_CHARS // len(ABSTRACT) + 1))
    assert len(many) > 2 * MAX_CHARS and ingest(many.encode(), paper_id="7").title == "T7"
    mixed = ingest(f"Deep Learning\n\nWe study 深度学习 (deep learning) and 强化学习. {ABSTRACT}".encode())
    assert "深度学习" in mixed.text


def test_the_readme_table_is_this_table():
    """Each README row names a row of ROWS, in order, with the same exit code and status."""
    readme = (Path(__file__).resolve().parents[1] / "README.md").read_text(encoding="utf-8")
    table = readme[readme.index("| input | what the user sees | CLI exit | web status |"):].split("\n\n")[0]
    rows = [line.split(" | ") for line in table.splitlines()[2:]]
    assert [(cells[0][2:], int(cells[-2]), int(cells[-1].strip(" |"))) for cells in rows] == \
        [(row.name, row.exit, row.status) for row in ROWS]
