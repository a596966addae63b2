"""Exercises: at least one per intermediate and advanced lesson, each with a model
answer from the source and a rubric of the source terms a good answer uses."""
from __future__ import annotations

import re

from ..ids import content_id
from ..models import Exercise, LessonOut, Statement
from .. import wording as W
from .cards import named
from .facts import Facts
from .quiz import _merge
from .lessons import ARGUMENT_SENTENCES, _which, sentences_read
from .reading import sentences_of
from .statements import extract, quote, rephrase, scaffold

_CONTRAST = re.compile(r"(?i)\b(?:separat|differ|contrast|replac|unlike|versus|outperform|compar|distinct|rather than|whereas)")
MAX_RUBRIC = 5


class ExerciseWriter:
    def __init__(self, f: Facts):
        self.f, self.src, self.an = f, f.src, f.an
        self.out: list[Exercise] = []

    def add(self, kind: str, prompt: Statement, solution: Statement, lesson: LessonOut, rubric: list[str]) -> None:
        if any(e.prompt.text == prompt.text and e.solution.text == solution.text for e in self.out):
            return  # the same exercise is set once, in its first lesson
        self.out.append(Exercise(id=f"exercise-{content_id('exercise', kind + prompt.text)}", kind=kind, prompt=prompt,
                                 solution=solution, lesson_id=lesson.id, difficulty=lesson.level,
                                 rubric=list(dict.fromkeys(rubric))[:MAX_RUBRIC]))

    def rubric_for(self, spans) -> list[str]:
        """The terms a good answer uses: those mentioned in the model answer, notation and long names first."""
        found = []
        for t in self.an.terms.values():
            m = next((m for m in t.mentions for a, b in spans if a <= m[0] and m[1] <= b), None)
            if m and t.kind != "quantity" and not t.label.startswith("("):
                found.append((t.kind == "concept", -len(t.label.split()), t.first, self.src[m[0]:m[1]]))
        return [form for *_, form in sorted(found)]  # as the model answer writes it

    def lesson_sentences(self, lesson: LessonOut) -> list[int]:
        return sentences_read(self.an, lesson)

    def for_lesson(self, lesson: LessonOut) -> None:
        before = len(self.out)
        sents = self.lesson_sentences(lesson)
        if lesson.level == "intermediate":
            self.explain(lesson, sents)
            self.condition_needed(lesson, sents)
            self.compare(lesson, sents)
        elif lesson.level == "advanced":
            self.argument(lesson)
            self.connect(lesson)
            if lesson.title == W.T_OPEN:
                self.concept_map(lesson)
                self.open_questions(lesson)
        if lesson.level != "beginner" and len(self.out) == before:
            self.fallback(lesson)

    def explain(self, lesson: LessonOut, sents: list[int]) -> None:
        if not sents:
            return
        topic = lesson.title.split(": ", 1)[-1].split(" (")[0]
        spans = [self.an.sentences[i].span for i in sents]
        found = next(((k, k + len(topic)) for a, b in spans for k in [self.src.find(topic, a, b)] if k >= 0), None)
        solution = self.restated(sents)
        # a topic the source does not spell out is not named: the prompt names the sentences
        prompt = scaffold(W.E_EXPLAIN.format(topic=topic), [found]) if found else \
            scaffold(W.O_CLAIM_OF.format(which=_which(self.an, sents)), spans)
        self.add("explain", prompt, solution, lesson, self.rubric_for(spans))

    def restated(self, sents) -> Statement:
        """A model answer in sentences: the reading of these sentences, not the source pasted back.
        A restatement may add only a few words of its own in all, so once they are spent a sentence
        is given as the source writes it."""
        from ..verify import MAX_ADDED, added_words

        texts, spans, budget = [], [], MAX_ADDED
        for i in sents:
            said = sentences_of(self.an, i)
            cost = sum(len(added_words(self.src, st)) for st in said)
            if cost > budget:
                sent = self.an.sentences[i]
                said = [quote(self.src, sent.span)]
                cost = 0
            budget -= cost
            texts += [st.text for st in said]
            spans += [sp for st in said for sp in st.spans]
        return rephrase(" ".join(texts), _merge(spans))

    def argument(self, lesson: LessonOut) -> None:
        """Retell the argument: the model answer takes each section's opening claim in turn."""
        if not lesson.title.startswith((W.T_FIT, W.T_CONNECT)):
            return  # the lesson on how the parts fit together asks for the whole argument
        # every sentence in a short abstract, each section's opening in a long one: the whole argument
        firsts = [s.index for s in self.an.sentences] if len(self.an.sentences) <= ARGUMENT_SENTENCES else \
            [sec.sentences[0] for sec in self.f.plan.sections]
        if len(firsts) < 2:
            return
        answer = self.restated(firsts)
        self.add("argument", scaffold(W.E_ARGUMENT), answer, lesson, self.rubric_for(answer.spans))

    def condition_needed(self, lesson: LessonOut, sents: list[int]) -> None:
        """Which condition a claim needs: the model answer states the claim and its condition."""
        for c in self.an.conditions:
            if c.sentence in sents:
                claim = self.restated([c.sentence])
                self.add("condition", scaffold(W.E_NEEDS.format(n=self.an.sentence_ref(c.sentence)), [self.an.sentences[c.sentence].span]),
                         claim, lesson, self.rubric_for([c.span]) or [self.src[c.span[0]:c.span[1]]])
                return

    def compare(self, lesson: LessonOut, sents: list[int]) -> None:
        for r in self.f.relations:
            if r.sentence in sents and _CONTRAST.search(r.label):
                prompt = scaffold(W.E_COMPARE.format(a=r.a.label, b=r.b.label), sorted([named(self.src, r.a), named(self.src, r.b)]))
                self.add("compare", prompt, r.statement, lesson, [r.a.label, r.b.label, max(r.label.split(), key=len)])
                return

    def connect(self, lesson: LessonOut) -> None:
        parts = [s for s in self.f.plan.sections if s.kind == "part"]
        for span, keys in self.an.tuples:
            tup = next(t for t in self.an.terms.values() if t.mentions and t.mentions[0] == span)
            origins = []
            for k in keys:
                t = self.an.terms[k]
                sec = next((p for p in parts if any(self.an.sentence_at(m[0]) in p.sentences for m in t.mentions)), None)
                if sec:
                    m = next(m for m in t.mentions if self.an.sentence_at(m[0]) in sec.sentences)
                    origins.append(self.an.sentences[self.an.sentence_at(m[0])].span)
            if len(origins) >= 2:
                spans = _merge(origins)
                self.add("connect", scaffold(W.E_CONNECT.format(term=tup.label), [span]), extract(self.src, spans),
                         lesson, [self.an.terms[k].label for k in keys])
                return

    def concept_map(self, lesson: LessonOut) -> None:
        rels = self.f.relations + []
        spans = _merge([r.statement.spans[0] for r in rels] + [m.statement.spans[0] for m in self.f.members])
        labels = list(dict.fromkeys([x for r in rels for x in (r.a.label, r.b.label)]
                                    + [m.whole.label for m in self.f.members]))[:8]
        if len(labels) < 3:
            return
        cite = sorted({named(self.src, t) for t in self.an.terms.values() if t.label in labels})
        self.add("concept_map", scaffold(W.E_MAP.format(terms=", ".join(labels)), cite), extract(self.src, spans),
                 lesson, labels)

    def open_questions(self, lesson: LessonOut) -> None:
        """Name what the abstract leaves open; the model answer is the source words each gap is about."""
        gaps = [(s, None) for b in lesson.blocks for s in b.statements
                if s.kind == "scaffold" and s.spans and s.text.startswith(W.S_OPEN_PREFIX)]
        if not gaps:
            return
        said = "\x00".join(s.text for s, _ in gaps)  # one text: a label cannot run across the NULs
        terms = [t for t in self.an.terms.values() if occurs_label(t.label, said)][:4]
        if not terms:
            return
        cite = sorted({named(self.src, t) for t in terms})
        # the model answer is the list of absences itself, each citing the term it is about
        answer = [s for s, _ in gaps if any(occurs_label(t.label, s.text) for t in terms)]
        self.add("explain", scaffold(W.E_OPEN.format(terms=", ".join(t.label for t in terms)), cite),
                 scaffold(" ".join(s.text for s in answer), _merge([sp for s in answer for sp in s.spans])),
                 lesson, [t.label for t in terms])

    def fallback(self, lesson: LessonOut) -> None:
        """Explain one of the lesson's grounded sentences in your own words (the first not yet set)."""
        own = [self.an.sentences[self.an.sentence_at(s.spans[0][0])] for b in lesson.blocks for s in b.statements
               if s.kind != "scaffold"]
        for sent in own + self.an.sentences:  # its own sentences first, else one no exercise has asked about
            before = len(self.out)
            self.add("explain", scaffold(W.O_CLAIM_OF.format(which=_which(self.an, [sent.index])), [sent.span]),
                     self.restated([sent.index]), lesson, self.rubric_for([sent.span]))
            if len(self.out) > before:
                return


def occurs_label(label: str, text: str) -> bool:
    from .statements import occurs

    return occurs(label, text)


def _words(s: str) -> list[str]:
    return re.findall(r"[^\W_]+", s.lower())


def write_exercises(f: Facts) -> list[Exercise]:
    w = ExerciseWriter(f)
    for lesson in f.lessons:
        w.for_lesson(lesson)
    return w.out
