"""Section guides: what a section claims, under which conditions, its key terms, and where it
is in the source."""
from __future__ import annotations

from ..analyse.sentences import reads_whole
from ..models import Block, Guide, Plan
from .. import wording as W
from .lessons import _unique, definition_statement
from ..plan_paper import is_whole_paper, select
from .statements import extract, scaffold, without_pointer
from .units import with_leaners

MAX_SENTENCE_NUMBER = 99  # larger numbers would read as facts of their own
GUIDE_SENTENCES = 8


def write_guides(plan: Plan) -> list[Guide]:
    an, src = plan.analysis, plan.analysis.paper.text
    guides, glossed = [], set()
    whole = is_whole_paper(an)
    for sec in plan.sections:
        # a whole paper's section may run to a hundred sentences: its guide shows those that carry it
        shown = select(an, sec.sentences, GUIDE_SENTENCES, {sec.sentences[0]}) if whole else sec.sentences
        conds = [c for c in an.conditions if c.sentence in shown]
        claims = []
        for i in shown:
            # the main clause's claim with its conditions (listed again below); a clause that does
            # not read whole on its own is shown as its sentence
            main = next(iter(an.propositions_in(i)), None)
            spans = next((sp for sp in ((with_leaners(an, main, every=True),) if main else ())
                          if reads_whole(src, sp)), None)
            claims.append(extract(src, list(spans)) if spans else without_pointer(src, an.sentences[i].span))
        blocks = [Block(heading=W.H_CLAIMS, statements=_unique(claims))]
        if conds:
            blocks.append(Block(heading=W.H_CONDITIONS, statements=_unique([extract(src, [c.span]) for c in conds])))
        keys = []
        for t in an.terms.values():  # each term's meaning in the first guide that uses it
            if t.definitions and t.key not in glossed and any(an.sentence_at(m[0]) in sec.sentences for m in t.mentions):
                keys.append(definition_statement(an, t, t.definitions[0]))
                glossed.add(t.key)
        if keys:
            blocks.append(Block(heading=W.H_KEY_TERMS, statements=_unique(keys)))
        if len(an.sentences) <= MAX_SENTENCE_NUMBER:  # a whole paper's guide is its section: no numbers needed
            refs = an.sentence_refs(sec.sentences)
            where = W.S_SENTENCE.format(a=refs) if len(sec.sentences) == 1 else W.S_SENTENCES.format(a=refs)
            blocks.append(Block(heading=W.H_WHERE, statements=[scaffold(where, [an.sentences[i].span for i in sec.sentences])]))
        guides.append(Guide(section_id=sec.id, title=sec.title, blocks=blocks))
    return guides
