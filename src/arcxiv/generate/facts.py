"""Facts: the atomic, cited things a learner can be asked about.

Flashcards, quiz items and exercises are all made from these, so each fact is
found once: a definition (w* is the maximal admissible weight), a relation
(D*orb is separated from D*var), the members of a whole, a claim with its
condition, and a claim with a salient term that can be blanked out.
"""
from __future__ import annotations

import re
from bisect import bisect_left, bisect_right
from collections import Counter
from dataclasses import dataclass

from ..analyse.claims import strip_ordinal
from ..models import LessonOut, Plan, Span, Statement, TermInfo
from .lessons import definition_statement
from .statements import extract, trim

BLANK = "_____"


@dataclass(frozen=True)
class DefinitionFact:
    term: TermInfo
    meaning: str
    meaning_span: Span
    statement: Statement
    sentence: int
    pattern: str


@dataclass(frozen=True)
class RelationFact:
    a: TermInfo
    b: TermInfo
    label: str
    statement: Statement
    sentence: int


@dataclass(frozen=True)
class MembersFact:
    whole: TermInfo
    members: tuple[TermInfo, ...]
    head: str  # the noun the members share, as written ("components")
    statement: Statement  # the whole list, in the source's words
    sentence: int


@dataclass(frozen=True)
class ConditionFact:
    claim: Statement  # the claim with its condition cut out
    condition: Statement
    sentence: int


@dataclass(frozen=True)
class ClozeFact:
    span: Span  # the clause the blank is in
    gap: Span  # the salient term blanked out
    term: TermInfo
    sentence: int
    statement_like: bool  # a whole assertion (judgeable as true or false), not a bare list or phrase

    def front(self, src: str) -> Statement:
        a, b = self.span
        text = src[a:self.gap[0]] + BLANK + src[self.gap[1]:b]
        return Statement(text=text, kind="extract", spans=[self.span])

    def answer(self, src: str) -> Statement:
        return extract(src, [self.gap])


class Facts:
    def __init__(self, plan: Plan, lessons: list[LessonOut]):
        self.plan, self.an = plan, plan.analysis
        self.src = self.an.paper.text
        self.lessons = lessons
        self.section_of: dict[int, str] = {i: s.id for s in plan.sections for i in s.sentences}
        self._lesson_of_sentence: dict[int, LessonOut] = {}
        for l in lessons:
            for b in l.blocks:
                for st in b.statements:
                    if st.kind == "quote":
                        self._lesson_of_sentence.setdefault(self.an.sentence_at(st.spans[0][0]), l)
        title = self.an.paper.title
        self.name = title.split(":")[0].strip() if ":" in title and len(title.split(":")[0].split()) <= 3 else ""
        self.definitions = self._definitions()
        self.relations = self._relations()
        self.members = self._members()
        self.conditions = self._conditions()
        self.clozes = self._clozes()

    # where a fact is taught
    def lesson_for_sentence(self, i: int) -> LessonOut:
        return self._lesson_of_sentence.get(i) or self.lessons[0]

    def lesson_for_term(self, term: TermInfo, sentence: int) -> LessonOut:
        from .lessons import _term_id

        tid = _term_id(term)
        return next((l for l in self.lessons if tid in l.terms), None) or self.lesson_for_sentence(sentence)

    def terms_of_kind(self, kind: str) -> list[TermInfo]:
        return [t for t in self.an.terms.values() if t.kind == kind]

    # the facts
    def _definitions(self) -> list[DefinitionFact]:
        out = []
        for t in self.an.terms.values():
            for d in t.definitions:
                if t.label.startswith("(") and len(d.meaning.split()) == 1:
                    continue  # "(w*, D*orb, S*) is the triple": true, but teaches nothing
                out.append(DefinitionFact(t, d.meaning, d.meaning_span, definition_statement(self.an, t, d),
                                          self.an.sentence_at(d.evidence[-1][0]), d.pattern))
        return out

    def _relations(self) -> list[RelationFact]:
        out, seen = [], set()
        for r in self.an.relations:
            if r.label.endswith(" of") and any(r.span == m.statement.spans[0] for m in self._members()):
                continue  # members of a whole are asked as one list
            key = (r.source_key, r.target_key)
            if key in seen:
                continue
            seen.add(key)
            out.append(RelationFact(self.an.terms[r.source_key], self.an.terms[r.target_key], r.label,
                                    extract(self.src, [trim(self.src, r.span)]), r.sentence))
        return out

    def _members(self) -> list[MembersFact]:
        out = []
        for e in self.an.enumerations:
            if e.kind != "members" or e.whole is None:
                continue
            whole = _term_covering(self.an.terms, e.whole)
            members = tuple(t for t in (_term_covering(self.an.terms, s) for s in e.items) if t is not None)
            if whole is None or len(members) < 3 or whole in members:
                continue
            after = re.match(r"\s*([A-Za-z-]+)", self.src[e.items[-1][1]:])
            head = after.group(1) if after and after.group(1).endswith("s") else ""
            end = e.items[-1][1] + (after.end() if head else 0)
            out.append(MembersFact(whole, members, head, extract(self.src, [(e.whole[0], end)]),
                                   self.an.sentence_at(e.whole[0])))
        return out

    def _conditions(self) -> list[ConditionFact]:
        from .lessons import _minus

        out = []
        for c in self.an.conditions:
            s = self.an.sentences[c.sentence]
            clause = next((cl for cl in s.clauses if cl.span[0] <= c.span[0] < cl.span[1]), None)
            if clause is None:
                continue
            parts = _minus(self.src, [strip_ordinal(self.src, sp) for sp in clause.spans], [c.span])
            if not parts or sum(b - a for a, b in parts) < 20:
                continue
            out.append(ConditionFact(extract(self.src, parts), extract(self.src, [c.span]), c.sentence))
        return out

    def _clozes(self) -> list[ClozeFact]:
        """One blank per claim clause: a quantity, else a symbol, else the most salient term."""
        rank = {"quantity": 0, "symbol": 1, "acronym": 2, "concept": 3}
        order = {k: n for n, k in enumerate(self.an.terms)}  # ties go to the first term, as listed
        mentions = sorted((m, k) for k, t in self.an.terms.items()
                          if not t.label.startswith("(") and t.label.lower() != self.name.lower() for m in t.mentions)
        starts = [m[0] for m, _ in mentions]
        nested = _nesting(self.an.terms)
        out, fronts = [], set()
        for s in self.an.sentences:
            for cl in s.clauses:
                if len(cl.spans) != 1 or cl.role == "condition":
                    continue
                span = trim(self.src, strip_ordinal(self.src, cl.spans[0]))
                clause = self.src[span[0]:span[1]]
                # a clause that leans on its sentence ("it is …", "with …", "the A, the B …")
                # is asked inside the whole sentence, so the learner has its referent
                if cl.role != "claim" or _LEANS.match(clause):
                    span = trim(self.src, strip_ordinal(self.src, s.span))
                    clause = self.src[span[0]:span[1]]
                if len(clause.split()) < 5:
                    continue
                best = None
                here = mentions[bisect_left(starts, span[0]):bisect_left(starts, span[1])]
                times = Counter(k for _, k in here)  # a term named twice in the clause is not asked
                for m, k in here:
                    t = self.an.terms[k]
                    if span[0] < m[0] and m[1] <= span[1] and times[k] == 1 and not nested(t, m):
                        score = (rank[t.kind], -len(t.mentions), -(m[1] - m[0]), m[0], order[k])
                        if best is None or score < best[0]:
                            best = (score, t, m)
                if best:
                    asserts = re.search(r"\b(?:is|are|was|were|has|have|can|will|does|do|[a-z]{3,}(?:s|ed))\b", clause) \
                        is not None and not _PURPOSE.match(clause)
                    fact = ClozeFact(span, best[2], best[1], s.index, asserts)
                    front = fact.front(self.src).text
                    if front not in fronts:
                        fronts.add(front)
                        out.append(fact)
        return out


_LEANS = re.compile(r"(?i)^(?:it|they|this|these|those|its|their|which|with|where|and|but|or|the\s+[^,]+,\s+the)\b")
_PURPOSE = re.compile(r"(?i)^(?:to|in order to|as|for|although|though|while|despite|because|since|if|when)\b")


def _term_covering(terms: dict[str, TermInfo], span: Span) -> TermInfo | None:
    best = None
    for t in terms.values():
        for a, b in t.mentions:
            if span[0] <= a and b <= span[1] and (best is None or (b - a) > best[0]):
                best = (b - a, t)
    return best[1] if best else None


def _nesting(terms: dict[str, TermInfo]):
    """nested(t, m): whether mention m of t lies inside a mention of another symbol or quantity
    ("N" in "O(N-1)"): such a symbol is not blanked on its own."""
    outer = sorted((a, b, o.key) for o in terms.values() if o.kind in ("quantity", "symbol") for a, b in o.mentions)
    starts = [a for a, _, _ in outer]
    longest = max((b - a for a, b, _ in outer), default=0)

    def nested(t: TermInfo, m: Span) -> bool:
        near = outer[bisect_left(starts, m[1] - longest):bisect_right(starts, m[0])]  # only these can hold m
        return any(key != t.key and a <= m[0] and m[1] <= b and (a, b) != m for a, b, key in near)
    return nested
