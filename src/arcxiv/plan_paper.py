"""Lessons for a whole paper: its own sections, taught in the order of its argument.

A whole paper has hundreds of sentences; a lesson reads a short selection of them.
Its top-level sections are grouped by what their headings say they hold (the
introduction's background, the setting and definitions, the method, the results,
the discussion; back matter such as funding is not taught), and each lesson reads
the sentences of its group that carry the argument: aims, results and implications
the sentence itself announces, definitions, theorem-like statements, and each
section's opening.
"""
from __future__ import annotations

import re

from . import wording as W
from .analyse.sentences import reads_whole
from .models import Analysis, LessonOutline, PlannedSection
from .plan import MAX_LESSONS, MAX_VOCABULARY, MIN_LESSONS, _VAGUE, salient_concepts

LONG_SOURCE = 40  # sentences, in three or more headed sections: a whole paper (an abstract has about ten)
READING_SENTENCES = 12  # what one lesson reads of its sections
MAX_NOTATION = 12

_KINDS = [  # the first that matches a section's heading says what it holds
    ("back", r"acknowledg|funding|competing|conflicts? of interest|author(?:s'|s)? contributions?|availability|"
             r"ethic|declaration|supplementa|supporting information|abbreviation|references|bibliography|consent|"
             r"disclosure|appendix|preface|dedication|contributors|glossary|nomenclature"),
    ("background", r"introduction|background|motivation|related work|literature|state of the art|prior work"),
    ("discussion", r"discussion|conclu|summary|limitation|future|outlook|closing|implication|perspective"),
    ("setting", r"preliminar|definition|notation|setting|problem|formulation|model\b|theory|framework|basics"),
    ("results", r"result|finding|evaluation|experiment|analys|performance|benchmark|use case|application|"
                r"validation|case stud|comparison|example"),
    ("method", r"method|approach|algorithm|design|implementation|architecture|material|procedure|technique|"
               r"package|software|system|derivation|overview|data"),
]
_APPENDIX_NUMBER = re.compile(r"^[A-Z](?:\.\d+)*\s")  # "A.1 Related work"
_NUMBERING = re.compile(r"^(?:[A-Z]|\d+)(?:\.\d+)*\.?\s+")
_THEOREM_LEAD = re.compile(r"^(?:Theorem|Lemma|Proposition|Corollary|Definition|Assumption)\s+[\dA-Z.]*\s*(?:\(|\.)")
_CITATIONS = re.compile(r"\[\d+(?:[,–-]\s*\d+)*\]")
_LEANS = re.compile(r"^(?:This|These|That|Those|It|They|Such|Here|Thus|Hence|However|In contrast)\b")


def is_whole_paper(an: Analysis) -> bool:
    return len(an.paper.sections) >= 3 and len(an.sentences) >= LONG_SOURCE


def kind_of(title: str) -> str:
    plain = _NUMBERING.sub("", title).lower()
    if _APPENDIX_NUMBER.match(title):
        return "back"
    return next((kind for kind, rx in _KINDS if re.search(rx, plain)), "body")


def plain_title(title: str) -> str:
    return _NUMBERING.sub("", title).strip() or title


def groups_of(an: Analysis, sections: list[PlannedSection]) -> list[tuple[str, list[PlannedSection]]]:
    """(kind, sections) per top-level section with its subsections, after the abstract, in order."""
    part_of = {s.title: s.part or s.title for s in an.paper.sections}
    groups: list[tuple[str, list[PlannedSection]]] = []
    appendix, current = False, None
    for sec in sections[1:]:
        part = part_of.get(sec.title, sec.title)
        appendix = appendix or _APPENDIX_NUMBER.match(part) is not None  # "A.1 …": the appendix has begun
        if part != current or not groups:
            groups.append(("back" if appendix else kind_of(part), [sec]))
            current = part
        else:
            groups[-1][1].append(sec)
    return groups


def paper_lessons(an: Analysis, sections: list[PlannedSection]) -> list[LessonOutline]:
    all_ids = tuple(s.id for s in sections)
    abstract = sections[0]
    groups = [g for g in groups_of(an, sections) if g[0] != "back"]
    background = [g for g in groups if g[0] == "background"]
    discussion = [g for g in groups if g[0] == "discussion"]
    body = [g for g in groups if g[0] not in ("background", "discussion")]
    if not body and background:  # nothing but an introduction: teach it as the body
        body, background = background, []

    beginner = [LessonOutline("overview", "beginner", W.T_OVERVIEW, (abstract.id,),
                              select(an, abstract.sentences, READING_SENTENCES))]
    if background:
        secs = [s for _, group in background for s in group]
        beginner.append(_part(an, "beginner", W.T_PAPER_BACKGROUND, secs))
    concepts = paper_vocabulary(an, salient_concepts(an))
    if concepts:
        beginner.append(LessonOutline("vocabulary", "beginner", W.T_VOCABULARY, all_ids,
                                      term_keys=tuple(t.key for t in concepts)))
    notation = [t.key for t in an.terms.values() if t.kind in ("symbol", "acronym") and t.definitions
                and not t.label.startswith("(")][:MAX_NOTATION]
    if len(notation) >= 2:
        beginner.append(LessonOutline("notation", "beginner", W.T_NOTATION, all_ids, term_keys=tuple(notation)))
    advanced = [_part(an, "advanced", W.T_PAPER_DISCUSSION, [s for _, g in discussion for s in g])] if discussion else []
    advanced.append(LessonOutline("synthesis", "advanced", W.T_CONNECT, all_ids))

    units = [[s for s in group] for _, group in body]
    room = MAX_LESSONS - len(beginner) - len(advanced)
    while len(units) > max(room, 1):  # too many sections: teach the two smallest neighbours together
        i = min(range(len(units) - 1), key=lambda k: _size(units[k]) + _size(units[k + 1]))
        units[i:i + 2] = [units[i] + units[i + 1]]
    while len(beginner) + len(units) + len(advanced) < MIN_LESSONS:  # too few: split the largest at a subsection
        i = max(range(len(units)), key=lambda k: (_size(units[k]), -k)) if units else None
        if i is None or len(units[i]) < 2:
            break
        half = _split_point(units[i])
        units[i:i + 1] = [units[i][:half], units[i][half:]]
    middle = [_part(an, "intermediate", None, u) for u in units]
    return beginner + middle + advanced


# "the most common formula is …", "a simple approximation is …": a judgement, not the name of a concept
_EVALUATIVE = re.compile(r"(?i)^(?:common|popular|simple|last|first|second|third|final|new|main|key|important|"
                         r"good|better|best|useful|different|same|other|further|particular|following)\b")


def paper_vocabulary(an: Analysis, salient: list) -> list:
    """The terms a beginner meets first in a whole paper: those the paper itself defines, then the
    salient ones of more than one word ("option price", not "difference"), in the order the paper uses them."""
    defined = [t for t in an.terms.values() if t.kind == "concept" and t.definitions and len(t.mentions) >= 3
               and not _VAGUE.match(t.label) and not _EVALUATIVE.match(t.label)]
    defined.sort(key=lambda t: (-min(len(t.mentions), 10), t.first))
    chosen = defined[:MAX_VOCABULARY]
    rest = [t for t in salient if t not in chosen]
    chosen += sorted(rest, key=lambda t: len(t.label.split()) == 1)[:MAX_VOCABULARY - len(chosen)]
    return sorted(chosen, key=lambda t: t.first)


def _size(unit: list[PlannedSection]) -> int:
    return sum(len(s.sentences) for s in unit)


def _split_point(unit: list[PlannedSection]) -> int:
    total, run = _size(unit), 0
    for k, sec in enumerate(unit):
        run += len(sec.sentences)
        if run * 2 >= total:
            return min(max(k + 1, 1), len(unit) - 1)
    return len(unit) // 2


def _unit_title(an: Analysis, unit: list[PlannedSection], read: tuple[int, ...]) -> str:
    """The top-level headings of the sections a lesson reads from, as the paper prints them (numbers
    dropped); a lesson that reads only part of a top-level section names the subsection it starts in."""
    part_of = {s.title: s.part or s.title for s in an.paper.sections}
    reading = set(read)
    secs = [s for s in unit if reading & set(s.sentences)] or unit
    names = list(dict.fromkeys(plain_title(part_of.get(s.title, s.title)) for s in secs))
    whole_part = {s.title for s in an.paper.sections if plain_title(s.part or s.title) == names[0]} <= \
        {s.title for s in unit}
    if len(names) == 1 and not whole_part and secs[0].title != part_of.get(secs[0].title):
        return f"{names[0]}: {plain_title(secs[0].title)}"
    return names[0] if len(names) == 1 else " and ".join(names) if len(names) == 2 else f"{names[0]} and more"


def _part(an: Analysis, level: str, title: str | None, secs: list[PlannedSection]) -> LessonOutline:
    sents = tuple(i for s in secs for i in s.sentences)
    firsts = {s.sentences[0] for s in secs if s.sentences}
    read = with_captions(an, select(an, sents, READING_SENTENCES, firsts))
    return LessonOutline("part", level, title or _unit_title(an, secs, read), tuple(s.id for s in secs), read)


_FIGURE_REF = re.compile(r"\b(Fig(?:ure)?s?\.?|Tables?)\s+(\d+)")
_CAPTION = re.compile(r"^(Fig(?:ure)?\.?|Table)\s+(\d+)[.:]")
MAX_CAPTIONS = 2


def with_captions(an: Analysis, read: tuple[int, ...]) -> tuple[int, ...]:
    """A figure or table is taught through its caption and the sentences that refer to it: the reading
    that refers to "Figure 3" also reads the opening sentence of Figure 3's caption."""
    captions: dict[tuple[str, str], int] = {}
    for s in an.sentences:
        m = _CAPTION.match(s.text)
        if m:
            captions.setdefault(("T" if m.group(1).startswith("T") else "F", m.group(2)), s.index)
    wanted = []
    for i in read:
        for m in _FIGURE_REF.finditer(an.sentences[i].text):
            key = ("T" if m.group(1).startswith("T") else "F", m.group(2))
            if key in captions and captions[key] not in read and captions[key] not in wanted:
                wanted.append(captions[key])
    return tuple(sorted(set(read) | set(wanted[:MAX_CAPTIONS])))


def select(an: Analysis, sents, k: int, firsts=frozenset()) -> tuple[int, ...]:
    """About k sentences that carry the argument, in source order, read as the paper wrote them: whole
    paragraphs (or a paragraph's opening run), the ones that hold aims, results, implications,
    definitions and theorem-like statements first; sentences picked one by one read as fragments."""
    # a display equation, or a sentence that does not read whole (a cut caption), is read in the source panel
    readable = [i for i in sents if "$$" not in an.sentences[i].text and reads_whole(an.paper.text, [an.sentences[i].span])]
    sents = readable or list(sents)
    if len(sents) <= k:
        return tuple(sents)
    value = _values(an, sents, firsts)
    paragraphs = _paragraphs(an, sents)
    runs = [p[:PARAGRAPH_RUN] for p in paragraphs]  # a long paragraph is read up to its sixth sentence

    def worth(run: list[int]) -> tuple:
        best = sorted((value[i] for i in run), reverse=True)[:3]
        return (-(sum(best) / len(best) + 0.5 * any(i in firsts for i in run)), run[0])

    picked: list[int] = []
    for run in sorted(runs, key=worth):
        if len(picked) + len(run) <= k + 2:
            picked += run
        if len(picked) >= k:
            break
    if not picked:  # every paragraph is longer than the lesson: its best sentences, one by one
        picked = sorted(sents, key=lambda i: (-value[i], i))[:k]
    return tuple(sorted(set(picked)))


PARAGRAPH_RUN = 6


def _paragraphs(an: Analysis, sents) -> list[list[int]]:
    """Consecutive sentences with no paragraph break between them."""
    out: list[list[int]] = []
    for i in sorted(sents):
        if out and out[-1][-1] == i - 1 and "\n\n" not in an.paper.text[an.sentences[i - 1].span[1]:an.sentences[i].span[0]]:
            out[-1].append(i)
        else:
            out.append([i])
    return out


def _values(an: Analysis, sents, firsts) -> dict[int, float]:
    cued = {c.sentence: c.role for c in an.claims if c.cued}
    defines = {an.sentence_at(d.evidence[-1][0]) for t in an.terms.values() for d in t.definitions}
    chosen = set(sents)
    terms_in: dict[int, int] = {}
    for t in an.terms.values():
        if t.kind == "concept" and len(t.mentions) >= 3:
            for m in t.mentions:
                i = an.sentence_at(m[0])
                if i in chosen:
                    terms_in[i] = terms_in.get(i, 0) + 1
    out = {}
    for i in sents:
        text = an.sentences[i].text
        words = len(text.split())
        value = 3.0 * (cued.get(i) in ("aim", "result", "implication")) + 2.0 * (i in defines) \
            + 3.0 * bool(_THEOREM_LEAD.match(text)) + 1.5 * (i in firsts) + 0.3 * min(terms_in.get(i, 0), 5)
        value -= 0.7 * len(_CITATIONS.findall(text)) + 2.0 * (words > 55 or words < 7)
        value -= 1.0 * text.startswith(("Figure ", "Table "))
        out[i] = value
    return out
