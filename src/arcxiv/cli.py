"""The command line: parse arguments, call one function, map errors to exit codes."""
from __future__ import annotations

import json
import sys
from importlib import resources
from pathlib import Path
from typing import Optional

import typer
from rich.console import Console

from .errors import ArcxivError, InputError

app = typer.Typer(add_completion=False, no_args_is_help=True, pretty_exceptions_enable=False,
                  help="ArcXiv: compile a research paper into a staged, source-grounded curriculum.")
err = Console(stderr=True, highlight=False, soft_wrap=True)  # one message, one line

DEFAULT_OUT = Path("arcxiv-out")


def _fail(e: ArcxivError) -> None:
    err.print(f"[bold red]error:[/] {e}")
    raise typer.Exit(e.exit_code)


def _compile(path: Path, out: Path, fmt: Optional[str], paper_id: Optional[str], strict: bool,
             deep_dives: bool = False) -> None:
    from .pipeline import compile_file, render_files, write_outputs

    err.print(f"compiling {path} …")
    try:
        cur = compile_file(path, fmt=fmt, paper_id=paper_id, strict=strict, deep_dives=deep_dives)
        write_outputs(render_files(cur), out)
    except ArcxivError as e:
        _fail(e)
    except OSError as e:
        _fail(ArcxivError(f"cannot write {out}: {e.strerror or e}"))
    g = cur.grounding
    levels = "/".join(str(sum(l.level == lv for l in cur.lessons)) for lv in ("beginner", "intermediate", "advanced"))
    err.print(f"[green]wrote[/] {out}/curriculum.json and curriculum.md: “{cur.source.title}”, "
              f"{len(cur.lessons)} lessons ({levels} beginner/intermediate/advanced), {len(cur.sections)} sections, "
              f"{len(cur.terms)} terms, {len(cur.flashcards)} flashcards, {len(cur.quiz)} quiz items "
              f"({len(cur.quiz_report.dropped)} flawed dropped), {len(cur.exercises)} exercises"
              f"{f', {len(cur.deep_dives)} deep dives' if cur.deep_dives else ''}; grounding {g.passed}/{g.checked} passed")
    for d in g.dropped:
        err.print(f"[yellow]warning:[/] dropped {d.where}: {d.reason}")
    if cur.note:
        err.print(f"[yellow]note:[/] {cur.note}")


@app.command("compile")
def compile_cmd(
    paper: Path = typer.Argument(..., help="The paper file: plain text, Markdown, an arXiv page, arXiv JSON lines, "
                                           "arXiv Atom XML or BibTeX."),
    out: Path = typer.Option(DEFAULT_OUT, "-o", "--out", help="Output folder (replaced as a whole)."),
    fmt: Optional[str] = typer.Option(None, "--format", help="page, text, markdown, arxiv-json, atom or bibtex; "
                                                             "detected from the content when left out."),
    paper_id: Optional[str] = typer.Option(None, "--id", help="Which paper of a file that holds several "
                                                              "(its id, or its 1-based position)."),
    strict: bool = typer.Option(False, "--strict", help="Exit 3 if any statement breaks the grounding contract."),
    deep_dives: bool = typer.Option(False, "--deep-dives", help="Also build a deep dive for every section."),
) -> None:
    """Compile PAPER into OUT/curriculum.json and OUT/curriculum.md."""
    _compile(paper, out, fmt, paper_id, strict, deep_dives)


@app.command("deep-dive")
def deep_dive_cmd(
    paper: Path = typer.Argument(..., help="The paper file (any format compile reads)."),
    section: str = typer.Option(..., "--section", help="Section id from curriculum.json, its readable start "
                                                       "(overview, part-2, synthesis, scope) or its number."),
    fmt: Optional[str] = typer.Option(None, "--format", help="Input format; detected when left out."),
    paper_id: Optional[str] = typer.Option(None, "--id", help="Which paper of a file that holds several."),
    as_json: bool = typer.Option(False, "--json", help="Print JSON instead of Markdown."),
) -> None:
    """Print the deep dive of one section of PAPER (generated once, then cached by content hash)."""
    from .ingest import ingest
    from .pipeline import deep_dive_for, read_source
    from .render.markdown import deep_dive_markdown

    try:
        p = ingest(read_source(paper), fmt=fmt, paper_id=paper_id, name=str(paper))
        dive = deep_dive_for(p, section)
    except ArcxivError as e:
        _fail(e)
    typer.echo(dive.model_dump_json(indent=2) if as_json else deep_dive_markdown(dive, p.text))


@app.command()
def demo(out: Path = typer.Option(DEFAULT_OUT, "-o", "--out", help="Output folder.")) -> None:
    """Compile the bundled example paper into ./arcxiv-out."""
    with resources.as_file(resources.files("arcxiv").joinpath("data", "example.txt")) as example:
        _compile(example, out, None, None, False)


EXPORT_FORMATS = ("anki", "csv", "gift", "qti", "markdown", "html")


def _load_curriculum(path: Path):
    """A curriculum.json read back and checked against the published schema."""
    from .models import Curriculum
    from .schema import validate

    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError, ValueError) as e:
        raise InputError(f"cannot read {path} as JSON: {e}") from None
    problems = validate(data) if isinstance(data, dict) else ["(top): not a JSON object"]
    if problems:
        raise InputError(f"{path} is not an arcxiv.curriculum/1 file: {problems[0]}")
    return Curriculum.model_validate(data)


@app.command("export")
def export_cmd(
    curriculum: Path = typer.Argument(..., help="A curriculum.json written by arcxiv compile."),
    to: str = typer.Option(..., "--to", help="anki (.apkg), csv (Anki/Quizlet TSV and a quiz CSV), gift (Moodle), "
                                             "qti (QTI 2.1), markdown (a note vault) or html (the static course)."),
    out: Optional[Path] = typer.Option(None, "-o", "--out", help="Output folder; default: a folder named after "
                                                                 "the format next to CURRICULUM.json."),
) -> None:
    """Export a compiled curriculum for Anki, Quizlet, Moodle, QTI players, note apps or a browser."""
    from .pipeline import write_outputs
    from .render.exports import EXPORTERS

    if to not in EXPORT_FORMATS:
        _fail(InputError(f"unknown export format {to!r}; choose one of {', '.join(EXPORT_FORMATS)}."))
    target = out or curriculum.resolve().parent / f"export-{to}"
    try:
        files = EXPORTERS[to](_load_curriculum(curriculum))
        write_outputs(files, target)
    except ArcxivError as e:
        _fail(e)
    except OSError as e:
        _fail(ArcxivError(f"cannot write {target}: {e.strerror or e}"))
    err.print(f"[green]wrote[/] {len(files)} file(s) to {target}: {', '.join(sorted(files)[:4])}"
              f"{' …' if len(files) > 4 else ''}")


@app.command()
def serve(
    host: str = typer.Option("127.0.0.1", "--host", help="Address to listen on (loopback by default)."),
    port: int = typer.Option(8000, "--port", help="Port to listen on."),
    db: Optional[str] = typer.Option(None, "--db", help="Database URL: sqlite:///FILE or postgresql://USER@HOST/DB; "
                                                        "default: SQLite in the user's data folder."),
    multi_user: bool = typer.Option(False, "--multi-user", help="Accounts with passwords instead of one local learner."),
) -> None:
    """Run the web app: paste or upload papers, learn, review cards, take quizzes."""
    import uvicorn

    from .web import create_app

    try:
        application = create_app(db, multi_user=multi_user)
    except ArcxivError as e:
        _fail(e)
    err.print(f"ArcXiv on http://{host}:{port}/ ({'accounts' if multi_user else 'one learner'}, "
              f"database {application.state.store.url.split('@')[-1]})")
    uvicorn.run(application, host=host, port=port, log_level="warning")


@app.command()
def batch(
    source: str = typer.Argument(..., help="A folder of paper files, a JSON-lines file (arXiv metadata shape), "
                                           "or - for such lines on stdin."),
    out: Path = typer.Option(..., "-o", "--out", help="Output folder: one folder per paper, index.json/html, "
                                                      "errors.jsonl."),
    engine: str = typer.Option("local", "--engine", help="local (a process pool) or ray."),
    workers: int = typer.Option(1, "--workers", min=1, help="Processes for the local engine (CPUs for a local Ray)."),
    ray_address: Optional[str] = typer.Option(None, "--ray-address", help="A Ray cluster to join (default: start "
                                                                          "a local Ray)."),
) -> None:
    """Compile many papers; a rerun skips what is done; one bad paper never stops the batch (exit 4 if any failed)."""
    from .batch import run_batch

    tty = err.is_terminal
    bar = None
    if tty:
        from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeRemainingColumn

        bar = Progress(TextColumn("compiling"), BarColumn(), MofNCompleteColumn(), TextColumn("{task.fields[rate]}"),
                       TimeRemainingColumn(), console=err)
        task = bar.add_task("batch", total=None, rate="")
        bar.start()
    import time

    started = time.perf_counter()  # the rate counts from the start: model loading is part of the wait

    def progress(done: int, total: int, result: dict | None) -> None:
        rate = done / max(time.perf_counter() - started, 1e-9)
        if bar is not None:
            bar.update(task, completed=done, total=total, rate=f"{rate:.1f} papers/s")
        elif done == total or done % 50 == 0 or (result and not result["ok"]):
            status = "ok" if result and result["ok"] else f"FAILED {result['name']}: {result['error']}" if result else ""
            err.print(f"[{done}/{total}] {rate:.1f} papers/s {status}")

    try:
        result = run_batch(source, out, engine=engine, workers=workers, ray_address=ray_address, progress=progress)
    except ArcxivError as e:
        if bar is not None:
            bar.stop()
        _fail(e)
    if bar is not None:
        bar.stop()
    err.print(f"{result.total} papers: {result.compiled} compiled, {result.skipped} already done, "
              f"{result.failed} failed ({result.seconds:.1f} s); index at {out / 'index.html'}")
    if result.failed:
        err.print(f"[yellow]see {out / 'errors.jsonl'} for the failures[/]")
        raise typer.Exit(4)


@app.command("verify")
def verify_cmd(curriculum: Path = typer.Argument(..., help="A curriculum.json written by arcxiv.")) -> None:
    """Check a curriculum.json: its schema, and the grounding contract on every statement."""
    from .models import Curriculum
    from .schema import validate
    from .verify import verify

    try:
        data = json.loads(curriculum.read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError, ValueError) as e:
        _fail(InputError(f"cannot read {curriculum} as JSON: {e}"))
    problems = validate(data) if isinstance(data, dict) else ["(top): not a JSON object"]
    if not problems:
        checked = verify(Curriculum.model_validate(data))
        problems = [f"{d.where}: {d.reason}" for d in checked.grounding.dropped]
        g = checked.grounding
        summary = f"{g.checked} statements and titles checked"
    else:
        summary = "schema check failed"
    for p in problems[:50]:
        err.print(f"[red]✗[/] {p}")
    if problems:
        typer.echo(f"FAIL {curriculum}: {len(problems)} problem(s); {summary}")
        raise typer.Exit(3)
    typer.echo(f"PASS {curriculum}: {summary}, all grounded")


def main() -> None:
    try:
        app()
    except KeyboardInterrupt:
        err.print("interrupted")
        sys.exit(130)
