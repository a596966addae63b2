"""Ingest: bytes -> Paper.

    ingest(data, fmt=None, paper_id=None, name="input") -> Paper
    count_papers(data, fmt=None) -> int

Every problem with the input is reported as one InputError whose message says
what to do; nothing else escapes. Checks run in this order: size, empty,
whitespace only, binary, UTF-8; then the format (detected from the content
unless ``fmt`` is given); then the format's own parsing; then, on the paper's
text, "too long" (over MAX_CHARS characters), "Chinese or Japanese script" and
"no abstract".

``paper_id`` picks one paper out of a multi-paper file (arXiv JSON, Atom,
BibTeX) by id, or by 1-based position; for single-paper formats (page, text,
markdown) it is simply recorded as the paper's id.
"""
from __future__ import annotations

from contextlib import contextmanager

from ..errors import InputError
from ..models import Paper
from . import arxiv_json, atom, bibtex, markdown, page, text
from .detect import detect
from .normalize import MAX_BYTES, MAX_CHARS, decode

FORMATS = ("page", "text", "markdown", "arxiv-json", "atom", "bibtex")
_PARSERS = {
    "page": page,
    "text": text,
    "markdown": markdown,
    "arxiv-json": arxiv_json,
    "atom": atom,
    "bibtex": bibtex,
}
_MULTI = ("arxiv-json", "atom", "bibtex")  # formats that can hold several papers

__all__ = ["FORMATS", "MAX_BYTES", "MAX_CHARS", "count_papers", "detect_format", "ingest"]


def ingest(data: bytes, fmt: str | None = None, paper_id: str | None = None, name: str = "input") -> Paper:
    source = decode(data, name)
    fmt = _format(source, fmt, name)
    if paper_id is not None:
        paper_id = str(paper_id).strip() or None
    with _only_input_errors(fmt, name):
        return _PARSERS[fmt].parse(source, paper_id=paper_id, name=name)


def count_papers(data: bytes, fmt: str | None = None, name: str = "input") -> int:
    """How many papers the input holds (1 for single-paper formats)."""
    source = decode(data, name)
    fmt = _format(source, fmt, name)
    with _only_input_errors(fmt, name):
        return len(_PARSERS[fmt].records(source, name)) if fmt in _MULTI else 1


def detect_format(data: bytes, fmt: str | None = None, name: str = "input") -> str:
    """The format ``ingest`` would use for these bytes."""
    return _format(decode(data, name), fmt, name)


def _format(source: str, fmt: str | None, name: str) -> str:
    if fmt is None:
        found = detect(source)
        if found == "latex":  # read as text it would teach "\\usepackage{amsmath"
            raise InputError(f"{name} is LaTeX source (it has \\documentclass, \\usepackage or \\begin{{document}}), "
                             "which ArcXiv cannot read yet; put the paper's title and abstract in a text file and "
                             "compile that.")
        return found
    if fmt not in FORMATS:
        raise InputError(f"unknown format {fmt!r}; choose one of: {', '.join(FORMATS)}.")
    return fmt


@contextmanager
def _only_input_errors(fmt: str, name: str):
    # The contract is "bad input -> InputError, never a traceback"; the parsers
    # raise InputError themselves, and this is the safety net for anything missed.
    try:
        yield
    except InputError:
        raise
    except RecursionError:
        raise InputError(f"{name} is nested too deeply to be a paper; simplify it.") from None
    except Exception as err:
        raise InputError(
            f"{name} could not be read as {fmt} ({type(err).__name__}: {err}); check the file, or name its format."
        ) from err
