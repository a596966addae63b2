"""BibTeX entries (bibtexparser 2.x); the entry key is the paper id."""
from __future__ import annotations

import logging
import re
from contextlib import contextmanager

import bibtexparser
from bibtexparser.model import DuplicateBlockKeyBlock

from ..errors import InputError
from ..models import Paper
from .latex import bibtex_to_text
from .records import Record, load

FORMAT = "bibtex"
_AND_OR_BRACE = re.compile(r"[{}]|\s+and\s+", re.IGNORECASE)
_BRACE = re.compile(r"[{}]")


def parse(text: str, paper_id: str | None = None, name: str = "input") -> Paper:
    return load(records(text, name), paper_id, FORMAT, name)


def records(text: str, name: str = "input") -> list[Record]:
    _check_braces(text, name)
    try:
        with _quiet():
            library = bibtexparser.parse_string(text)
    except Exception as err:  # the parser's own errors are not part of our contract
        raise InputError(f"{name} could not be read as BibTeX ({err}); check its entries.") from None
    if library.failed_blocks:
        raise _failed(library.failed_blocks[0], name)
    if not library.entries:
        raise InputError(f"{name} has no BibTeX entries; give entries like @article{{key, title={{...}}, abstract={{...}}}}.")
    return [_record(entry) for entry in library.entries]


def _record(entry) -> Record:
    fields = {key.lower(): str(field.value) for key, field in entry.fields_dict.items()}
    return Record(
        id=entry.key or None,
        title=bibtex_to_text(fields["title"]) if "title" in fields else None,
        abstract=bibtex_to_text(fields["abstract"]) if "abstract" in fields else None,
        authors=_authors(fields.get("author", "")),
        categories=tuple(fields.get("primaryclass", "").split()),  # arXiv's own BibTeX export
    )


def _authors(value: str) -> tuple[str, ...]:
    # Names are separated by "and" outside braces ({Barnes and Noble} is one name);
    # "Last, First" is turned round to "First Last".
    parts, depth, start = [], 0, 0
    for match in _AND_OR_BRACE.finditer(value):
        token = match.group()
        if token in "{}":
            depth += 1 if token == "{" else -1
        elif depth == 0:
            parts.append(value[start : match.start()])
            start = match.end()
    parts.append(value[start:])
    names = []
    for part in parts:
        last, _, first = bibtex_to_text(part).partition(",")
        names.append(f"{first.strip()} {last.strip()}".strip())
    return tuple(n for n in names if n)


def _check_braces(text: str, name: str) -> None:
    # BibTeX itself counts every brace, escaped or not; so do we.
    open_at: list[int] = []
    for match in _BRACE.finditer(text):
        if match.group() == "{":
            open_at.append(match.start())
        elif open_at:
            open_at.pop()
        else:
            line = text.count("\n", 0, match.start()) + 1
            raise InputError(f"{name} has unbalanced braces: the '}}' on line {line} closes nothing; remove it or add its '{{'.")
    if open_at:
        line = text.count("\n", 0, open_at[-1]) + 1
        raise InputError(f"{name} has unbalanced braces: the '{{' on line {line} is never closed; add the missing '}}'.")


def _failed(block, name: str) -> InputError:
    line = (block.start_line or 0) + 1
    if isinstance(block, DuplicateBlockKeyBlock):
        return InputError(f"{name} has two entries with the key {block.key!r} (line {line}); give each entry its own key.")
    error = block.error
    reason = getattr(error, "abort_reason", None) or getattr(error, "message", None) or str(error)
    reason = " ".join(str(reason).split()).rstrip(".") or "syntax error"
    return InputError(
        f"{name} has a BibTeX entry on line {line} that could not be parsed ({reason}); "
        "check its commas, quotes and braces."
    )


@contextmanager
def _quiet():
    # bibtexparser logs parse problems as warnings; we report them as InputError instead.
    logger = logging.getLogger("bibtexparser")
    previous = logger.level
    logger.setLevel(logging.CRITICAL)
    try:
        yield
    finally:
        logger.setLevel(previous)
