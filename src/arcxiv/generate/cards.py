"""Flashcards: one fact per card, a unique front, tags, and IDs from the front's content
(so a recompiled deck updates its cards instead of adding new ones)."""
from __future__ import annotations

from ..ids import content_id
from ..models import Flashcard, LessonOut, QuizItem, Statement, TermInfo
from .. import wording as W
from .facts import Facts
from .statements import label_mention, scaffold


def named(src: str, t: TermInfo):
    """A mention written as the label, to cite when a question names the term (else its first)."""
    return label_mention(src, t) or t.mentions[0]


def write_cards(f: Facts, quiz: list[QuizItem] = ()) -> list[Flashcard]:
    src = f.src
    cards: list[Flashcard] = []
    fronts: set[str] = set()

    def add(kind: str, front: Statement, back: Statement, lesson: LessonOut, sentence: int) -> None:
        key = front.text.lower()
        if key in fronts:
            return
        fronts.add(key)
        section = f.section_of.get(sentence)
        cards.append(Flashcard(id=f"card-{content_id('card', kind + front.text)}", kind=kind, front=front, back=back,
                               tags=tags(f, lesson, section, kind), lesson_id=lesson.id, section_id=section))

    seen_terms: dict[str, int] = {}
    for d in f.definitions:
        t = d.term
        n = seen_terms.get(t.key, 0)
        seen_terms[t.key] = n + 1
        if n > 1:
            continue
        lesson = f.lesson_for_term(t, d.sentence)
        if label_mention(src, t) is None:
            continue  # the source never writes the term as its label: a front could not cite it
        if d.pattern == "acronym":
            add("acronym", scaffold(W.C_STANDS.format(term=t.label), [named(src, t)]), d.statement, lesson, d.sentence)
            continue
        plain_word = t.kind == "concept" and t.label == t.label.lower()
        template = (W.C_WHAT_THE if plain_word else W.C_WHAT) if n == 0 else W.C_WHAT_ELSE
        kind = "symbol" if t.kind == "symbol" else "term"
        add(kind, scaffold(template.format(term=t.label), [named(src, t)]), d.statement, lesson, d.sentence)
    for r in f.relations:
        add("relation", scaffold(W.C_RELATE.format(a=r.a.label, b=r.b.label), sorted([named(src, r.a), named(src, r.b)])),
            r.statement, f.lesson_for_sentence(r.sentence), r.sentence)
    for m in f.members:
        if m.head:
            add("members", scaffold(W.C_MEMBERS.format(head=m.head, whole=m.whole.label), m.statement.spans),
                m.statement, f.lesson_for_sentence(m.sentence), m.sentence)
    for c in f.conditions:
        add("condition", scaffold(W.C_CONDITION.format(claim=c.claim.text), c.claim.spans), c.condition,
            f.lesson_for_sentence(c.sentence), c.sentence)
    conditions = [c.back.text.lower() for c in cards if c.kind == "condition"]
    # one item per (claim, answer) in the pack: a blank the quiz asks, or a condition card already asks
    # ("under broad and interpretable conditions"), is no card
    filled = {q.prompt.text for q in quiz if q.kind == "fill_blank"}
    for z in f.clozes:
        if z.front(src).text not in filled and not any(z.answer(src).text.lower() in c for c in conditions):
            add("cloze", z.front(src), z.answer(src), f.lesson_for_sentence(z.sentence), z.sentence)
    number = {l.id: l.number for l in f.lessons}
    return sorted(cards, key=lambda c: number[c.lesson_id])  # a deck in lesson order; stable within a lesson


def tags(f: Facts, lesson: LessonOut, section: str | None, kind: str) -> list[str]:
    """Anki-style hierarchical tags; every part is a source, teaching or number word."""
    paper = f.an.paper.paper_id or str(int(f.an.paper.sha256[:8], 16))
    root = W.TAG_ROOT
    out = [f"{root}::paper::{paper}", f"{root}::lesson::{lesson.number:02d}", f"{root}::level::{lesson.level}",
           f"{root}::card::{kind}"]
    if section:
        number = next(i for i, s in enumerate(f.plan.sections, 1) if s.id == section)
        out.append(f"{root}::section::{number:02d}")
    return out
