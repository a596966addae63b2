"""analyse: Paper -> Analysis (sentences, terms, definitions, claims, structure, relations)."""
from __future__ import annotations

import re

from ..models import Analysis, Condition, Paper, Sentence, SpanCover
from . import nlp
from .claims import classify, enumerations, topics
from .definitions import find_definitions
from .propositions import propositions
from .relations import find_relations
from .sentences import reads_whole, sentences_of
from .terms import add_member_terms, collect_terms


def analyse(paper: Paper, doc=None) -> Analysis:
    """``doc``: the paper's parse when a batch made it already (``nlp.parse_many``)."""
    text = paper.text
    every = sentences_of(text)
    doc = doc if doc is not None else nlp.parse(text, [s.span for s in every])
    sentences = _inside_sections(every, paper)
    terms, _ = collect_terms(text, doc)
    if len(sentences) < len(every):  # headings are words of the paper, but not sentences to teach
        inside = SpanCover(s.span for s in sentences)
        for t in terms.values():
            t.mentions = [m for m in t.mentions if inside.covers(m[0], m[0] + 1)]
        terms = {k: t for k, t in terms.items() if t.mentions}
    enums = enumerations(text, sentences, doc)
    for e in enums:
        if e.kind == "members" and e.whole is not None:
            add_member_terms(text, terms, list(e.items))
    for d in find_definitions(text, doc, terms):
        terms[d.term_key].definitions.append(d)
    values = {k: t for k, t in terms.items() if t.kind == "quantity" and _BARE_NUMBER.match(t.label)}
    terms = {k: t for k, t in terms.items() if k not in values}
    props = propositions(text, sentences, doc)
    claims = classify(sentences)
    analysis = Analysis(paper=paper, sentences=sentences, terms=terms, claims=claims,
                        conditions=[Condition(p.sentence, q.span, q.marker) for p in props for q in p.conditions()
                                    if reads_whole(text, [q.span]) and _conditions_a_claim(q, claims[p.sentence].role)],
                        enumerations=enums, relations=[], tuples=_tuples(terms), topics=topics(doc, sentences),
                        propositions=props, values=values,
                        verb_lemmas={t.idx: t.lemma_.lower() for t in doc if t.tag_ == "VBG"})
    analysis.relations = find_relations(text, doc, terms, enums, analysis.sentence_at)
    return analysis


def _conditions_a_claim(part, role: str) -> bool:
    """"We develop a framework for X when prices shift", "We consider testing under a privacy
    constraint": outside a result, "when …" and "under …" are the setting the paper takes up, not a
    condition its claim holds under."""
    return role in ("result", "scope", "implication")


# a number, percentage or ratio names no concept: it is a value to ask about, not a term to teach
_BARE_NUMBER = re.compile(r"^[\s\d.,:;%=<>±×x+\-–/()~≈]+(?:[KMB]|[a-zA-Z]{1,3}|-fold|percent)?$")


# a journal's notices and a title page's addresses, printed with a whole paper: no part of what it says
_BOILERPLATE = re.compile(r"(?i)creative commons|open access article|licensee|©|copyright|[\w.+-]+@[\w-]+\.[a-z]{2,}|"
                          r"\bP\.\s?O\.\s?Box\b|\bBox [A-Z]{0,3} ?\d|correspondence:|reproduction in any medium|"
                          r"author information")


def _inside_sections(sentences, paper: Paper):
    """With headings, only the sentences under a heading (not the headings) count; in a paper of several
    sections, not its notices either (licence, correspondence address)."""
    if not paper.sections:
        return sentences
    inside = SpanCover(x.span for x in paper.sections)
    notices = len(paper.sections) >= 3
    kept = [s for s in sentences if inside.covers(s.span[0], s.span[0] + 1)
            and not (notices and _BOILERPLATE.search(s.text))]
    return [Sentence(index=i, span=s.span, text=s.text, clauses=s.clauses, label=s.label) for i, s in enumerate(kept)]


def _tuples(terms):
    """Each tuple of symbols with its members' term keys: (w*, D*orb, S*)."""
    out = []
    for t in terms.values():
        if t.kind == "symbol" and t.label.startswith("(") and t.mentions:
            members = tuple("sym:" + m.strip() for m in t.label[1:-1].split(","))
            out.append((t.mentions[0], tuple(k for k in members if k in terms)))
    return out
