"""Ingest: bytes -> Paper.

    ingest(data, fmt=None, paper_id=None, name="input") -> Paper
    count_papers(data, fmt=None) -> int

Every problem with the input is reported as one InputError whose message says
what to do; nothing else escapes. Checks run in this order: size, empty,
whitespace only, binary, UTF-8; then the format (detected from the content
unless ``fmt`` is given); then the format's own parsing; then, on the paper's
text, "too long" (over MAX_CHARS characters), "Chinese or Japanese script" and
"no abstract".

Whole papers: a PDF (by its "%PDF" header), a LaTeX source archive (.tar.gz,
.tar, .zip, gzipped .tex; a folder is packed as a tar by the caller), a .tex file
(by \\documentclass) and JATS XML (by its <article> root) are read as whole papers,
up to MAX_PAPER_BYTES as given and MAX_PAPER_CHARS of text.

``paper_id`` picks one paper out of a multi-paper file (arXiv JSON, Atom,
BibTeX) by id, or by 1-based position; for single-paper formats (page, text,
markdown) it is simply recorded as the paper's id.
"""
from __future__ import annotations

import importlib
from contextlib import contextmanager

from ..errors import InputError
from ..models import Paper
from . import arxiv_json, atom, bibtex, markdown, page, text
from .archive import is_archive, read_archive
from .detect import detect
from .normalize import MAX_BYTES, MAX_CHARS, MAX_PAPER_BYTES, decode, too_big

FORMATS = ("page", "text", "markdown", "arxiv-json", "atom", "bibtex", "latex", "pdf", "jats")
WHOLE_PAPER_FORMATS = ("latex", "pdf", "jats")
_PARSERS = {
    "page": page,
    "text": text,
    "markdown": markdown,
    "arxiv-json": arxiv_json,
    "atom": atom,
    "bibtex": bibtex,
}
_WHOLE = {"latex": "tex", "jats": "jats", "pdf": "pdf"}  # imported when first needed: pdfium loads a library
_MULTI = ("arxiv-json", "atom", "bibtex")  # formats that can hold several papers

__all__ = ["FORMATS", "MAX_BYTES", "MAX_CHARS", "MAX_PAPER_BYTES", "WHOLE_PAPER_FORMATS", "count_papers",
           "detect_format", "ingest"]


def ingest(data: bytes, fmt: str | None = None, paper_id: str | None = None, name: str = "input") -> Paper:
    if paper_id is not None:
        paper_id = str(paper_id).strip() or None
    binary = _binary_format(data, fmt, name)
    if binary == "pdf":
        with _only_input_errors("pdf", name):
            return _parser("pdf").parse(bytes(data), paper_id=paper_id, name=name)
    if binary == "archive":
        with _only_input_errors("latex", name):
            return _parser("latex").parse_files(read_archive(bytes(data), name), paper_id=paper_id, name=name)
    source, fmt = _text_and_format(data, fmt, name)
    with _only_input_errors(fmt, name):
        return _parser(fmt).parse(source, paper_id=paper_id, name=name)


def _parser(fmt: str):
    if fmt in _WHOLE:
        return importlib.import_module(f".{_WHOLE[fmt]}", __name__)
    return _PARSERS[fmt]


def count_papers(data: bytes, fmt: str | None = None, name: str = "input") -> int:
    """How many papers the input holds (1 for single-paper formats)."""
    if _binary_format(data, fmt, name):
        return 1
    source, fmt = _text_and_format(data, fmt, name)
    with _only_input_errors(fmt, name):
        return len(_PARSERS[fmt].records(source, name)) if fmt in _MULTI else 1


def detect_format(data: bytes, fmt: str | None = None, name: str = "input") -> str:
    """The format ``ingest`` would use for these bytes."""
    binary = _binary_format(data, fmt, name)
    if binary:
        return "pdf" if binary == "pdf" else "latex"
    return _text_and_format(data, fmt, name)[1]


def _may_be_whole(data: bytes, fmt: str | None) -> bool:
    """JATS XML or LaTeX source, as far as the first 64 KB tell: only they may pass the text limit."""
    if fmt is not None:
        return fmt in WHOLE_PAPER_FORMATS
    head = bytes(data[:65536])
    return head.lstrip(b"\xef\xbb\xbf \t\r\n").startswith(b"<") or b"\\documentclass" in head


def _binary_format(data: bytes, fmt: str | None, name: str) -> str | None:
    """"pdf" or "archive" for input that is read as bytes, never decoded as text."""
    if fmt is not None and fmt not in FORMATS:
        raise InputError(f"unknown format {fmt!r}; choose one of: {', '.join(FORMATS)}.")
    if not isinstance(data, (bytes, bytearray, memoryview)):
        return None  # decode says what is wrong
    head = bytes(data[:1024])
    is_pdf = head.lstrip().startswith(b"%PDF")
    if fmt == "pdf" or (fmt is None and is_pdf):
        if fmt == "pdf" and not is_pdf:
            raise InputError(f"{name} is not a PDF (it does not start with %PDF); check the file, or name its format.")
        if len(data) > MAX_PAPER_BYTES:
            raise too_big(name, len(data), MAX_PAPER_BYTES)
        return "pdf"
    if fmt in (None, "latex") and is_archive(bytes(data[:300])):
        return "archive"
    return None


def _text_and_format(data: bytes, fmt: str | None, name: str) -> tuple[str, str]:
    if isinstance(data, (bytes, bytearray, memoryview)) and len(data) > MAX_BYTES and not _may_be_whole(data, fmt):
        raise too_big(name, len(data))  # size first, as documented: only a whole paper may be larger
    source = decode(data, name, limit=MAX_PAPER_BYTES)
    fmt = fmt or detect(source)
    if fmt not in WHOLE_PAPER_FORMATS and len(data) > MAX_BYTES:
        raise too_big(name, len(data))
    return source, fmt


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
