"""generate: Plan -> Curriculum (lessons, section guides, flashcards, quiz, exercises)."""
from __future__ import annotations

from .. import __version__
from ..models import ConceptEdge, Curriculum, Grounding, Plan, SectionOut, Source, TermOut
from ..models import QuizFlaw, QuizReport
from .cards import write_cards
from .exercises import write_exercises
from .facts import Facts
from .guides import write_guides
from .lessons import _term_id, definition_statement, write_lessons
from .quiz import write_quiz
from .reading_group import reading_group
from .visuals import make_visuals


def generate(plan: Plan) -> Curriculum:
    an, paper = plan.analysis, plan.analysis.paper
    terms = sorted(an.terms.values(), key=lambda t: (t.first, t.label))
    term_ids = {t.key: _term_id(t) for t in terms}
    lessons = write_lessons(plan)
    facts = Facts(plan, lessons)
    quiz, flawed = write_quiz(facts)
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
        flashcards=write_cards(facts),
        quiz=quiz,
        exercises=write_exercises(facts),
        quiz_report=QuizReport(generated=len(quiz) + len(flawed), kept=len(quiz),
                               dropped=[QuizFlaw(id=q.id, kind=q.kind, flaw=why) for q, why in flawed]),
        grounding=Grounding(checked=0, passed=0, dropped=[]),
    )
    cur.reading_group = reading_group(an, cur.lessons, cur.exercises)
    cur.visuals = make_visuals(plan, cur)
    return cur

