"""Builders for the four kinds of Statement, so every text is made from its spans."""
from __future__ import annotations

import re

from ..models import Span, Statement, TermInfo

SEPARATOR = " … "


def quote(src: str, span: Span) -> Statement:
    return Statement(text=src[span[0]:span[1]], kind="quote", spans=[span])


def extract(src: str, spans) -> Statement:
    spans = [s for s in spans if s[1] > s[0]]
    return Statement(text=SEPARATOR.join(src[a:b] for a, b in spans), kind="extract", spans=list(spans))


def rephrase(text: str, spans) -> Statement:
    return Statement(text=text, kind="rephrase", spans=list(spans))


def scaffold(text: str, spans=()) -> Statement:
    return Statement(text=text, kind="scaffold", spans=list(spans))


def trim(src: str, span: Span) -> Span:
    """Drop surrounding spaces and trailing punctuation from a span."""
    a, b = span
    while a < b and src[a] in " ,;:":
        a += 1
    while b > a and src[b - 1] in " ,;:.":
        b -= 1
    return a, b


def window(src: str, span: Span, within: Span, words: int = 7) -> Span:
    """The mention with up to ``words`` words of context on each side, inside ``within``
    and never across a clause break, so the context reads as a phrase."""
    a, b = span
    lo = within[0]
    for p in (": ", "; ", " -- ", ", "):
        k = src.rfind(p, within[0], a)
        if k >= 0:
            lo = max(lo, k + len(p))
    starts = [m.start() + lo for m in re.finditer(r"\S+", src[lo:a])]
    start = starts[-words] if len(starts) >= words else (starts[0] if starts else a)
    hi = within[1]
    m = re.search(r"[,;:]\s|\s--\s", src[b:within[1]])
    if m:
        hi = b + m.start()
    ends = [m.end() + b for m in re.finditer(r"\S+", src[b:hi])]
    end = ends[words - 1] if len(ends) >= words else (ends[-1] if ends else b)
    return whole_phrase(src, (start, end), span)


_DANGLING = re.compile(r"(?i)(?:\s+(?:the|a|an|of|and|or|in|on|to|for|with|by|at|from|as|that|which|its|their|"
                       r"e\.g|i\.e|than|into|via|between|both|such|is|are|was|were|be))+\.?$")


def whole_phrase(src: str, span: Span, keep: Span) -> Span:
    """Cut a fragment so it reads as a phrase: no dangling "of the", no half bracket,
    never cutting into ``keep`` (the words it exists to show)."""
    a, b = trim(src, span)
    piece = src[a:b]
    # a half bracket: close it when the shown words are inside it, else leave it out
    if piece.count("(") > piece.count(")"):
        open_at = a + piece.rfind("(")
        close = src.find(")", b, b + 80)
        if open_at >= keep[1]:
            b = open_at
        elif close >= 0:
            b = close + 1
    piece = src[a:b]
    if piece.count(")") > piece.count("("):
        close_at = a + piece.find(")")
        opening = src.rfind("(", max(0, a - 80), a)
        if close_at < keep[0]:
            a = close_at + 1
        elif opening >= 0:
            a = opening
    m = _DANGLING.search(src[a:b])
    if m and a + m.start() >= keep[1]:
        b = a + m.start()
    return trim(src, (a, b))


def term_mention_in(term: TermInfo, within: Span) -> Span | None:
    return next(((a, b) for a, b in term.mentions if within[0] <= a and b <= within[1]), None)


def occurs(phrase: str, text: str) -> bool:
    """``phrase`` appears in ``text`` as a whole word or symbol (case-insensitive); no regex,
    since this runs for every option of every quiz item."""
    p, t = phrase.strip().lower(), text.lower()
    if not p:
        return False
    start = t.find(p)
    while start >= 0:
        end = start + len(p)
        before = t[start - 1] if start else " "
        after = t[end] if end < len(t) else " "
        if not (before.isalnum() or before in "_*") and not (after.isalnum() or after in "_*"):
            return True
        start = t.find(p, start + 1)
    return False


def label_mention(src: str, t: TermInfo) -> Span | None:
    """Where the source writes the term as its label, to cite when a sentence names it;
    None when it never does (only a long form or a variant)."""
    as_label = [m for m in t.mentions if src[m[0]:m[1]].lower() == t.label.lower()]
    if t.short_span in as_label:
        return t.short_span
    return as_label[0] if as_label else None
