"""Section guides: what a section claims, under which conditions, its key terms,
how it connects to the other sections, and where it is in the source."""
from __future__ import annotations

import re
from bisect import bisect_left

from ..analyse.sentences import reads_whole
from ..models import Block, Guide, Plan
from .. import wording as W
from .lessons import _cover, _unique, definition_statement
from .statements import extract, quote, scaffold

MAX_SENTENCE_NUMBER = 99  # larger numbers would read as facts of their own


def write_guides(plan: Plan) -> list[Guide]:
    an, src = plan.analysis, plan.analysis.paper.text
    guides = []
    linkable = [t for t in an.terms.values() if t.kind != "quantity" and not t.label.startswith("(")]
    places = _term_places(an, linkable, plan.sections)
    for sec in plan.sections:
        conds = [c for c in an.conditions if c.sentence in sec.sentences]
        claims = []
        for i in sec.sentences:
            # the main clause's claim, its conditions listed below; a clause that does not read
            # whole on its own is shown as its sentence
            main = next((p for p in an.propositions if p.sentence == i), None)
            spans = next((sp for sp in ((main.core, main.spans) if main else ()) if reads_whole(src, sp)), None)
            claims.append(extract(src, list(spans)) if spans else quote(src, an.sentences[i].span))
        blocks = [Block(heading=W.H_CLAIMS, statements=_unique(claims))]
        if conds:
            blocks.append(Block(heading=W.H_CONDITIONS, statements=_unique([extract(src, [c.span]) for c in conds])))
        keys = []
        for t in an.terms.values():
            if t.definitions and any(an.sentence_at(m[0]) in sec.sentences for m in t.mentions):
                keys.append(definition_statement(an, t, t.definitions[0]))
        if keys:
            blocks.append(Block(heading=W.H_KEY_TERMS, statements=_unique(keys)))
        links = []
        for other in plan.sections:
            if other.id == sec.id:
                continue
            both = places[sec.id] & places[other.id]
            shared = [t for t in linkable if t.key in both]
            for t in shared[:2]:
                # cite the term where it is written as its label ("ADPrompt", not its long form)
                as_label = [m for m in t.mentions if src[m[0]:m[1]].lower() == t.label.lower()]
                mine = next((m for m in as_label if an.sentence_at(m[0]) in sec.sentences), None)
                theirs = next((m for m in as_label if an.sentence_at(m[0]) in other.sentences), None)
                if mine is None or theirs is None:
                    continue
                name, cites = other.title.split(":")[0], sorted([mine, theirs])
                if not _template_made(name):  # a heading in the source's words: cite where it is written
                    at = src.find(name.rstrip("…"))
                    if at < 0:
                        continue
                    cites.append((at, at + len(name.rstrip("…"))))
                links.append(scaffold(W.S_SHARES.format(term=t.label, title=name), cites))
        if links:
            blocks.append(Block(heading=W.H_CONNECTS, statements=links))
        numbers = [i + 1 for i in sorted(sec.sentences)]
        if numbers[-1] <= MAX_SENTENCE_NUMBER:
            where = W.S_SENTENCE.format(a=numbers[0]) if len(numbers) == 1 else \
                W.S_SENTENCES.format(a=_number_list(numbers))
            blocks.append(Block(heading=W.H_WHERE, statements=[scaffold(where, [an.sentences[i].span for i in sec.sentences])]))
        guides.append(Guide(section_id=sec.id, title=sec.title, blocks=blocks))
    return guides


def _number_list(numbers: list[int]) -> str:
    """1, 2, 3, 5 -> "1 to 3 and 5": ranges only where the sentences are consecutive."""
    runs: list[list[int]] = []
    for n in numbers:
        if runs and n == runs[-1][-1] + 1:
            runs[-1].append(n)
        else:
            runs.append([n])
    parts = [p for r in runs for p in ([f"{r[0]} to {r[-1]}"] if len(r) > 2 else map(str, r))]
    return parts[0] if len(parts) == 1 else ", ".join(parts[:-1]) + " and " + parts[-1]


def _template_made(title: str) -> bool:
    """A section title of our own wording ("Findings", "Result 2"), not the source's."""
    return all(w in W.TEMPLATE_WORDS or w.isdigit() for w in re.findall(r"\w+", title.lower()))


def _term_places(an, terms, sections) -> dict[str, set[str]]:
    """Per section, the keys of the terms it mentions: in one of its sentences, and inside the
    stretch of text from its first sentence to its last. Found once, not per pair of sections."""
    mentions = sorted((m, t.key) for t in terms for m in t.mentions)
    starts = [m[0] for m, _ in mentions]
    by_sentence: dict[int, set[str]] = {}
    for m, key in mentions:
        by_sentence.setdefault(an.sentence_at(m[0]), set()).add(key)
    out = {}
    for sec in sections:
        a, b = _cover(an, sec.sentences)
        covered = {key for m, key in mentions[bisect_left(starts, a):bisect_left(starts, b)] if m[1] <= b}
        out[sec.id] = covered & set().union(*(by_sentence.get(i, set()) for i in sec.sentences))
    return out
