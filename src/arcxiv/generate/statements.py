"""Builders for the four kinds of Statement, so every text is made from its spans."""
from __future__ import annotations

import re

from ..models import Span, Statement, TermInfo

SEPARATOR = " … "
# "(Figure 1 and Supplementary file 2)", "(see Table 3)", "(Fig. 2A)": a pointer to what a statement cannot show
_POINTER = re.compile(r"\s*\((?:(?:see |cf\. )?(?:Fig(?:ure)?s?\.?|Tables?|Supplementary|Additional file|Eqs?\.|"
                      r"Equations?|Appendix|Section|S\d)[^()]*|[A-H](?:[,–-][A-H])*)\)")  # "(A)": a figure's panel


def quote(src: str, span: Span) -> Statement:
    return Statement(text=src[span[0]:span[1]], kind="quote", spans=[span])


def extract(src: str, spans) -> Statement:
    spans = [s for s in spans if s[1] > s[0]]
    return Statement(text=SEPARATOR.join(src[a:b] for a, b in spans), kind="extract", spans=list(spans))


def without_pointer(src: str, span: Span) -> Statement:
    """The sentence at ``span``; when it ends on a pointer to a figure or table ("… substitutions (Figure 1)."),
    the extract before it: a statement cannot show the figure, and the source panel can."""
    a, b = span
    tail = None
    for m in _POINTER.finditer(src, a, b):
        if not src[m.end():b].strip(" .;,"):
            tail = m
    if tail is None or not src[a:tail.start()].strip():
        return quote(src, span)
    return extract(src, [(a, tail.start())])


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
