"""The command line: parse arguments, call one function, map errors to exit codes."""
from __future__ import annotations

import errno
import json
import os
import sys
from importlib import resources
from pathlib import Path
from typing import Optional

import typer
from rich.console import Console

from .errors import ArcxivError, InputError

app = typer.Typer(add_completion=False, no_args_is_help=True, pretty_exceptions_enable=False,
                  rich_markup_mode=None,  # plain help: flags read as flags, not "<bool>"
                  context_settings={"help_option_names": ["-h", "--help"]},
                  help="ArcXiv: compile a research paper into a staged, source-grounded curriculum.")
err = Console(stderr=True, highlight=False, soft_wrap=True)  # one message, one line

DEFAULT_OUT = Path("arcxiv-out")


def say(text: str, label: str = "", style: str = "") -> None:
    """One message on stderr. Paths, titles and messages are never read as rich markup."""
    from rich.text import Text

    err.print(Text.assemble((label, style), text) if label else Text(text, style=style))


def _fail(e: ArcxivError) -> None:
    say(str(e), "error: ", "bold red")
    raise typer.Exit(e.exit_code)


def _version(value: bool) -> None:
    if value:
        from . import __version__

        typer.echo(f"arcxiv {__version__}")
        raise typer.Exit()


@app.callback()
def _main(version: bool = typer.Option(False, "--version", callback=_version, is_eager=True,
                                       help="Print ArcXiv's version and exit.")) -> None:
    """ArcXiv: compile a research paper into a staged, source-grounded curriculum."""


def _compile(path: str, out: Path, fmt: Optional[str], paper_id: Optional[str], strict: bool,
             deep_dives: bool = False) -> None:
    from .outdir import claim
    from .pipeline import compile_file, render_files, write_outputs

    say(f"compiling {'standard input' if path == '-' else path} …")
    try:
        claim(Path(out).absolute())  # refuse a folder of the user's before the work, not after
        cur = compile_file(path, fmt=fmt, paper_id=paper_id, strict=strict, deep_dives=deep_dives)
        write_outputs(render_files(cur), out)
    except ArcxivError as e:
        _fail(e)
    except OSError as e:
        _fail(ArcxivError(f"cannot write {out}: {e.strerror or e}"))
    g = cur.grounding
    levels = "/".join(str(sum(l.level == lv for l in cur.lessons)) for lv in ("beginner", "intermediate", "advanced"))
    say(f"{out}/curriculum.json and curriculum.md: “{cur.source.title}”, "
              f"{len(cur.lessons)} lessons ({levels} beginner/intermediate/advanced), {len(cur.sections)} sections, "
              f"{len(cur.terms)} terms, {len(cur.flashcards)} flashcards, {len(cur.quiz)} quiz items "
              f"({len(cur.quiz_report.dropped)} flawed dropped), {len(cur.exercises)} exercises"
              f"{f', {len(cur.deep_dives)} deep dives' if cur.deep_dives else ''}; grounding {g.passed}/{g.checked} passed",
        "wrote ", "green")
    for d in g.dropped:
        say(f"dropped {d.where}: {d.reason}", "warning: ", "yellow")
    if cur.note:
        say(cur.note, "note: ", "yellow")


@app.command("compile")
def compile_cmd(
    paper: str = typer.Argument(..., metavar="PAPER", help="The paper: a whole paper (PDF, JATS XML, a .tex file, its "
                                                        "LaTeX source folder or archive: .tar.gz, .tar, .zip) or an "
                                                        "abstract (plain text, Markdown, an arXiv page, arXiv JSON "
                                                        "lines, arXiv Atom XML or BibTeX), or - for stdin."),
    out: Path = typer.Option(DEFAULT_OUT, "-o", "--out", metavar="DIR",
                             help="Output folder: new, empty, or one ArcXiv wrote before (then replaced)."),
    fmt: Optional[str] = typer.Option(None, "--format", help="latex, pdf, jats, page, text, markdown, arxiv-json, "
                                                             "atom or bibtex; detected from the content when left out."),
    paper_id: Optional[str] = typer.Option(None, "--id", help="Which paper of a file that holds several "
                                                              "(its id, or its 1-based position)."),
    strict: bool = typer.Option(False, "--strict", help="Exit 3 if any statement breaks the grounding contract."),
    deep_dives: bool = typer.Option(False, "--deep-dives", help="Also build a deep dive for every section."),
) -> None:
    """Compile PAPER into OUT/curriculum.json and OUT/curriculum.md."""
    _compile(paper, out, fmt, paper_id, strict, deep_dives)


@app.command("deep-dive")
def deep_dive_cmd(
    paper: str = typer.Argument(..., metavar="PAPER", help="The paper file (any format compile reads), or - for stdin."),
    section: str = typer.Option(..., "--section", help="Section id from curriculum.json, its readable start "
                                                       "(overview, part-2, synthesis, scope) or its number."),
    fmt: Optional[str] = typer.Option(None, "--format", help="Input format; detected when left out."),
    paper_id: Optional[str] = typer.Option(None, "--id", help="Which paper of a file that holds several."),
    as_json: bool = typer.Option(False, "--json", help="Print JSON instead of Markdown."),
) -> None:
    """Print the deep dive of one section of PAPER (generated once, then cached by content hash)."""
    from .ingest import ingest
    from .pipeline import deep_dive_for, read_source, source_name
    from .render.markdown import deep_dive_markdown

    try:
        p = ingest(read_source(paper), fmt=fmt, paper_id=paper_id, name=source_name(paper))
        dive = deep_dive_for(p, section)
    except ArcxivError as e:
        _fail(e)
    typer.echo(dive.model_dump_json(indent=2) if as_json else deep_dive_markdown(dive, p.text))


@app.command()
def demo(out: Path = typer.Option(DEFAULT_OUT, "-o", "--out", metavar="DIR", help="Output folder.")) -> None:
    """Compile the bundled example paper into ./arcxiv-out."""
    with resources.as_file(resources.files("arcxiv").joinpath("data", "example.txt")) as example:
        _compile(str(example), out, None, None, False)


EXPORT_FORMATS = ("anki", "csv", "gift", "qti", "markdown", "html")


def _read_json(path: Path):
    """A JSON file, or an InputError that says in words why it cannot be read."""
    try:
        return json.loads(path.read_text(encoding="utf-8"))
    except FileNotFoundError:
        raise InputError(f"{path} does not exist.") from None
    except IsADirectoryError:
        raise InputError(f"{path} is a folder; give the curriculum.json inside it.") from None
    except PermissionError:
        raise InputError(f"{path} cannot be read (permission denied).") from None
    except OSError as e:
        raise InputError(f"{path} cannot be read ({e.strerror or e}).") from None
    except UnicodeDecodeError:
        raise InputError(f"{path} is not a text file; give a curriculum.json written by arcxiv compile.") from None
    except ValueError as e:
        where = f" (line {e.lineno}, column {e.colno})" if hasattr(e, "lineno") else ""
        raise InputError(f"{path} is not valid JSON{where}; give a curriculum.json written by arcxiv compile.") from None


def _checked(path: Path):
    """(curriculum, problems, summary): the schema first, then the grounding of every statement."""
    from .models import Curriculum
    from .schema import validate
    from .verify import verify

    data = _read_json(path)
    problems = validate(data) if isinstance(data, dict) else ["(top): not a JSON object"]
    if problems:
        return None, problems, "schema check failed"
    cur = verify(Curriculum.model_validate(data))
    g = cur.grounding
    return cur, [f"{d.where}: {d.reason}" for d in g.dropped], f"{g.checked} statements and titles checked"


@app.command("export")
def export_cmd(
    curriculum: Path = typer.Argument(..., metavar="CURRICULUM.json", help="A curriculum.json written by arcxiv "
                                                                           "compile."),
    to: str = typer.Option(..., "--to", metavar="FORMAT",
                           help="anki (.apkg), csv (Anki/Quizlet TSV and a quiz CSV), gift (Moodle), "
                                "qti (QTI 2.1), markdown (a note vault) or html (the static course)."),
    out: Optional[Path] = typer.Option(None, "-o", "--out", metavar="DIR",
                                       help="Output folder; default: export-FORMAT next to CURRICULUM.json. "
                                            "A course folder is added to, never replaced."),
) -> None:
    """Export a compiled curriculum for Anki, Quizlet, Moodle, QTI players, note apps or a browser."""
    from .outdir import add_outputs
    from .render.exports import EXPORTERS

    if to not in EXPORT_FORMATS:
        _fail(InputError(f"unknown export format {to!r}; choose one of {', '.join(EXPORT_FORMATS)}."))
    target = out or curriculum.absolute().parent / f"export-{to}"
    try:
        cur, problems, _ = _checked(curriculum)
        if cur is None:
            raise InputError(f"{curriculum} is not an arcxiv.curriculum/1 file: {problems[0]}")
        if problems:
            raise InputError(f"{curriculum} fails its grounding check ({len(problems)} problem(s); first: "
                             f"{problems[0]}); run arcxiv verify on it, or compile the paper again.")
        files = EXPORTERS[to](cur)
        add_outputs(files, target, kind=f"export-{to}")
    except ArcxivError as e:
        _fail(e)
    except OSError as e:
        _fail(ArcxivError(f"cannot write {target}: {e.strerror or e}"))
    say(f"{len(files)} file(s) to {target}: {', '.join(sorted(files)[:4])}{' …' if len(files) > 4 else ''}",
        "wrote ", "green")


@app.command()
def serve(
    host: str = typer.Option("127.0.0.1", "--host", help="Address to listen on (loopback by default)."),
    port: int = typer.Option(8000, "--port", min=1, max=65535, help="Port to listen on (1-65535)."),
    db: Optional[str] = typer.Option(None, "--db", metavar="URL",
                                     help="Database URL: sqlite:///FILE or postgresql://USER@HOST/DB; "
                                          "default: SQLite in the user's data folder."),
    multi_user: bool = typer.Option(False, "--multi-user", help="Accounts with passwords instead of one local learner."),
) -> None:
    """Run the web app: paste or upload papers, learn, review cards, take quizzes."""
    import uvicorn

    from .web import create_app

    try:
        listener = _listen(host, port)
        application = create_app(db, multi_user=multi_user)
    except ArcxivError as e:
        _fail(e)
    say(f"ArcXiv on http://{host}:{port}/ ({'accounts' if multi_user else 'one learner'}, "
        f"database {application.state.store.url.split('@')[-1]})")
    # The event loop, which serves the cached course pages, takes the GIL back from a page view's thread
    # within 1 ms instead of 5 (measured: benchmarks/web.py phase c, lesson p99).
    sys.setswitchinterval(0.001)
    uvicorn.run(application, fd=listener.fileno(), log_level="warning")


def _listen(host: str, port: int):
    """The server's socket, bound before anything is announced: a busy port is one clear sentence."""
    import socket

    from .errors import ServeError

    try:
        infos = socket.getaddrinfo(host, port, type=socket.SOCK_STREAM, flags=socket.AI_PASSIVE)
    except socket.gaierror:
        raise ServeError(f"cannot listen on {host}: it is not an address or host name of this machine.") from None
    family, kind, proto, _, address = infos[0]
    sock = socket.socket(family, kind, proto)
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    # uvicorn takes a socket given by fd as a Unix one and so never sets TCP_NODELAY on its connections:
    # set here, the accepted connections inherit it, and a reply sent in two writes is not held 40 ms by Nagle.
    sock.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
    try:
        sock.bind(address)
        sock.listen(2048)
    except OSError as e:
        sock.close()
        busy = e.errno == errno.EADDRINUSE
        raise ServeError(f"cannot listen on {host}:{port}: "
                         f"{'another program is using that port' if busy else e.strerror or e}; "
                         f"choose another with --port.") from None
    sock.set_inheritable(True)
    return sock


@app.command()
def batch(
    source: str = typer.Argument(..., metavar="INPUT", help="A folder of paper files, a JSON-lines file (arXiv "
                                                           "metadata shape), or - for such lines on stdin."),
    out: Path = typer.Option(..., "-o", "--out", metavar="DIR",
                             help="Output folder: one folder per paper, index.json/html, errors.jsonl."),
    engine: str = typer.Option("local", "--engine", help="local (a process pool) or ray."),
    workers: int = typer.Option(1, "--workers", min=1, help="Processes for the local engine (CPUs for a local Ray)."),
    ray_address: Optional[str] = typer.Option(None, "--ray-address", metavar="ADDR",
                                              help="A Ray cluster to join (default: start a local Ray)."),
) -> None:
    """Compile many papers; a rerun skips what is done; one bad paper never stops the batch (exit 4 if any failed)."""
    import time

    from .batch import run_batch

    bar = None
    if err.is_terminal:
        from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeRemainingColumn

        bar = Progress(TextColumn("compiling"), BarColumn(), MofNCompleteColumn(), TextColumn("{task.fields[rate]}"),
                       TimeRemainingColumn(), console=err)
        task = bar.add_task("batch", total=None, rate="")
    started = time.perf_counter()  # the rate counts from the start: model loading is part of the wait

    def progress(done: int, total: int, result: dict | None) -> None:
        rate = done / max(time.perf_counter() - started, 1e-9)
        if bar is not None:
            bar.start()
            bar.update(task, completed=done, total=total, rate=f"{rate:.1f} papers/s")
        elif done == total or done % 50 == 0 or (result and not result["ok"]):
            status = "ok" if result and result["ok"] else f"FAILED {result['name']}: {result['error']}" if result else ""
            say(f"[{done}/{total}] {rate:.1f} papers/s {status}")

    try:
        result = run_batch(source, out, engine=engine, workers=workers, ray_address=ray_address, progress=progress)
    except ArcxivError as e:
        if bar is not None:
            bar.stop()
        _fail(e)
    if bar is not None:
        bar.stop()
    say(f"{result.total} papers: {result.compiled} compiled, {result.skipped} already done, "
        f"{result.failed} failed ({result.seconds:.1f} s); index at {out / 'index.html'}")
    if result.failed:
        say(f"see {out / 'errors.jsonl'} for the failures", style="yellow")
        raise typer.Exit(4)


@app.command("verify")
def verify_cmd(curriculum: Path = typer.Argument(..., metavar="CURRICULUM.json",
                                                 help="A curriculum.json written by arcxiv.")) -> None:
    """Check a curriculum.json: its schema, and the grounding contract on every statement."""
    try:
        _, problems, summary = _checked(curriculum)
    except ArcxivError as e:
        _fail(e)
    for p in problems[:50]:
        say(p, "✗ ", "red")
    if problems:
        typer.echo(f"FAIL {curriculum}: {len(problems)} problem(s); {summary}")
        raise typer.Exit(3)
    typer.echo(f"PASS {curriculum}: {summary}, all grounded")


def main() -> None:
    try:
        app()
    except KeyboardInterrupt:
        say("interrupted")
        sys.exit(130)
    except Exception as e:  # a bug of ours: one sentence, not a traceback (ARCXIV_DEBUG=1 shows it)
        if os.environ.get("ARCXIV_DEBUG"):
            raise
        say(f"ArcXiv failed unexpectedly ({type(e).__name__}: {e}); please report it with the input that caused it.",
            "error: ", "bold red")
        sys.exit(1)
