"""Guess the input format from the content alone (file names can lie)."""
from __future__ import annotations

import re

_XML_START = re.compile(r"<\?xml|<feed[\s>]|<!doctype|<article[\s>]", re.IGNORECASE)
# A JATS/NLM article: its DOCTYPE names the JATS or NLM DTD, or its root is <article> with <front>.
_JATS = re.compile(r"<!DOCTYPE\s+article\b|<article[\s>][\s\S]{0,4000}?<front[\s>]|JATS|NLM//DTD", re.IGNORECASE)
_JSON_START = re.compile(r"\{|\[\s*[{\]]")
_BIB_START = re.compile(r"@\s*[A-Za-z]+\s*[{(]")
_BIB_COMMENT = re.compile(r"(?:[ \t]*%[^\n]*\n|\s+)*")  # leading "% ..." lines some tools write
_ABSTRACT_LINE = re.compile(r"\s*abstract\s*:?\s*", re.IGNORECASE)
_ATX_HEADING = re.compile(r"^#{1,6}[ \t]+\S", re.MULTILINE)
_LATEX_SOURCE = re.compile(r"^[ \t]*\\(?:documentclass|documentstyle|usepackage|begin\{document\})", re.MULTILINE)


def is_abstract_line(line: str) -> bool:
    return _ABSTRACT_LINE.fullmatch(line) is not None


def detect(text: str) -> str:
    """Return one of the format names; the order matters (most specific first)."""
    head = text.lstrip("\ufeff \t\n")
    if _XML_START.match(head):
        return "jats" if _JATS.search(head[:8192]) else "atom"
    if _JSON_START.match(head):
        return "arxiv-json"
    if _BIB_START.match(head, _BIB_COMMENT.match(head).end()):
        return "bibtex"
    if _LATEX_SOURCE.search(text):
        return "latex"
    first_lines = [line for line in text.split("\n") if line.strip()][:10]
    if any(is_abstract_line(line) for line in first_lines):
        return "page"
    if _ATX_HEADING.search(text):
        return "markdown"
    return "text"

