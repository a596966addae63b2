"""plan: Analysis -> Plan (logical sections, concept graph, lesson outline).

Sections follow the paper's own structure: its headings, else its enumerated
results ("First, … Fourth, …"), else its rhetorical moves. Lessons then go
beginner (orient: aim, vocabulary, notation) -> intermediate (one part each) ->
advanced (how the parts fit, scope, what the source leaves open), 8-12 of them
when the source has five or more sentences.
"""
from __future__ import annotations

import re

from .analyse.claims import strip_ordinal
from .analyse.sentences import reads_whole
from .ids import content_id
from . import wording as W
from .models import Analysis, LessonOutline, Plan, PlannedSection

MIN_LESSONS, MAX_LESSONS = 8, 12
SHORT_SOURCE = 5  # sentences; below this, fewer lessons and a note saying why

_WE_VERB = re.compile(r"^(?:\w+ly,?\s+|(?:first|second|third|fourth|fifth|finally|lastly),\s+)?(?:here\s+)?we\s+(?:\w+ly\s+)?"
                      r"(?:also\s+)?\w+\s+(?:that\s+|how\s+|to\s+\w+\s+)?", re.I)
_TRAILING = re.compile(r"(?:\s+(?:of|the|a|an|and|or|in|on|for|to|with|by|under|at|from|into|that|which))+$", re.I)


def plan(analysis: Analysis) -> Plan:
    sections = _sections(analysis)
    lessons = _lessons(analysis, sections)
    note = None
    if len(analysis.sentences) < SHORT_SOURCE:
        note = (f"The source has {len(analysis.sentences)} sentence(s), fewer than {SHORT_SOURCE}, so this "
                f"curriculum has {len(lessons)} lessons instead of {MIN_LESSONS} to {MAX_LESSONS}: each lesson "
                "needs its own source sentences to teach.")
    note = " ".join([*analysis.paper.notes, *([note] if note else [])]) or None  # what reading the source could not do
    return Plan(analysis=analysis, sections=sections, concept_edges=concept_edges(analysis), lessons=lessons, note=note)


# ----------------------------------------------------------------------------- sections
def _sections(an: Analysis) -> list[PlannedSection]:
    if an.paper.sections:
        return _heading_sections(an)
    roles = {c.sentence: c.role for c in an.claims}
    items = {c.sentence: c.item for c in an.claims if c.item}
    out: list[PlannedSection] = []
    if items:
        starts = sorted(items)
        parts: list[list[int]] = []
        taken: set[int] = set()
        for k, first in enumerate(starts):
            end = starts[k + 1] if k + 1 < len(starts) else len(an.sentences)
            part = [first]
            for i in range(first + 1, end):
                if roles[i] in ("implication", "scope"):
                    break
                part.append(i)
            parts.append(part)
            taken.update(part)
        overview = [i for i in range(starts[0]) if roles[i] != "scope"]
        synthesis = [i for i in range(len(an.sentences)) if i not in taken and i > starts[0] and roles[i] == "implication"]
        word = W.T_RESULT if sum(roles[p[0]] == "result" for p in parts) * 2 >= len(parts) else W.T_PART
        if overview:
            out.append(_section(an, "overview", W.T_OVERVIEW_SECTION, overview))
        for n, part in enumerate(parts, 1):
            # a part the paper announces ("First, we establish X …") is about what it announces
            out.append(_section(an, "part", _titled(f"{word} {n}", _topic(an, part[0])), part, number=n))
        rest = [i for i in range(len(an.sentences)) if i not in taken and i not in overview and i not in synthesis]
    else:
        first_aim = next((c.sentence for c in an.claims if c.role == "aim"), None)
        overview = [c.sentence for c in an.claims if c.role == "background" and (first_aim is None or c.sentence < first_aim)]
        if first_aim is not None:
            overview.append(first_aim)
            # "We address the following question." is read with the question it announces
            if _ANNOUNCES.search(an.sentences[first_aim].text):
                k = first_aim + 1
                while k < min(len(an.sentences), first_aim + 4) and roles[k] == "aim":
                    overview.append(k)
                    k += 1
        if not overview:
            overview = [0]
        synthesis = [c.sentence for c in an.claims if c.role == "implication" and c.sentence not in overview]
        out.append(_section(an, "overview", W.T_OVERVIEW_SECTION, sorted(overview)))
        groups: dict[str, list[int]] = {}
        for c in an.claims:
            if c.sentence in overview or c.sentence in synthesis or c.role == "scope":
                continue
            groups.setdefault(W.ROLE_TITLES.get(c.role, "Findings"), []).append(c.sentence)
        for n, (title, sents) in enumerate(groups.items(), 1):
            out.append(_section(an, "part", _part_title(an, title, sents), sents, number=n))
        rest = [c.sentence for c in an.claims if c.role == "scope" and c.sentence not in overview]
    if synthesis:
        out.append(_section(an, "synthesis", W.T_FIT, synthesis))
    scope = [i for i in rest if roles[i] == "scope"]
    leftovers = [i for i in rest if i not in scope]
    if leftovers:  # sentences no rule claimed still belong somewhere: the overview
        ov = next((s for s in out if s.kind == "overview"), None)
        if ov:
            out[out.index(ov)] = _section(an, "overview", ov.title, sorted(ov.sentences + tuple(leftovers)))
        else:
            out.insert(0, _section(an, "overview", W.T_OVERVIEW_SECTION, leftovers))
    if scope:
        out.append(_section(an, "scope", W.T_SCOPE_SECTION, scope))
    return out


_ANNOUNCES = re.compile(r"(?i)\b(?:the following|as follows)\b|:\s*$")


def roles_of(an: Analysis) -> dict[int, str]:
    return {c.sentence: c.role for c in an.claims}


def _heading_sections(an: Analysis) -> list[PlannedSection]:
    out = []
    for n, sec in enumerate(an.paper.sections, 1):
        sents = [s.index for s in an.sentences if sec.span[0] <= s.span[0] < sec.span[1]]
        if sents:
            kind = "overview" if n == 1 else "part"
            out.append(_section(an, kind, sec.title, sents, number=None if kind == "overview" else n - 1))
    return out


def _section(an: Analysis, kind: str, title: str, sents: list[int], number: int | None = None) -> PlannedSection:
    text = " ".join(an.sentences[i].text for i in sents)
    slug = kind if number is None else f"{kind}-{number}"
    return PlannedSection(id=f"{slug}-{content_id('section', text)[:6]}", title=title, kind=kind,
                          sentences=tuple(sents), number=number)


def _topic(an: Analysis, i: int) -> str:
    """A short name for what a sentence is about, in the source's words."""
    found = re.sub(r"(?i)^that\s+", "", _topic_phrase(an, i))  # "we prove that …": the topic follows
    if re.match(r"(?i)(?:in particular|moreover|furthermore|further|specifically|in addition|additionally|also|"
                r"lastly|finally|our (?:method|results|approach|work|framework)\b$|we\b)", found):
        found = ""  # a discourse adverbial names nothing
    if re.search(r"[^\W\d_]{2}", found) and found.split()[-1].lower() not in _FUNCTION_WORDS \
            and found.lower() not in _NUMBER_WORDS and not _CLAUSE.search(found) and not _DISCOURSE.match(found) \
            and not _SETTING.match(found):
        return found
    # a noun phrase that names what the sentence is about, else the sentence by its number: never
    # its opening words cut off ("we prove that if the composition")
    return _named_part(an, i)


def _titled(word: str, topic: str) -> str:
    return f"{word}: {topic}" if topic else word


def _part_title(an: Analysis, word: str, sents) -> str:
    """A part is titled by its first sentence's topic only when that topic is what the part is about:
    named in most of its sentences, else "Findings" alone (not "Findings: quiescent Sun
    spectrum" over the flaring results too)."""
    topic = _topic(an, sents[0])
    named = sum(topic.lower() in an.sentences[i].text.lower() for i in sents) if topic else 0
    return _titled(word, topic if 2 * named > len(sents) else "")


_DISCOURSE = re.compile(r"(?i)^(?:in particular|moreover|furthermore|further|specifically|in addition|additionally|"
                        r"also|lastly|finally|first(?:ly)?|second(?:ly)?|third(?:ly)?|then|next|here)\b,?\s*")
# a participle or preposition opens the setting of a sentence ("Given two subgroups H,K of …"), not its topic
_SETTING = re.compile(r"(?i)^(?:given|using|assuming|considering|based on|let|with|for|in|on|to|from|by|under)\b")
# a verb makes a clause, not a name: "the resulting welfare function is supermodular"
_CLAUSE = re.compile(r"(?i)\b(?:is|are|was|were|be|been|has|have|had|can|may|might|will|would|should|must|does|do|did|"
                     r"let|assume|prove|show|demonstrate|produces?)\b")
_NUMBER_WORDS = set("one two three four five six seven eight nine ten first second third fourth fifth".split())
_FUNCTION_WORDS = set("""a an the of in on at to for by from with without under over into as and or nor but if
than that which who whose where when while is are was were be been has have had its their this these those
such via per not no can may might must should would could will shall during through across between among
within towards toward against about before after around beyond like upon""".split())


def _named_part(an: Analysis, i: int) -> str:
    """The subject (else the object) of the sentence's first clause, when it names something in
    at most eight words: "the order of P modulo O_p(G)", not "In particular"."""
    text = an.paper.text
    for p in an.propositions_in(i):
        for kind in ("subject", "object"):
            for part in p.of(kind):
                words = text[part.span[0]:part.span[1]].split()
                if 2 <= len(words) <= 8 and words[0].lower() not in _PRONOUNS and reads_whole(text, [part.span]) \
                        and not re.match(r"(?i)that\b", words[0]) and not _CLAUSE.search(" ".join(words)):
                    return _TRAILING.sub("", " ".join(words))
    return ""


_PRONOUNS = {"we", "it", "they", "this", "these", "those", "which", "that", "one", "our", "its", "their"}


def _topic_phrase(an: Analysis, i: int) -> str:
    s = an.sentences[i]
    m = _WE_VERB.match(s.text)
    if m:
        rest = re.split(r"[,:;]|\s+(?:under|identifying|exactly when|where|which|if|when|by|using|via|into|in|with|for|from|on|to)\s+", s.text[m.end():])[0]
        words = rest.split()[:8]
        phrase = _TRAILING.sub("", " ".join(words)).rstrip(".")
        if len(phrase) > 3:
            return _balance(phrase)
    a, b = strip_ordinal(an.paper.text, s.clauses[0].span if s.clauses else s.span)
    if i in an.topics and a <= an.topics[i][0] < b:
        x, y = an.topics[i]
        return _balance(_TRAILING.sub("", an.paper.text[x:y]))
    for c in an.conditions:  # "under the … condition the active support …": skip the condition
        if c.span[0] <= a + 1 and c.span[1] > a:
            a = c.span[1]
    rest = re.split(r"[,:;](?=\s)", an.paper.text[a:b])[0].split()  # "H,K" is one name, not a clause break
    # a whole short clause names its topic; eight words cut from a longer one do not
    return _balance(_TRAILING.sub("", " ".join(rest)).rstrip(",.;:")) if len(rest) <= 8 else ""


def _balance(phrase: str) -> str:
    if phrase.count("(") > phrase.count(")"):
        phrase = phrase[:phrase.rfind("(")].rstrip() if "(" in phrase else phrase
    return phrase


# ----------------------------------------------------------------------------- concept graph
def concept_edges(an: Analysis) -> list[tuple[str, str, str]]:
    """(a, b, why): understanding term a needs term b."""
    edges: dict[tuple[str, str], str] = {}
    terms = an.terms
    for t in terms.values():
        for d in t.definitions:
            for other in terms.values():
                if other.key != t.key and any(d.meaning_span[0] <= a and b <= d.meaning_span[1] for a, b in other.mentions):
                    edges.setdefault((t.key, other.key), "defined with")
    for r in an.relations:
        edges.setdefault((r.source_key, r.target_key), r.label)
    for a, members in an.tuples:
        tuple_key = next(k for k, t in terms.items() if t.mentions and t.mentions[0] == a)
        for m in members:
            edges.setdefault((tuple_key, m), "member")
    return sorted((a, b, why) for (a, b), why in edges.items())


MAX_VOCABULARY = 8
_VAGUE = re.compile(r"(?i)^(?:standard|existing|established|several|multiple|various|known|classical|prior|"
                    r"stated|previous|many)\b")


def salient_concepts(an: Analysis) -> list:
    """The concepts a beginner meets first: often mentioned, defined, multi-word, technical."""
    def score(t):
        # mentions count up to ten: in a whole paper "difference" is named a hundred times and teaches nothing
        return (-(min(len(t.mentions), 10) + 2 * bool(t.definitions) + len(t.label.split()) * 0.5
                  + ("-" in t.label) * 0.5),
                t.first)
    concepts = [t for t in an.terms.values() if t.kind == "concept" and not _VAGUE.match(t.label)]
    return sorted(sorted(concepts, key=score)[:MAX_VOCABULARY], key=lambda t: t.first)


def _order_by_concepts(an: Analysis, units):
    """Source order, except that a part which defines a term comes before the parts that use it."""
    def inside(pos: int, sents: set[int]) -> bool:  # the character at pos is in one of these sentences
        return an.in_sentences((pos, pos + 1), sents)

    parts = [set(u[1]) for u in units]
    defines = [{t.key for t in an.terms.values() for d in t.definitions if inside(d.evidence[-1][0], sents)}
               for sents in parts]
    uses = [{t.key for t in an.terms.values() if any(inside(m[0], sents) for m in t.mentions)} for sents in parts]
    first_use = {k: min((i for i in range(len(units)) if k in uses[i]), default=None) for d in defines for k in d}
    needs = {i: {j for j in range(len(units)) if j != i and uses[i] & defines[j]
                 and any(first_use[k] == i for k in uses[i] & defines[j])} for i in range(len(units))}
    order: list[int] = []
    seen: set[int] = set()

    def visit(i: int) -> None:  # depth first, in source order; a cycle keeps source order
        if i in seen:
            return
        seen.add(i)
        for j in sorted(needs[i]):
            visit(j)
        order.append(i)

    for i in range(len(units)):
        visit(i)
    return [units[i] for i in order]


# ----------------------------------------------------------------------------- lessons
def _lessons(an: Analysis, sections: list[PlannedSection]) -> list[LessonOutline]:
    from .plan_paper import is_whole_paper, paper_lessons

    if is_whole_paper(an):
        return paper_lessons(an, sections)
    by_kind = {k: [s for s in sections if s.kind == k] for k in ("overview", "part", "synthesis", "scope")}
    all_ids = tuple(s.id for s in sections)
    overview_ids = tuple(s.id for s in by_kind["overview"]) or all_ids[:1]
    notation = [t.key for t in an.terms.values() if t.kind in ("symbol", "acronym", "quantity")]
    short = len(an.sentences) < SHORT_SOURCE

    # intermediate units: one per part, split by sentence when there are too few lessons
    units: list[tuple[PlannedSection, tuple[int, ...], str]] = [(s, s.sentences, s.title) for s in by_kind["part"]]
    beginner = [LessonOutline("overview", "beginner", W.T_OVERVIEW, overview_ids,
                              sum((s.sentences for s in by_kind["overview"]), ()))]
    if not short:
        beginner.append(LessonOutline("vocabulary", "beginner", W.T_VOCABULARY, all_ids,
                                      term_keys=tuple(t.key for t in salient_concepts(an))))
        if notation:
            beginner.append(LessonOutline("notation", "beginner", W.T_NOTATION, all_ids,
                                          term_keys=tuple(notation)))
    advanced = []
    if by_kind["synthesis"]:
        advanced.append(LessonOutline("synthesis", "advanced", W.T_FIT,
                                      tuple(s.id for s in by_kind["synthesis"]),
                                      sum((s.sentences for s in by_kind["synthesis"]), ())))
    elif len(sections) >= 2:  # no sentence says how the parts fit: the lesson retells the argument, part by part
        advanced.append(LessonOutline("synthesis", "advanced", W.T_CONNECT, all_ids))
    scope_sents = sum((s.sentences for s in by_kind["scope"]), ())
    if not short and (scope_sents or an.conditions):
        advanced.append(LessonOutline("scope", "advanced", W.T_SCOPE,
                                      tuple(s.id for s in by_kind["scope"]) or all_ids, scope_sents))
    from .generate.gaps import Gaps  # here, not at the top: generate reads the plan's helpers
    if Gaps(an).found() or short and scope_sents:  # a lesson on what is open only when something is
        advanced.append(LessonOutline("open", "advanced", W.T_OPEN, all_ids, scope_sents if short else ()))
    if not advanced:  # every path ends on the argument as a whole
        advanced.append(LessonOutline("synthesis", "advanced", W.T_CONNECT, all_ids))
    if not units:  # a source too short for parts: teach each non-overview sentence, else the overview's own
        covered = set(beginner[0].sentences)
        rest = [s.index for s in an.sentences if s.index not in covered] or [s.index for s in an.sentences]
        units = [(sections[0], tuple(rest), sections[0].title)]
    # too few lessons: the overview keeps its statement of aim, and its other sentences
    # (the background) become a part of their own
    ov = beginner[0]
    if len(beginner) + len(units) + len(advanced) < (MIN_LESSONS if not short else 3) and len(ov.sentences) > 1 \
            and by_kind["overview"]:
        roles = roles_of(an)
        keep = tuple(i for i in ov.sentences if roles[i] == "aim") or ov.sentences[-1:]
        move = tuple(i for i in ov.sentences if i not in keep)
        beginner[0] = LessonOutline(ov.kind, ov.level, ov.title, ov.section_ids, keep)
        title = _part_title(an, W.ROLE_TITLES.get(roles[move[0]], W.T_OVERVIEW_SECTION), move)
        units.insert(0, (by_kind["overview"][0], move, title))
    lo = MIN_LESSONS if not short else 3
    voc = beginner[1] if len(beginner) > 1 else None
    if voc and len(beginner) + len(units) + len(advanced) < lo and len(voc.term_keys) >= 4:
        half = len(voc.term_keys) // 2  # still too few: teach the vocabulary in two sittings
        beginner[1:2] = [LessonOutline("vocabulary", "beginner", f"{W.T_VOCABULARY} ({k})", all_ids, term_keys=keys)
                         for k, keys in ((1, voc.term_keys[:half]), (2, voc.term_keys[half:]))]
    while len(beginner) + len(units) + len(advanced) < lo:
        i = max(range(len(units)), key=lambda k: (len(units[k][1]), -k))
        sec, sents, title = units[i]
        if len(sents) < 2:
            break
        units[i:i + 1] = [(sec, sents[: len(sents) // 2], title), (sec, sents[len(sents) // 2:], title)]
    voc = beginner[1] if len(beginner) > 1 and beginner[1].kind == "vocabulary" else None
    if voc and voc.title == W.T_VOCABULARY and len(beginner) + len(units) + len(advanced) < lo \
            and len(voc.term_keys) >= 2:  # every part is down to one sentence: the vocabulary in two sittings
        half = len(voc.term_keys) // 2
        beginner[1:2] = [LessonOutline("vocabulary", "beginner", f"{W.T_VOCABULARY} ({k})", all_ids, term_keys=keys)
                         for k, keys in ((1, voc.term_keys[:half]), (2, voc.term_keys[half:]))]
    syn = advanced[0] if advanced and advanced[0].kind == "synthesis" else None
    if syn and len(syn.sentences) >= 2 and len(beginner) + len(units) + len(advanced) < lo:
        half = len(syn.sentences) // 2  # still too few: how the parts fit, in two sittings
        advanced[0:1] = [LessonOutline("synthesis", "advanced", f"{syn.title} ({k})", syn.section_ids, sents)
                         for k, sents in ((1, syn.sentences[:half]), (2, syn.sentences[half:]))]
    while len(beginner) + len(units) + len(advanced) > MAX_LESSONS and len(units) > 1:
        i = min(range(len(units) - 1), key=lambda k: len(units[k][1]) + len(units[k + 1][1]))
        (s1, a, t1), (_, b, _) = units[i], units[i + 1]
        units[i:i + 2] = [(s1, a + b, t1)]
    if short and len(beginner) + len(units) + len(advanced) < 3:
        advanced.insert(0, LessonOutline("scope", "advanced", W.T_SCOPE, all_ids))
    units = _order_by_concepts(an, units)
    # a part taught in several lessons: each lesson is named by what its own sentences are about
    counts: dict[str, int] = {}
    for _, _, title in units:
        counts[title] = counts.get(title, 0) + 1
    inter, seen = [], set()
    for sec, sents, title in units:
        if counts[title] > 1:
            title = _part_title(an, title.split(': ')[0], sents)
        base, n = title, 1
        while title in seen:
            n += 1
            title = f"{base} ({n})"
        seen.add(title)
        inter.append(LessonOutline("part", "intermediate", title, (sec.id,), tuple(sents)))
    return beginner + inter + advanced
