"""A whole paper as its readers find it (LaTeX, PDF, JATS) -> one Paper.

Each reader fills a Document: title, authors, abstract paragraphs, the section
tree in reading order, references and notes. ``to_paper`` lays it out as one
text ("Abstract", then each heading line followed by its paragraphs) and records
every section's body span, so the stages after ingest treat all three forms alike.
"""
from __future__ import annotations

from dataclasses import dataclass, field

from ..errors import InputError
from ..models import Paper, SourceSection
from .normalize import MAX_PAPER_CHARS, make_paper, normalize_line, normalize_text

ABSTRACT = "Abstract"


@dataclass
class DocSection:
    title: str  # as the paper prints it, numbering included ("2.1 Data")
    level: int = 1
    paragraphs: list[str] = field(default_factory=list)


@dataclass
class Document:
    title: str | None = None
    authors: list[str] = field(default_factory=list)
    abstract: list[str] = field(default_factory=list)
    sections: list[DocSection] = field(default_factory=list)
    references: list[str] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)


def to_paper(doc: Document, fmt: str, name: str, paper_id: str | None = None) -> Paper:
    pieces: list[str] = []
    sections: list[SourceSection] = []
    offset = 0
    parts = ([DocSection(ABSTRACT, 1, doc.abstract)] if doc.abstract else []) + doc.sections
    top_level = min((p.level for p in parts), default=1)
    top = ""
    for part in parts:
        body = normalize_text("\n\n".join(normalize_text(p) for p in part.paragraphs))
        heading = normalize_line(part.title)
        if not heading and not body:
            continue
        if part.level <= top_level or not top:
            top = heading
        if heading:  # the heading stays in the text, outside the span ("Methods" over its subsections too)
            offset += (2 if pieces else 0) + len(heading)
            pieces.append(heading)
        if not body:
            continue  # a heading with only subsections has nothing of its own to point at
        start = offset + (2 if pieces else 0)
        pieces.append(body)
        offset = start + len(body)
        sections.append(SourceSection(title=heading or top, span=(start, offset), level=max(1, part.level), part=top))
    if not sections:
        raise InputError(f"{name} has no text to teach: no abstract and no section with paragraphs was found in it.")
    if not doc.abstract:
        doc.notes.append("The paper has no abstract that could be found; its first section opens the course.")
    text = "\n\n".join(pieces)
    return make_paper(title=doc.title, text=text, fmt=fmt, name=name, paper_id=paper_id, authors=doc.authors,
                      sections=tuple(sections), references=doc.references, notes=doc.notes,
                      max_chars=MAX_PAPER_CHARS)
