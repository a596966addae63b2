"""generate: Plan -> Curriculum (lessons, section guides, flashcards, quiz, exercises)."""
from __future__ import annotations

import re

from pydantic import BaseModel

from .. import __version__
from ..models import ConceptEdge, Curriculum, Grounding, Plan, SectionOut, Source, Statement, TermOut
from ..models import QuizFlaw, QuizReport
from .cards import write_cards
from .exercises import write_exercises
from .facts import Facts
from .guides import write_guides
from .lessons import _term_id, definition_statement, write_lessons
from .quiz import write_quiz
from .reading_group import reading_group
from .visuals import make_visuals
from ..plan_paper import is_whole_paper

MAX_QUIZ, MAX_CARDS, MAX_EXERCISES = 40, 80, 12  # for a whole paper


def _spread(items: list, most: int) -> list:
    """At most ``most`` items, taken lesson by lesson in turn so that every lesson keeps some; order kept."""
    if len(items) <= most:
        return items
    by_lesson: dict[str, list] = {}
    for item in items:
        by_lesson.setdefault(item.lesson_id, []).append(item)
    kept: set[int] = set()
    queues = [list(q) for q in by_lesson.values()]
    while len(kept) < most and any(queues):
        for q in queues:
            if q and len(kept) < most:
                kept.add(id(q.pop(0)))
    return [item for item in items if id(item) in kept]


def generate(plan: Plan) -> Curriculum:
    an, paper = plan.analysis, plan.analysis.paper
    terms = sorted(an.terms.values(), key=lambda t: (t.first, t.label))
    term_ids = {t.key: _term_id(t) for t in terms}
    lessons = write_lessons(plan)
    facts = Facts(plan, lessons)
    quiz, flawed = write_quiz(facts)
    cards, exercises = write_cards(facts, quiz), write_exercises(facts)
    if is_whole_paper(an):  # a study pack a learner gets through: a few items per lesson, every lesson asked
        quiz, cards, exercises = _spread(quiz, MAX_QUIZ), _spread(cards, MAX_CARDS), _spread(exercises, MAX_EXERCISES)
    cur = Curriculum(
        compiler=f"arcxiv {__version__}",
        source=Source(title=paper.title, text=paper.text, sha256=paper.sha256, format=paper.format, id=paper.paper_id,
                      authors=list(paper.authors), categories=list(paper.categories)),
        note=plan.note,
        sections=[SectionOut(id=s.id, title=s.title, kind=s.kind, spans=[an.sentences[i].span for i in s.sentences])
                  for s in plan.sections],
        terms=[TermOut(id=term_ids[t.key], label=t.label, kind=t.kind,
                       definition=definition_statement(an, t, t.definitions[0]) if t.definitions else None,
                       mentions=list(t.mentions)) for t in terms],
        concept_graph=[ConceptEdge(source=term_ids[a], target=term_ids[b], why=why) for a, b, why in plan.concept_edges
                       if a in term_ids and b in term_ids],
        lessons=lessons,
        guides=write_guides(plan),
        flashcards=cards,
        quiz=quiz,
        exercises=exercises,
        quiz_report=QuizReport(generated=len(quiz) + len(flawed), kept=len(quiz),
                               dropped=[QuizFlaw(id=q.id, kind=q.kind, flaw=why) for q, why in flawed]),
        grounding=Grounding(checked=0, passed=0, dropped=[]),
    )
    cur.reading_group = reading_group(an, cur.lessons, cur.exercises)
    cur.visuals = make_visuals(plan, cur)
    if is_whole_paper(an):
        _paper_words(cur)
    return cur


_ABSTRACT = re.compile(r"\b([Tt])he abstract\b(?= (?:leaves|names|states?|claims?|says?|gives?)\b|[,.?:]|$)")


def _paper_words(node) -> None:
    """Our sentences speak of "the abstract" where the source is one; of a whole paper they say "the paper".
    Only our own words change: scaffolds, headings and titles, never a quote or an extract."""
    if isinstance(node, list):
        for item in node:
            _paper_words(item)
    elif isinstance(node, Statement):
        if node.kind == "scaffold":
            node.text = _ABSTRACT.sub(lambda m: m.group(1) + "he paper", node.text)
    elif isinstance(node, BaseModel):
        for name in type(node).model_fields:
            value = getattr(node, name)
            if isinstance(value, str) and name in ("heading", "title", "alt", "caption"):
                setattr(node, name, _ABSTRACT.sub(lambda m: m.group(1) + "he paper", value))
            elif isinstance(value, (list, BaseModel)):
                _paper_words(value)

