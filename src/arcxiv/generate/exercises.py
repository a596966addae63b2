"""Exercises that ask for a claim's structure or how the parts connect, each with a model answer
from the source that answers its prompt (never a lesson's reading pasted back) and a rubric of the
source terms a good answer uses. A lesson with nothing such to ask gets no exercise."""
from __future__ import annotations

import re

from ..ids import content_id
from ..models import Exercise, LessonOut, Statement
from .. import wording as W
from .cards import named
from .facts import Facts
from .quiz import _merge
from .lessons import _MEANS, sentences_read
from ..analyse.propositions import minus
from ..plan_paper import is_whole_paper
from .. import verify  # verify reads facts' BLANK: its names are looked up when used
from ..analyse.sentences import reads_whole
from .reading import authors, sentences_of
from .statements import extract, quote, rephrase, scaffold, trim

# the context a proposition carries, as the model answer labels it; a participle clause ("…, supporting
# X") is what follows from the claim, and "by" names a means only before a verb's -ing (``_MEANS``)
_ATTACHED = {"condition": "condition", "means": "means", "evidence": "evidence", "contrast": "contrast",
             "purpose": "purpose", "consequence": "consequence", "elaboration": "consequence"}
_PARTICIPLE = re.compile(r"^\w+ing\b")
_CONTRAST = re.compile(r"(?i)\b(?:separat|differ|contrast|replac|unlike|versus|outperform|compar|distinct|rather than|whereas)")
MAX_RUBRIC = 5
MAX_ARGUMENT = 8  # sentences in the retold argument


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
            self.unpack(lesson, sents)
            self.compare(lesson, sents)
        elif lesson.level == "advanced":
            self.argument(lesson)
            self.connect(lesson)
            if lesson.title == W.T_OPEN:
                self.concept_map(lesson)
        if lesson.level == "advanced" and len(self.out) == before:
            self.unpack(lesson, sents)

    def unpack(self, lesson: LessonOut, sents: list[int]) -> None:
        """Take a sentence of the lesson apart: its claim and the parts the source attaches to it
        (condition, means, reason, contrast, purpose, consequence), each labelled. The model answer
        shows the sentence's structure, which the lesson's reading does not spell out; a lesson none
        of whose sentences has such parts gets no exercise rather than one that pastes its reading."""
        for i in sents:
            for p in self.an.propositions_in(i):
                parts = [(kind, q) for q in p.parts for kind in [_ATTACHED.get(q.kind)]
                         if kind and (kind != "means" or _MEANS.match(self.src[q.span[0]:q.span[1]]))
                         # a participle after the claim is what follows from it; before it ("Using the
                         # EMDs, …") it is the ground the claim stands on, not a consequence
                         and (q.kind != "elaboration" or _PARTICIPLE.match(self.src[q.span[0]:q.span[1]])
                              and q.span[0] > min(x.span[0] for x in p.of("predicate") or [q]))][:3]
                rest = minus(self.src, p.spans, [q.span for _, q in parts])
                if p.leans or not parts or len(rest) != 1 or not reads_whole(self.src, rest):
                    continue  # the claim, once its parts are set apart, must read whole on its own
                core = rest[0]
                lead = re.match(r"(?i)(?:then|so|thus|hence|and)\b,?\s*", self.src[core[0]:core[1]])
                core = (core[0] + (lead.end() if lead else 0), core[1])  # "If P is …, then the order …"
                said = [W.A_CLAIM + _capital_end(authors(self.src[core[0]:core[1]]))]
                said += [W.A_PARTS[kind] + _capital_end(authors(self.src[a:b])) for kind, q in parts
                         for a, b in [trim(self.src, q.span)]]
                asks = [W.E_ASKS[k] for k in dict.fromkeys(k for k, _ in parts)]
                ask = ", ".join(asks[:-1]) + " and " + asks[-1] if len(asks) > 1 else "and " + asks[0]
                spans = _merge([core] + [trim(self.src, q.span) for _, q in parts])
                if len(verify.added_words(self.src, rephrase(" ".join(said), spans))) > verify.MAX_ADDED:
                    continue  # the labels and "the authors" would say more than the source's words
                self.add("unpack", scaffold(W.E_UNPACK.format(n=self.an.sentence_ref(i), asks=ask),
                                            [self.an.sentences[i].span]),
                         rephrase(" ".join(said), spans), lesson, self.rubric_for(spans))
                return

    def argument(self, lesson: LessonOut) -> None:
        """Retell the argument: the model answer takes each section's opening claim in turn."""
        if not lesson.title.startswith((W.T_FIT, W.T_CONNECT)):
            return  # the lesson on how the parts fit together asks for the whole argument
        # each section's opening claim, as its first sentence of reading, and the aim: a few sentences,
        # not the source again (a whole paper's aim is its abstract: its sections' openings stand for it)
        aim = [] if is_whole_paper(self.an) else next((o.sentences for o in self.f.plan.lessons if o.kind == "overview"), [])
        firsts = sorted({sec.sentences[0] for sec in self.f.plan.sections if sec.sentences} | set(aim))
        said, budget = [], verify.MAX_ADDED  # a restatement adds a few words of its own in all
        for i in firsts:
            st = next(iter(sentences_of(self.an, i)), None)
            if st is None or len(said) == MAX_ARGUMENT:
                continue
            cost = len(verify.added_words(self.src, st))
            if cost > budget:  # the words are spent: the sentence as the source writes it, if short
                if len(self.an.sentences[i].text.split()) > 40:
                    continue
                st, cost = quote(self.src, self.an.sentences[i].span), 0
            budget -= cost
            said.append(st)
        if len(said) < 2 or (aim and len(said) < len(firsts)):
            return  # an abstract's retelling that skips a part would not answer its prompt
        answer = rephrase(" ".join(st.text for st in said), _merge([sp for st in said for sp in st.spans]))
        self.add("argument", scaffold(W.E_ARGUMENT), answer, lesson, self.rubric_for(answer.spans))

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

def _capital_end(text: str) -> str:
    text = text.strip().rstrip(",;:")
    return text[:1].upper() + text[1:] + ("" if text.endswith((".", "?", "!")) else ".")


def write_exercises(f: Facts) -> list[Exercise]:
    w = ExerciseWriter(f)
    for lesson in f.lessons:
        w.for_lesson(lesson)
    return w.out
