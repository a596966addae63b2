"""Whole units of the proposition layer, to cite: never a window of characters.

``unit_around`` answers "which words show this mention in context": the smallest proposition unit
that holds it, reads on its own and keeps every negation, modal, quantity and criterion of its
clause — a context part ("under the Barron-Hermite target condition"), the whole clause with its
conditions, the clause without its asides, a leaning clause with the one it leans on — else nothing.
"""
from __future__ import annotations

import re

from ..analyse.propositions import LEANS, Proposition, minus
from ..analyse.sentences import reads_whole
from ..models import Analysis, Span, Statement
from .statements import extract, trim

MAX_WORDS = 32
_OPENERS = re.compile(r"(?i)^(?:and|or|but|nor|so|yet)\s+(?:(?:hence|thus|therefore|also|then)\s+)?")
_CONNECTIVE = re.compile(r"(?i)^(?:(?:and|or|but|nor|so|yet|while|whereas)\s+)?(?:(?:hence|thus|therefore|consequently|"
                         r"also|then)\b,?\s*)?")


def proposition_at(an: Analysis, span: Span) -> Proposition | None:
    """The proposition whose clause holds ``span`` (the innermost when clauses nest)."""
    best = None
    for p in an.propositions_in(an.sentence_at(span[0])):
        if any(a <= span[0] and span[1] <= b for a, b in p.spans):
            if best is None or p.span[1] - p.span[0] < best.span[1] - best.span[0]:
                best = p
    return best


_RELATIVE = re.compile(r"(?i)^(?:which|who|whom|whose|where)\b")


def with_leaners(an: Analysis, p: Proposition, every: bool = False) -> list[Span]:
    """A claim with what completes it right after it: a relative clause ("… the kidney, which
    presents unique barriers …") or the list a colon opens ("a key property: production fitness,
    kidney tropism, and thermostability"); with ``every``, each clause that leans on it too
    ("…, but their native serotypes face limitations …", ": it is supported on …")."""
    src, spans = an.paper.text, list(p.spans)
    for q in an.propositions_in(p.sentence):
        if q.span[0] < spans[-1][1]:
            continue
        between, words = src[spans[-1][1]:q.span[0]], src[q.span[0]:q.span[1]]
        completes = _RELATIVE.match(words) or between.strip() == ":" and not LEANS.match(words)
        if not q.leans or between.strip(" ,;:") or not (every or completes):
            break
        spans = spans[:-1] + [(spans[-1][0], q.spans[0][1])] + list(q.spans[1:])
    return spans


def unit_around(an: Analysis, mention: Span, max_words: int = MAX_WORDS, parts: bool = True) -> Statement | None:
    """None when no unit reads whole: the sentence itself is quoted where it is taught."""
    src = an.paper.text
    p = proposition_at(an, mention)
    if p is not None:
        for limit in (max_words, 2 * max_words):  # a short unit first, a long clause before nothing
            for spans in _candidates(an, p, mention, parts):
                n = sum(len(src[a:b].split()) for a, b in spans)
                if 3 <= n <= limit and reads_whole(src, spans) and _keeps_qualifiers(p, spans):
                    return extract(src, spans)
    return None


def _candidates(an: Analysis, p: Proposition, mention: Span, parts: bool = True):
    """From the smallest unit to the largest: a context part that holds the mention, the whole
    clause, the clause without the asides that do not hold it; a clause that leans on the one
    before it ("it is supported on …") together with that clause."""
    src = an.paper.text

    def holds(sp):
        return sp[0] <= mention[0] and mention[1] <= sp[1]
    for part in sorted(p.parts, key=lambda q: q.span[1] - q.span[0]) if parts else ():
        if part.kind in ("condition", "purpose", "contrast", "evidence", "means", "elaboration") and holds(part.span):
            yield [part.span]
    if p.leans:
        before = [q for q in an.propositions_in(p.sentence) if q.span[1] <= p.span[0] and not q.leans]
        if before and len(p.spans) == 1:
            yield [(before[-1].spans[0][0], p.spans[0][1])]
        return
    whole = [opened(src, sp) for sp in p.spans]
    if any(holds(sp) for sp in whole):
        yield whole
        asides = [q.span for q in p.parts if q.kind == "elaboration" and not holds(q.span)]
        if asides:
            yield minus(src, whole, asides)


def _keeps_qualifiers(p: Proposition, spans) -> bool:
    return not any(q.kind in ("negation", "modality", "quantity", "criterion") and
                   not any(a <= q.span[0] and q.span[1] <= b for a, b in spans) for q in p.parts)


def opened(src: str, span: Span, connective: bool = False) -> Span:
    """Drop a leading "and"/"but" that only joined the clause to its sentence; with ``connective``
    (the clause stands under a heading that says it: "What follows from it"), "hence" too."""
    m = (_CONNECTIVE if connective else _OPENERS).match(src[span[0]:span[1]])
    return (span[0] + m.end(), span[1]) if m and m.end() < span[1] - span[0] else span


def relation_statement(an: Analysis, r) -> Statement | None:
    """A relation in the source's words, never stronger than the source: its own words when no
    negation, modal, quantity or criterion of its clause stands outside them, else the whole clause."""
    src = an.paper.text
    span = trim(src, r.span)
    p = proposition_at(an, span)
    # a relation is what its clause says of its subject: "D*orb is separated from …"; a term that
    # only stands beside a participle or inside a list ("robots, reducing setup complexity") is not
    subject = [q.span for q in p.of("subject")] if p else []
    first = next(((a, b) for a, b in an.terms[r.source_key].mentions if span[0] <= a < span[1]), None)
    if first is None or not any(x <= first[0] and first[1] <= y for x, y in subject):
        return None
    if any(re.match(r"(?i)(?:its|their|this|these|those|such)\b", src[x:y]) for x, y in subject):
        return None  # "their native serotypes face limitations": whose, the card cannot say
    # the whole subject: "The flaring Sun spectrum is …", not "flaring Sun spectrum is …"; the whole
    # object phrase: "uses the Sun as a spatially resolved template to interpret stellar spectra"
    span = (min([span[0]] + [x for x, y in subject if x <= first[0] and first[1] <= y]), span[1])
    rest = re.match(r"\s+(?:as|to|into|for|from|with|in|on|by)\b[^,;:]*", src[span[1]:p.span[1]])
    if rest:
        span = (span[0], span[1] + len(rest.group(0).rstrip(" .")))
    if _keeps_qualifiers(p, [span]) and not any(q.kind == "condition" and q.span[1] <= span[0]
                                                              for q in p.parts):
        return extract(src, [span]) if reads_whole(src, [span]) else None
    whole = [opened(src, sp) for sp in p.spans]
    if p.leans or not reads_whole(src, whole) or sum(len(src[a:b].split()) for a, b in whole) > MAX_WORDS:
        return None
    return extract(src, whole)
