"""The stages in order: ingest -> analyse -> plan -> generate -> verify, then render."""
from __future__ import annotations

import hashlib
import os
import re
import sys
from pathlib import Path

from . import __version__
from .analyse import analyse
from .errors import GroundingError, InputError
from .generate import generate
from .generate.deepdive import deep_dive
from .ingest import MAX_PAPER_BYTES, ingest
from .ingest.archive import pack_folder
from .ingest.normalize import too_big
from .models import Curriculum, DeepDive, Paper
from .outdir import write_outputs  # noqa: F401  (the writer of every output folder)
from .plan import plan
from .render.html import to_html
from .render.json_out import to_json
from .render.markdown import to_markdown
from .verify import verify


def compile_paper(paper: Paper, deep_dives: bool = False, doc=None) -> Curriculum:
    """Paper -> verified Curriculum. Pure: touches no files. Deep dives only when asked."""
    p = plan(analyse(paper, doc))
    cur = generate(p)
    if deep_dives:
        cur.deep_dives = [deep_dive(p, cur, s.id) for s in p.sections]
    return verify(cur)


def cache_dir() -> Path:
    """$ARCXIV_CACHE, else the user's cache folder (XDG_CACHE_HOME or ~/.cache)/arcxiv."""
    if os.environ.get("ARCXIV_CACHE"):
        return Path(os.environ["ARCXIV_CACHE"])
    return Path(os.environ.get("XDG_CACHE_HOME") or Path.home() / ".cache") / "arcxiv"


def build_deep_dive(paper: Paper, section: str) -> DeepDive:
    """One section's deep dive, verified; InputError names the sections when ``section`` is none of them."""
    p = plan(analyse(paper))
    cur = generate(p)
    cur.deep_dives = [deep_dive(p, cur, section)]
    return verify(cur).deep_dives[0]


def deep_dive_for(paper: Paper, section: str, cache: Path | None = None) -> DeepDive:
    """One section's deep dive, generated the first time and then read from a cache
    keyed by the paper's content, the compiler version and the section asked for."""
    cache = cache if cache is not None else cache_dir()
    key = hashlib.sha256(f"{__version__}\x1f{paper.sha256}\x1f{paper.title}\x1f{section}".encode()).hexdigest()
    path = cache / "deep-dives" / f"{key}.json"
    try:
        return DeepDive.model_validate_json(path.read_text(encoding="utf-8"))
    except (OSError, ValueError):
        pass
    dive = build_deep_dive(paper, section)
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        tmp = path.with_suffix(f".{os.getpid()}.tmp")
        tmp.write_text(dive.model_dump_json(), encoding="utf-8")
        os.replace(tmp, path)
    except OSError:
        pass  # a cache that cannot be written only costs time
    return dive


_ARXIV_ID = re.compile(r"(?:arxiv:)?(?:\d{4}\.\d{4,5}|[a-z-]+(?:\.[A-Z]{2})?/\d{7})(?:v\d+)?", re.I)
_URL = re.compile(r"[a-z][a-z0-9+.-]*://", re.I)


def source_name(path: str | Path) -> str:
    return "standard input" if str(path) == "-" else str(path)


def read_source(path: str | Path, stdin=None) -> bytes:
    """The bytes of a paper file, or of standard input for "-"; never more than MAX_PAPER_BYTES
    (ingest holds text formats to their own, smaller limit). A folder is a paper's LaTeX source."""
    name = str(path)
    if name == "-":
        data = (stdin or sys.stdin.buffer).read(MAX_PAPER_BYTES + 1)
        if len(data) > MAX_PAPER_BYTES:
            raise too_big("standard input", len(data), MAX_PAPER_BYTES)
        return data
    path = Path(path)
    try:
        if path.is_dir():
            return pack_folder(path, name)
        size = path.stat().st_size
        if size > MAX_PAPER_BYTES:
            raise too_big(name, size, MAX_PAPER_BYTES)
        return path.read_bytes()
    except IsADirectoryError:
        raise InputError(f"{name} is a directory, not a paper file.") from None
    except FileNotFoundError:
        if _URL.match(name) or _ARXIV_ID.fullmatch(name):
            raise InputError(f"{name} is not a file here, and ArcXiv works offline: it never fetches papers. Save "
                             "the paper first (the arXiv API's Atom response for it, such as "
                             "export.arxiv.org/api/query?id_list=ID saved as paper.xml, or its title and abstract in "
                             "a text file), then compile that file.") from None
        raise InputError(f"{name} does not exist.") from None
    except PermissionError:
        raise InputError(f"{name} cannot be read (permission denied).") from None


def compile_file(path: str | Path, fmt: str | None = None, paper_id: str | None = None, strict: bool = False,
                 deep_dives: bool = False) -> Curriculum:
    paper = ingest(read_source(path), fmt=fmt, paper_id=paper_id, name=source_name(path))
    cur = compile_paper(paper, deep_dives=deep_dives)
    if strict and cur.grounding.dropped:
        first = cur.grounding.dropped[0]
        raise GroundingError(f"{len(cur.grounding.dropped)} statement(s) break the grounding contract; "
                             f"first: {first.where}: {first.reason}.")
    return cur


def render_files(cur: Curriculum) -> dict[str, str]:
    """Every output of a compile: the JSON, the Markdown and the HTML course."""
    return {"curriculum.json": to_json(cur), "curriculum.md": to_markdown(cur), **to_html(cur)}
