"""generate: Plan -> Curriculum (lessons, section guides; study items come later)."""
from __future__ import annotations

from .. import __version__
from ..ids import content_id
from ..models import ConceptEdge, Curriculum, Grounding, Plan, SectionOut, Source, TermOut
from .guides import write_guides
from .lessons import _term_id, definition_statement, write_lessons


def generate(plan: Plan) -> Curriculum:
    an, paper = plan.analysis, plan.analysis.paper
    terms = sorted(an.terms.values(), key=lambda t: (t.first, t.label))
    term_ids = {t.key: _term_id(t) for t in terms}
    return Curriculum(
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
        lessons=write_lessons(plan),
        guides=write_guides(plan),
        grounding=Grounding(checked=0, passed=0, dropped=[]),
    )


__all__ = ["generate", "content_id"]
