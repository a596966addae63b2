"""Propositions: what each clause of a sentence claims, with the context the source attaches to it.

A proposition is a core claim (subject, predicate, object) and its context parts — condition,
criterion ("exactly when", "if and only if": the claim's own content, never a precondition),
qualifier, modality, negation, quantity, purpose, consequence, contrast, evidence, means — each with
the span of its words, read from the dependency parse inside one clause. Generators cut extracts
only along these units, so an extract is a whole phrase or clause and keeps every negation, modal
and quantifier that governs it.
"""
from __future__ import annotations

import re
from dataclasses import dataclass

from ..models import Sentence, Span
from .claims import strip_ordinal
from .nlp import text_of, tokens_between

CONDITION_MARKS = {"if", "when", "whenever", "unless", "provided", "providing", "assuming", "given", "once",
                   "as long as", "in case", "under", "for all", "for every", "for any"}
CRITERION_MARKS = {"exactly when", "precisely when", "if and only if", "only if", "only when", "iff"}
CONTRAST_MARKS = {"although", "though", "while", "whereas", "despite", "even though", "but", "unlike", "yet"}
EVIDENCE_MARKS = {"because", "since", "as", "given that", "due to", "owing to"}
MEANS_MARKS = {"by", "via", "through", "using", "with the help of"}
CONSEQUENCE_MARKS = {"hence", "thus", "therefore", "consequently", "thereby", "so"}
NEGATIONS = {"not", "n't", "no", "never", "neither", "nor", "without", "cannot"}
MODALS = {"may", "might", "can", "could", "would", "should", "must", "will", "shall"}
QUANTITY_RX = re.compile(r"(?i)(?<![\w-])(?:at most|at least|up to|more than|less than|fewer than|no more than|"
                         r"approximately|nearly|almost|only|exactly|roughly)\s+(?!when\b|if\b)(?=[\d$(\\A-Za-z*])")
_CONDITION_NOUNS = {"condition", "assumption", "hypothesis", "regime", "constraint", "setting"}
_DETACHABLE = {"condition", "purpose", "contrast", "evidence"}


@dataclass(frozen=True)
class Part:
    kind: str
    span: Span
    marker: str = ""


@dataclass(frozen=True)
class Proposition:
    sentence: int
    role: str  # the clause's role in its sentence: claim, condition, consequence, elaboration, contrast
    spans: tuple[Span, ...]  # the whole clause, as the source writes it
    core: tuple[Span, ...]  # the clause without its detachable context (condition, purpose, contrast, evidence)
    parts: tuple[Part, ...]
    leans: bool  # reads only with its sentence ("it is …", "with …", "which …")

    @property
    def span(self) -> Span:
        return self.spans[0][0], self.spans[-1][1]

    def of(self, kind: str) -> list[Part]:
        return [p for p in self.parts if p.kind == kind]

    def conditions(self) -> list[Part]:
        """The conditions the claim is stated under, set apart from its core (a condition that a
        negation or modal governs stays inside the claim)."""
        return [p for p in self.parts if p.kind == "condition"
                and not any(a <= p.span[0] and p.span[1] <= b for a, b in self.core)]



LEANS = re.compile(r"(?i)^(?:(?:and|but|or)\s+)?(?:it|they|its|their|which|where|whose|with|without|both|the (?:two|former|latter|same)|"
                    r"such|each|all of|(?:this|these|those)(?=\s+(?:is|are|was|were|shows?|suggests?|means?|implies|"
                    r"allows?|yields?|gives?|makes?|leads?|enables?|provides?|can|may|will|has|have|in turn)\b))\b")


def propositions(text: str, sentences: list[Sentence], doc) -> list[Proposition]:
    out = []
    for s in sentences:
        for c in s.clauses:
            spans = tuple(_whole_words(text, sp) for sp in c.spans)
            spans = (strip_ordinal(text, spans[0]),) + spans[1:]
            parts = _settings(text, spans, tuple(_parts(text, doc, spans)))
            holes = [p.span for p in parts if p.kind in _DETACHABLE and not _governed(text, p.span)
                     and not any(q.kind in ("negation", "modality") and p.span[0] <= q.span[0] < p.span[1] for q in parts)]
            core = tuple(minus(text, spans, holes)) or spans
            if holes:  # "If P is …, then the order …": without its condition the claim opens at its subject
                core = tuple((a + m.end(), b) if (m := re.match(r"(?i)then\b,?\s*", text[a:b])) else (a, b)
                             for a, b in core)
            # "…, which …", "it is …", and the list after a colon ("a key property: production fitness, …")
            # read only with the words before them
            leans = bool(LEANS.match(text[spans[0][0]:spans[0][1]])) or \
                text[:spans[0][0]].rstrip().endswith(":") and not any(
                    t.pos_ in ("VERB", "AUX") for t in tokens_between(doc, spans[0][0], spans[-1][1]))
            out.append(Proposition(s.index, c.role, spans, core, parts, leans))
    return out


def _parts(text: str, doc, spans: tuple[Span, ...]):
    lo, hi = spans[0][0], spans[-1][1]
    toks = [t for t in tokens_between(doc, lo, hi) if any(a <= t.idx < b for a, b in spans)]
    if not toks:
        return
    inside = {t.i for t in toks}
    heads = [t for t in toks if t.head.i not in inside or t.head.i == t.i]
    head = next((t for t in heads if t.pos_ in ("VERB", "AUX")), heads[0])
    verbs = [head] + [c for c in head.children if c.dep_ == "conj" and c.pos_ in ("VERB", "AUX") and c.i in inside]
    for v in verbs:
        yield Part("predicate", _tok_span(v))
        for c in v.children:
            if c.i not in inside:
                continue
            dep, word = c.dep_, c.lower_
            if dep in ("nsubj", "nsubjpass", "csubj", "expl"):
                yield Part("subject", _subtree_span(c, inside))
            elif dep == "neg" or word in ("never", "cannot"):
                yield Part("negation", _tok_span(c), word)
            elif dep == "aux" and c.tag_ == "MD":
                yield Part("modality", _tok_span(c), word)
            elif dep in ("dobj", "attr", "acomp", "oprd", "xcomp", "ccomp", "dative", "agent"):
                yield Part("object", _subtree_span(c, inside))
            elif dep == "prep":
                yield Part(_prep_kind(c), _subtree_span(c, inside), word)
            elif dep == "advcl":
                mark = _mark_of(c)
                opening = text[_subtree_span(c, inside)[0]:][:24].lower()
                mark = next((m for m in CRITERION_MARKS if opening.startswith(m)), mark)
                span = _subtree_span(c, inside)
                if (then := re.search(r",?\s+then$", text[span[0]:span[1]])):  # "if X is …, then": the "then" opens the claim
                    span = (span[0], span[0] + then.start())
                yield Part(_advcl_kind(c, mark), span, mark)
            elif dep == "advmod" and word in CONSEQUENCE_MARKS:
                yield Part("consequence", _tok_span(c), word)
    direct = {c.i for v in verbs for c in v.children}
    for t in toks:  # "is supermodular under broad … conditions": a condition deeper in the clause
        if t.dep_ == "prep" and t.lower_ == "under" and t.i not in direct and \
                any(c.dep_ == "pobj" and c.lemma_.lower() in _CONDITION_NOUNS for c in t.children):
            yield Part("condition", _subtree_span(t, inside), "under")
    for t in toks:  # negations and modals anywhere in the clause govern the words after them
        if t.dep_ == "neg" and t.head not in verbs or (t.lower_ in ("no", "without") and t.dep_ in ("det", "prep")):
            yield Part("negation", _tok_span(t), t.lower_)
        elif t.tag_ == "MD" and t.head not in verbs:
            yield Part("modality", _tok_span(t), t.lower_)
    for a, b in spans:
        for m in QUANTITY_RX.finditer(text, a, b):
            yield Part("quantity", (m.start(), m.end() - 1 if text[m.end() - 1] == " " else m.end()), m.group(0).strip().lower())


_SURVIVES = re.compile(r"(?i)\b(?:despite|even (?:though|if|when)|in spite of|remains?|remained|stays?|persists?|survives?)\b")


def _settings(text: str, spans, parts: tuple[Part, ...]) -> tuple[Part, ...]:
    """"remain feasible in practice under local privacy constraints, despite …": a claim that holds
    in spite of something (it remains, stays, survives, despite, even though) is stated *under* a
    setting it survives, not a condition it needs. Such an "under" phrase is a qualifier of the claim."""
    if not any(_SURVIVES.search(text, a, b) for a, b in spans):
        return parts
    return tuple(Part("qualifier", p.span, p.marker) if p.kind == "condition" and p.marker == "under" else p
                 for p in parts)


def _governed(text: str, span: Span) -> bool:
    """A negation or modal just before a part ("do not work when …") governs it: the part stays
    with its clause."""
    before = re.split(r"[,;:()]", text[max(0, span[0] - 40):span[0]])[-1].lower().split()[-2:]
    return any(w in NEGATIONS or w in MODALS for w in before)


def _prep_kind(prep) -> str:
    word = prep.lower_
    two = " ".join(t.lower_ for t in prep.doc[prep.i:prep.i + 2])
    if word == "under" or two in CONDITION_MARKS:
        return "condition"
    if word == "without":
        return "negation"
    if word in ("despite", "unlike"):
        return "contrast"
    if word in MEANS_MARKS:
        return "means"
    if word in ("due", "owing"):
        return "evidence"
    return "qualifier"


def _mark_of(clause) -> str:
    """The words that open an adverbial clause: "exactly when", "if", "although", "to"."""
    left = [t for t in clause.subtree if t.i < clause.i and t.dep_ in ("mark", "advmod", "aux") and
            t.head.i in (clause.i,) + tuple(x.i for x in clause.children)]
    return " ".join(t.lower_ for t in sorted(left, key=lambda t: t.i)[:3])


def _advcl_kind(clause, mark: str) -> str:
    if mark in ("as if", "as though") or clause.lower_ == "comes" and mark == "when":
        return "qualifier"  # "consistent as if the functions were correct": how, not when
    if mark in ("even if", "even when", "even though"):
        return "contrast"
    for marks, kind in ((CRITERION_MARKS, "criterion"), (CONDITION_MARKS, "condition"), (CONTRAST_MARKS, "contrast"),
                        (EVIDENCE_MARKS, "evidence"), (CONSEQUENCE_MARKS, "consequence")):
        if any(mark == m or mark.endswith(" " + m) or mark.startswith(m + " ") for m in marks):
            return kind
    if mark.startswith(("to", "in order", "so as", "so that")):
        return "purpose"
    return "elaboration"  # a participle clause ("identifying …") says more about the claim


def _tok_span(t) -> Span:
    return t.idx, t.idx + len(t.text)


def _subtree_span(t, inside: set) -> Span:
    toks = [x for x in t.subtree if x.i in inside]
    a, b = min(x.idx for x in toks), max(x.idx + len(x.text) for x in toks)
    text = text_of(t.doc)
    while b > a and text[b - 1] in " ,;:":
        b -= 1
    if text.count("(", a, b) > text.count(")", a, b) and text[b:b + 1] == ")":
        b += 1  # "O(N-1)": the parser hangs the closing bracket elsewhere
    return _whole_words(text, (a, b))


def _whole_words(text: str, span: Span) -> Span:
    """spaCy splits inside words ("pseudo-Anosov", "hed"): a unit starts and ends on whole words."""
    a, b = span
    while a > 0 and text[a - 1].isalnum() and text[a].isalnum():
        a -= 1
    while b < len(text) and text[b - 1].isalnum() and text[b].isalnum():
        b += 1
    return a, b


def minus(text: str, spans, holes) -> list[Span]:
    out = []
    for a, b in spans:
        pieces = [(a, b)]
        for x, y in holes:
            pieces = [q for p0, p1 in pieces for q in ([(p0, p1)] if y <= p0 or x >= p1 else [(p0, x), (y, p1)])]
        for p0, p1 in pieces:
            while p0 < p1 and text[p0] in " ,;:":
                p0 += 1
            while p1 > p0 and text[p1 - 1] in " ,;:.":
                p1 -= 1
            if p1 - p0 > 2 and re.search(r"[A-Za-z]{2}", text[p0:p1]):
                out.append((p0, p1))
    return out
