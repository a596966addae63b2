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

from ..models import LessonOut, Plan, Span, Statement, TermInfo
from .lessons import definition_statement, sentences_read
from ..plan_paper import is_whole_paper
from ..analyse.propositions import MODALS, NEGATIONS
from ..analyse.sentences import balanced
from .statements import extract, trim
from .units import opened, reads_whole, relation_statement, with_leaners

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
            for i in sentences_read(self.an, l):
                self._lesson_of_sentence.setdefault(i, l)
        title = self.an.paper.title
        self.name = title.split(":")[0].strip() if ":" in title and len(title.split(":")[0].split()) <= 3 else ""
        self.definitions = self._definitions()
        self.relations = self._relations()
        self.members = self._members()
        self.conditions = self._conditions()
        self.clozes = self._clozes()
        if is_whole_paper(self.an):  # a whole paper: ask about what its lessons read, not every sentence of it
            taught = set(self._lesson_of_sentence)
            for name in ("definitions", "relations", "members", "conditions", "clozes"):
                setattr(self, name, [x for x in getattr(self, name) if x.sentence in taught])

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
            statement = relation_statement(self.an, r)
            if statement is not None and len(_content_words(statement.text) - _content_words(
                    self.an.terms[r.source_key].label + " " + self.an.terms[r.target_key].label)) < 2:
                continue  # "native serotypes face limitations": the answer is in the question
            if key in seen or statement is None or statement.text in seen:
                continue  # one card per pair, and per answer: two relations of one clause are one fact
            seen.update((key, statement.text))
            out.append(RelationFact(self.an.terms[r.source_key], self.an.terms[r.target_key], r.label, statement,
                                    r.sentence))
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
        """A claim and the one condition it is stated under: its core must read whole, keep its own
        qualifiers, and need no other condition (else the card would say more than the source)."""
        out = []
        for p in self.an.propositions:
            conds = self.an.stated_conditions(p)
            if len(conds) != 1 or p.leans or not reads_whole(self.src, p.core) or \
                    sum(b - a for a, b in p.core) < 20 or not reads_whole(self.src, [conds[0].span]):
                continue
            out.append(ConditionFact(extract(self.src, list(p.core)), extract(self.src, [conds[0].span]), p.sentence))
        return out

    def _clozes(self) -> list[ClozeFact]:
        """Up to two blanks per proposition, and each answer once in the pack: values first, then
        symbols, then the most salient terms. The blanked clause is whole and keeps its qualifiers; a clause that
        leans on its sentence ("it is …") is not asked, since the learner would lack its referent."""
        rank = {"value": 0, "quantity": 0, "symbol": 1, "acronym": 2, "concept": 3}
        askable = dict(self.an.terms) | dict(self.an.values)
        order = {k: n for n, k in enumerate(askable)}  # ties go to the first term, as listed
        mentions = sorted((m, k) for k, t in askable.items()
                          if not t.label.startswith("(") and t.label.lower() != self.name.lower() for m in t.mentions)
        starts = [m[0] for m, _ in mentions]
        nested = _nesting(askable)
        out, answers = [], set()
        for p in self.an.propositions:
            if len(p.spans) != 1 or p.leans or p.role == "condition" or not p.of("subject"):
                continue  # a blank is asked in a whole clause: one that names what it is about
            whole = with_leaners(self.an, p)  # "… the kidney, which presents …": the clause with what it needs
            span = opened(self.src, trim(self.src, whole[0] if len(whole) == 1 else p.spans[0]))
            clause = self.src[span[0]:span[1]]
            if len(clause.split()) < 5 or not reads_whole(self.src, [span]) or _POINTS_BACK.search(clause):
                continue
            here = mentions[bisect_left(starts, span[0]):bisect_left(starts, span[1])]
            times = Counter(k for _, k in here)  # a term named twice in the clause is not asked
            ranked = sorted((rank["value" if k in self.an.values else askable[k].kind], -len(askable[k].mentions),
                             -(m[1] - m[0]), m[0], order[k], m, k) for m, k in here
                            if span[0] < m[0] and m[1] <= span[1] and times[k] == 1 and not nested(askable[k], m))
            asserts = any(q.kind == "predicate" for q in p.parts) and not _PURPOSE.match(clause)
            made = 0
            for *_, m, k in ranked:
                answer = self.src[m[0]:m[1]].lower()
                if made < 2 and answer not in answers and len(_letters(answer)) > 1 and not _answer_shows(self.src, span, m):
                    answers.add(answer)
                    out.append(ClozeFact(span, m, askable[k], p.sentence, asserts))
                    made += 1
        return out


# "to overcome these hurdles", "this lack of awareness": a card or quiz item stands alone, without
# the sentence before it that says what "these" are
_POINTS_BACK = re.compile(r"(?i)\b(?:these|those|such)\s+(?!results?\b|findings\b)[a-z]+|\bthis\s+(?!paper|work|study|article|"
                          r"note|letter|abstract|approach|method|framework|model|survey|review)[a-z]+")
_PURPOSE = re.compile(r"(?i)^(?:to|in order to|as|for|although|though|while|despite|because|since|if|when)\b")


def _answer_shows(src: str, span: Span, gap: Span) -> bool:
    """Whether the blank is given away, broken or misread: its letters, or one of its words, stand
    elsewhere in the front ("$λ_{j}$" beside "$\\tildeλ_{j}$"), it cuts a bracket or a formula in two, or it follows a
    negation or modal (the answer alone would then say the opposite of the source)."""
    front = src[span[0]:gap[0]] + " " + src[gap[1]:span[1]]
    answer = _letters(src[gap[0]:gap[1]])
    shown = answer in _letters(front) if " " in answer else answer in _letters(front).split()
    # or a word of it does ("… subsidies are optimal … shape the _____": "optimal allocation")
    from ..verify import stem  # verify reads facts' BLANK: imported when first asked

    stems = {stem(w) for w in _content_words(front)}
    shown = shown or any(stem(w) in stems for w in _content_words(answer) if len(w) > 4)
    before = src[max(span[0], gap[0] - 30):gap[0]].lower().split()[-2:]
    return shown or _expanded(src, front, gap) or not balanced(src[gap[0]:gap[1]]) or not balanced(front) or \
        any(w in NEGATIONS or w in MODALS for w in before)


def _expanded(src: str, front: str, gap: Span) -> bool:
    """A short form blanked right after its long form ("Sun-as-an-X-ray-star (_____)") is read off."""
    return src[gap[0] - 1:gap[0]] == "(" and src[gap[1]:gap[1] + 1] == ")"


def _content_words(text: str) -> set[str]:
    return {w for w in _letters(text).split() if len(w) > 3}


def _letters(text: str) -> str:
    return " ".join(re.findall(r"[^\W_]+", text.casefold()))


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
