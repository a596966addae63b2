"""The data contract: what flows between the stages, and the public curriculum format.

Every span is a pair of character offsets into one string, ``Paper.text``
(published as ``source.text``). Stage outputs are plain frozen dataclasses for
speed; the published ``Curriculum`` is a pydantic model, whose JSON Schema is
shipped as ``schema/curriculum.schema.json``.
"""
from __future__ import annotations

import re
from bisect import bisect_right
from dataclasses import dataclass, field
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field

from . import wording as W

SCHEMA_ID = "arcxiv.curriculum/1"

Span = tuple[int, int]
StatementKind = Literal["quote", "extract", "rephrase", "scaffold"]
Level = Literal["beginner", "intermediate", "advanced"]
TermKind = Literal["concept", "acronym", "symbol", "quantity"]
Role = Literal["background", "aim", "method", "result", "implication", "scope"]


# --------------------------------------------------------------------------- ingest
@dataclass(frozen=True)
class SourceSection:
    """A section the source itself marks (a Markdown heading, a LaTeX \\section, a JATS <sec>)."""

    title: str
    span: Span
    level: int = 1  # 1 for a section, 2 for a subsection, ...
    part: str = ""  # the top-level heading it stands under (its own title for a top-level section)


@dataclass(frozen=True)
class Paper:
    title: str
    text: str
    format: str
    paper_id: str | None = None
    authors: tuple[str, ...] = ()
    categories: tuple[str, ...] = ()
    sections: tuple[SourceSection, ...] = ()
    sha256: str = ""
    references: tuple[str, ...] = ()  # a whole paper's bibliography, in citation-marker order ("[1] ...")
    notes: tuple[str, ...] = ()  # what reading the source could not do (math a PDF holds as glyphs), for the note


# --------------------------------------------------------------------------- analyse
@dataclass(frozen=True)
class Clause:
    spans: tuple[Span, ...]  # two spans when a dashed aside interrupts the clause
    role: Literal["claim", "condition", "consequence", "elaboration", "contrast"]

    @property
    def span(self) -> Span:
        return (self.spans[0][0], self.spans[-1][1])


@dataclass(frozen=True)
class Sentence:
    index: int
    span: Span
    text: str
    clauses: tuple[Clause, ...] = ()
    label: str | None = None  # the structured abstract's heading it stands under ("Methods"), lower case


@dataclass(frozen=True)
class Definition:
    """``term`` is given ``meaning`` by the source's own grammar (``pattern``)."""

    term_key: str
    meaning: str
    meaning_span: Span
    evidence: tuple[Span, ...]  # the source words that carry the definition, in order
    pattern: Literal["appositive", "acronym", "identified-as", "tuple", "copula", "i.e.", "denoted"]


@dataclass
class TermInfo:
    key: str
    label: str
    kind: str
    mentions: list[Span] = field(default_factory=list)
    definitions: list[Definition] = field(default_factory=list)
    expansion: str | None = None
    expansion_span: Span | None = None  # where the source spells the acronym out
    short_span: Span | None = None  # the short form beside it
    named: bool = False  # a noun phrase names it where it stands ("two subgroups H,K"): no gap to claim

    @property
    def first(self) -> int:
        return self.mentions[0][0] if self.mentions else 0


@dataclass(frozen=True)
class Condition:
    sentence: int
    span: Span
    marker: str


@dataclass(frozen=True)
class Enumeration:
    """Items of one list in the source: sentence-level ("First, … Second, …"),
    inline ("(i) … (ii) …") or a coordinated list with a shared head."""

    kind: Literal["sentences", "inline", "members"]
    items: tuple[Span, ...]
    whole: Span | None = None  # what the members are members of, if stated
    sentences: tuple[int, ...] = ()


@dataclass(frozen=True)
class Relation:
    source_key: str
    target_key: str
    label: str
    span: Span  # the contiguous source words that state it
    sentence: int


@dataclass(frozen=True)
class Claim:
    sentence: int
    role: Role
    item: int | None = None  # position in a sentence-level enumeration, 1-based
    cued: bool = False  # the role comes from the sentence's own words (a cue phrase or a heading), not its place


@dataclass
class Analysis:
    paper: Paper
    sentences: list[Sentence]
    terms: dict[str, TermInfo]
    claims: list[Claim]
    conditions: list[Condition]
    enumerations: list[Enumeration]
    relations: list[Relation]
    tuples: list[tuple[Span, tuple[str, ...]]]  # (span of "(a, b)", member term keys)
    topics: dict[int, Span] = field(default_factory=dict)  # sentence -> what its main verb is about
    propositions: list = field(default_factory=list)  # analyse.propositions.Proposition, in text order
    values: dict[str, TermInfo] = field(default_factory=dict)  # bare numbers ("14.2%"): asked, never taught as terms
    verb_lemmas: dict[int, str] = field(default_factory=dict)  # start of each participle ("indicating") -> its lemma
    _starts: list[int] = field(default_factory=list, repr=False, compare=False)  # for sentence_at
    _by_sentence: dict = field(default_factory=dict, repr=False, compare=False)  # for propositions_in
    _place: dict = field(default_factory=dict, repr=False, compare=False)  # for sentence_ref

    def sentence_ref(self, i: int) -> str:
        """How a learner finds sentence ``i``: "5" in an abstract; "4 of section 3.2" in a whole
        paper, where a number in the hundreds would point at nothing the reader can count."""
        if not self.paper.sections or len(self.sentences) < 100:
            return str(i + 1)
        place = self._places().get(i)
        return W.S_AT.format(n=place[1], where=place[0]) if place else str(i + 1)

    def sentence_refs(self, indices) -> str:
        """Several sentences, consecutive ones as ranges: "1 to 3 and 5", or per section in a whole paper."""
        indices = sorted(set(indices))
        if not self.paper.sections or len(self.sentences) < 100:
            return number_list([i + 1 for i in indices])
        places = self._places()
        groups: dict[str, list[int]] = {}
        for i in indices:
            where, n = places.get(i, ("the paper", i + 1))
            groups.setdefault(where, []).append(n)
        parts = [W.S_AT.format(n=number_list(ns), where=where) for where, ns in groups.items()]
        return parts[0] if len(parts) == 1 else ", ".join(parts[:-1]) + " and " + parts[-1]

    def _places(self) -> dict[int, tuple[str, int]]:
        if not self._place:
            for sec in self.paper.sections:
                head = sec.title.split(" ")[0]
                where = W.S_AT_NUMBERED.format(number=head) if head[:1].isdigit() or head[1:2] == "." \
                    else W.S_AT_TITLED.format(title=sec.title)
                inside = [s for s in self.sentences if sec.span[0] <= s.span[0] < sec.span[1]]
                if len(inside) < 100:
                    for n, s in enumerate(inside, 1):
                        self._place[s.index] = (where, n)
                    continue
                # a section of a hundred sentences or more: count within its paragraphs
                breaks = [m.start() for m in re.finditer("\n\n", self.paper.text[sec.span[0]:sec.span[1]])]
                counts: dict[int, int] = {}
                for s in inside:
                    k = bisect_right(breaks, s.span[0] - sec.span[0]) + 1
                    counts[k] = counts.get(k, 0) + 1
                    self._place[s.index] = (W.S_AT_PARAGRAPH.format(k=k, where=where), counts[k])
        return self._place

    def propositions_in(self, sentence: int) -> list:
        """The propositions of one sentence, in text order."""
        if not self._by_sentence and self.propositions:
            for p in self.propositions:
                self._by_sentence.setdefault(p.sentence, []).append(p)
        return self._by_sentence.get(sentence, [])

    def stated_conditions(self, p) -> list:
        """The conditions of proposition ``p`` that analysis kept as conditions of a claim."""
        kept = {c.span for c in self.conditions if c.sentence == p.sentence}
        return [q for q in p.conditions() if q.span in kept]

    def sentence_at(self, pos: int) -> int:
        """The sentence holding character ``pos`` (the last sentence when none does)."""
        if len(self._starts) != len(self.sentences):  # sentences are in text order and do not overlap
            self._starts[:] = [s.span[0] for s in self.sentences]
        i = bisect_right(self._starts, pos) - 1
        if i >= 0 and pos < self.sentences[i].span[1]:
            return self.sentences[i].index
        return self.sentences[-1].index if self.sentences else 0

    def in_sentences(self, span: Span, indices) -> bool:
        """Whether ``span`` starts inside one of the sentences ``indices`` (a set) and ends in it."""
        s = self.sentences[self.sentence_at(span[0])] if self.sentences else None
        return s is not None and s.index in indices and s.span[0] <= span[0] and span[1] <= s.span[1]


class SpanCover:
    """Whether a span lies inside one of many spans, in O(log n) per question (a whole paper asks thousands)."""

    def __init__(self, spans):
        ordered = sorted(spans)
        self.starts = [a for a, _ in ordered]
        self.reach, far = [], -1
        for _, b in ordered:
            far = max(far, b)
            self.reach.append(far)

    def covers(self, a: int, b: int) -> bool:
        i = bisect_right(self.starts, a) - 1
        return i >= 0 and self.reach[i] >= b


def number_list(numbers: list[int]) -> str:
    """1, 2, 3, 5 -> "1 to 3 and 5": ranges only where the numbers are consecutive."""
    runs: list[list[int]] = []
    for n in numbers:
        if runs and n == runs[-1][-1] + 1:
            runs[-1].append(n)
        else:
            runs.append([n])
    parts = [p for r in runs for p in ([f"{r[0]} to {r[-1]}"] if len(r) > 2 else map(str, r))]
    if len(parts) <= 1:
        return "".join(parts)
    return ", ".join(parts[:-1]) + " and " + parts[-1]


# --------------------------------------------------------------------------- plan
@dataclass(frozen=True)
class PlannedSection:
    id: str
    title: str
    kind: Literal["overview", "part", "synthesis", "scope", "heading"]
    sentences: tuple[int, ...]
    number: int | None = None


@dataclass(frozen=True)
class LessonOutline:
    kind: Literal["overview", "vocabulary", "notation", "part", "synthesis", "scope", "open"]
    level: Level
    title: str
    section_ids: tuple[str, ...]
    sentences: tuple[int, ...] = ()
    term_keys: tuple[str, ...] = ()


@dataclass
class Plan:
    analysis: Analysis
    sections: list[PlannedSection]
    concept_edges: list[tuple[str, str, str]]  # (needs, needed, why)
    lessons: list[LessonOutline]
    note: str | None = None


# --------------------------------------------------------------------------- the published format
class _Model(BaseModel):
    model_config = ConfigDict(extra="forbid")


class Statement(_Model):
    text: str
    kind: StatementKind
    spans: list[tuple[int, int]] = Field(default_factory=list)


class Block(_Model):
    heading: str
    statements: list[Statement]
    prose: bool = False  # a reading: its statements are sentences of one paragraph, not a list


class Source(_Model):
    title: str
    text: str
    sha256: str
    format: str
    id: str | None = None
    authors: list[str] = Field(default_factory=list)
    categories: list[str] = Field(default_factory=list)


class SectionOut(_Model):
    id: str
    title: str
    kind: str
    spans: list[tuple[int, int]]


class TermOut(_Model):
    id: str
    label: str
    kind: TermKind
    definition: Statement | None
    mentions: list[tuple[int, int]]


class LessonOut(_Model):
    id: str
    number: int
    title: str
    level: Level
    objectives: list[Statement]
    prerequisites: list[str]
    terms: list[str]
    section_ids: list[str]
    blocks: list[Block]


class Guide(_Model):
    section_id: str
    title: str
    blocks: list[Block]


class Flashcard(_Model):
    id: str
    kind: Literal["term", "symbol", "acronym", "cloze", "relation", "members", "condition"]
    front: Statement  # for cloze cards the front has a blank (BLANK) where the back goes
    back: Statement
    tags: list[str]
    lesson_id: str
    section_id: str | None = None


class QuizItem(_Model):
    id: str
    kind: Literal["mcq", "true_false", "fill_blank", "matching", "ordering"]
    prompt: Statement
    choices: list[str]  # mcq: options; matching: right-hand side; ordering: items shuffled
    answer: int | str | list[int] | list[str]  # mcq: index; true_false: "true"/"false";
    #                                            fill_blank: text; matching: choice index per left item;
    #                                            ordering: choice indices in the right order
    explanation: Statement
    lesson_id: str
    difficulty: Level
    section_id: str | None = None
    left: list[str] = Field(default_factory=list)  # matching: the items to match


class QuizFlaw(_Model):
    id: str
    kind: str
    flaw: str


class QuizReport(_Model):
    generated: int
    kept: int
    dropped: list[QuizFlaw]


class Exercise(_Model):
    id: str
    kind: Literal["explain", "unpack", "condition", "argument", "compare", "connect", "concept_map"]  # unpack: older files
    prompt: Statement
    solution: Statement
    lesson_id: str
    difficulty: Level
    rubric: list[str] = Field(default_factory=list)  # source terms a good answer uses


class DeepDive(_Model):
    section_id: str
    title: str
    blocks: list[Block]
    self_check: list[QuizItem]


class Visual(_Model):
    id: str
    kind: str
    title: str
    svg: str
    alt: str


class ConceptEdge(_Model):
    source: str
    target: str
    why: str


class Dropped(_Model):
    where: str
    text: str
    reason: str


class Grounding(_Model):
    checked: int
    passed: int
    dropped: list[Dropped]


class ReadingStep(_Model):
    minutes: int
    what: Statement  # teaching text: what the group does in this step
    lesson_ids: list[str] = Field(default_factory=list)
    exercise_ids: list[str] = Field(default_factory=list)


class ReadingGroup(_Model):
    """A suggested hour for a teacher: steps through the lessons and exercises, and questions to discuss."""
    minutes: int
    steps: list[ReadingStep]
    questions: list[Statement]


class Curriculum(_Model):
    schema_: Literal["arcxiv.curriculum/1"] = Field(SCHEMA_ID, alias="schema")
    compiler: str
    source: Source
    note: str | None = None
    sections: list[SectionOut]
    terms: list[TermOut]
    concept_graph: list[ConceptEdge]
    lessons: list[LessonOut]
    guides: list[Guide]
    flashcards: list[Flashcard] = Field(default_factory=list)
    quiz: list[QuizItem] = Field(default_factory=list)
    exercises: list[Exercise] = Field(default_factory=list)
    visuals: list[Visual] = Field(default_factory=list)
    quiz_report: QuizReport = Field(default_factory=lambda: QuizReport(generated=0, kept=0, dropped=[]))
    deep_dives: list[DeepDive] = Field(default_factory=list)
    reading_group: ReadingGroup | None = None
    grounding: Grounding

    model_config = ConfigDict(extra="forbid", populate_by_name=True)
