"""Shared by the multi-paper formats (arXiv JSON, Atom, BibTeX): one record each,
and picking the one the user asked for with --id."""
from __future__ import annotations

import re
from dataclasses import dataclass

from ..errors import InputError
from ..models import Paper
from .normalize import make_paper


@dataclass(frozen=True)
class Record:
    id: str | None
    title: str | None
    abstract: str | None
    authors: tuple[str, ...] = ()
    categories: tuple[str, ...] = ()


# "A, B and C", "A, B, and C", "A and B"
_AUTHOR_SEP = re.compile(r"\s*,\s*(?:and\s+)?|\s+and\s+|\s*;\s*")
_VERSION = re.compile(r"v\d+$")


def split_authors(text: str) -> tuple[str, ...]:
    return tuple(a for a in (part.strip() for part in _AUTHOR_SEP.split(text)) if a)


def choose(records: list[Record], paper_id: str | None, name: str) -> Record:
    """By exact id, then by id without its version suffix, then by 1-based position."""
    n = len(records)
    if n == 0:
        raise InputError(f"{name} contains no papers; give a file with at least one paper.")
    if paper_id is None:
        if n == 1:
            return records[0]
        raise InputError(
            f"{name} contains {n} papers; choose one with --id, giving an id such as "
            f"{_example(records)} or a position from 1 to {n}."
        )
    wanted = paper_id.strip()
    for record in records:
        if record.id == wanted:
            return record
    # "2101.00001" should find "2101.00001v2" when that is the only version present.
    loose = [r for r in records if r.id and _VERSION.sub("", r.id) == _VERSION.sub("", wanted)]
    if len(loose) == 1:
        return loose[0]
    if wanted.isdigit() and 1 <= int(wanted) <= n:
        return records[int(wanted) - 1]
    if n == 1:
        raise InputError(
            f"{name} has no paper with id {wanted!r}; its one paper has id {records[0].id or '(none)'}, so leave out --id."
        )
    raise InputError(
        f"{name} has no paper with id {wanted!r}; it contains {n} papers, so give one of their ids "
        f"(for example --id {_example(records)}) or a position from 1 to {n}."
    )


def _example(records: list[Record]) -> str:
    return next((r.id for r in records if r.id), "1")


def to_paper(record: Record, fmt: str, name: str) -> Paper:
    return make_paper(
        title=record.title,
        text=record.abstract or "",
        fmt=fmt,
        name=name,
        paper_id=record.id,
        authors=record.authors,
        categories=record.categories,
        where=f"paper {record.id}" if record.id else "",
    )


def load(records: list[Record], paper_id: str | None, fmt: str, name: str) -> Paper:
    return to_paper(choose(records, paper_id, name), fmt, name)
