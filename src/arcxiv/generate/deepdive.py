"""Deep dives, one section at a time, on demand.

A deep dive walks each sentence of a section clause by clause (claim,
conditions, qualifiers, quantities), glosses every term in it with its mentions
elsewhere, says which sections it builds on and which build on it, lists what
the source leaves open (as absences), and ends with self-check items.
"""
from __future__ import annotations

from ..errors import InputError
from ..models import Block, Curriculum, DeepDive, Plan, PlannedSection, Statement
from .. import wording as W
from .lessons import _QUALIFIER_RX, LessonWriter, _cover, _unique, definition_statement
from .statements import extract, scaffold, term_mention_in, trim
from ..plan_paper import plain_title

SELF_CHECK = 5


def find_section(plan: Plan, wanted: str) -> PlannedSection:
    """By id ("part-2-1a2b3c"), by its readable start ("part-2", "overview"), by number ("3.2", the number a
    whole paper prints; else "3" is the section whose title says 3, part-3, or the third section of a paper
    whose sections have no numbers) or by its heading ("Methods")."""
    secs = plan.sections
    folded = wanted.casefold().strip()
    for match in (lambda s: s.id == wanted, lambda s: _short(s) == wanted,
                  lambda s: s.title.split(" ")[0] == wanted,  # a whole paper's printed number: "3.2"
                  lambda s: _number(s) == wanted, lambda s: s.title.casefold() == folded,
                  lambda s: plain_title(s.title).casefold() == folded):  # its heading: "Methods", "data"
        found = [s for s in secs if match(s)]
        if len(found) == 1:
            return found[0]
    if wanted.isdigit() and not any(_number(s) for s in secs) and 1 <= int(wanted) <= len(secs):
        return secs[int(wanted) - 1]
    listing = ", ".join(f"{_number(s) + ' or ' if _number(s) else ''}{_short(s)} ({s.title})" for s in secs)
    raise InputError(f"no section {wanted!r} in this paper; its sections are: {listing}.")


def _short(sec: PlannedSection) -> str:
    return sec.id.rsplit("-", 1)[0]


def _number(sec: PlannedSection) -> str:
    """The number a section's title carries (part-3: "Result 3: …"), or ""."""
    head, _, n = _short(sec).rpartition("-")
    return n if head == "part" and n.isdigit() else ""


def deep_dive(plan: Plan, cur: Curriculum, section_id: str) -> DeepDive:
    sec = find_section(plan, section_id)
    an, src = plan.analysis, plan.analysis.paper.text
    writer = LessonWriter(plan)
    blocks: list[Block] = []

    # 1. each sentence, clause by clause
    for i in sec.sentences:
        s = an.sentences[i]
        conds = [c for c in an.conditions if c.sentence == i]
        by_role: dict[str, list[Statement]] = {}
        for c in s.clauses:
            by_role.setdefault(c.role if c.role != "condition" else "condition", []).append(
                extract(src, [trim(src, sp) for sp in c.spans]))
        for c in conds:
            by_role.setdefault("condition", []).append(extract(src, [c.span]))
        for m in _QUALIFIER_RX.finditer(s.text):
            a = s.span[0] + m.start()
            by_role.setdefault("qualifier", []).append(extract(src, [_qualified(src, a, s.span)]))
        for t in an.terms.values():
            if t.kind == "quantity":
                m = term_mention_in(t, s.span)
                if m:
                    by_role.setdefault("quantity", []).extend(x for x in [writer.context(t, m)] if x)
        for role in ("claim", "condition", "consequence", "elaboration", "contrast", "qualifier", "quantity"):
            if by_role.get(role):
                blocks.append(Block(heading=W.D_SENTENCE.format(n=plan.analysis.sentence_ref(i), role=W.D_ROLES[role]),
                                    statements=_unique(by_role[role])))

    # 2. a gloss of every term, with its mentions elsewhere in the paper
    cover = _cover(an, sec.sentences)
    terms = [t for t in writer.terms_in(sec.sentences) if not _inside_other(an, t, cover)]
    for t in terms:
        sts = [definition_statement(an, t, d) for d in t.definitions[:2]]
        elsewhere = [m for m in t.mentions if an.sentence_at(m[0]) not in sec.sentences]
        sts += [x for x in (writer.context(t, m) for m in elsewhere[:3]) if x]
        if not sts:
            sts += [x for x in [writer.context(t, term_mention_in(t, cover))] if x]
        if not sts:
            continue
        blocks.append(Block(heading=W.D_ELSEWHERE.format(term=t.label) if elsewhere else t.label, statements=_unique(sts)))

    # 3. what it builds on, and what builds on it
    builds_on, built_on = [], []
    for other in plan.sections:
        if other.id == sec.id:
            continue
        for t in terms:
            here = term_mention_in(t, cover)
            there = next((m for m in t.mentions if an.sentence_at(m[0]) in other.sentences), None)
            if here is None or there is None:
                continue
            short = other.title.split(":")[0]
            if there[0] < here[0] and t.kind != "quantity":
                builds_on.append(scaffold(W.D_USES.format(term=t.label, title=short), sorted([here, there])))
            elif there[0] > here[0] and t.kind != "quantity":
                built_on.append(scaffold(W.D_USED_BY.format(term=t.label, title=short), sorted([here, there])))
    if builds_on:
        blocks.append(Block(heading=W.D_DEPENDS, statements=_unique(builds_on)[:6]))
    if built_on:
        blocks.append(Block(heading=W.D_DEPENDED, statements=_unique(built_on)[:6]))

    # 4. what the source leaves open here
    gaps = writer.gaps(set(sec.sentences))
    if gaps:
        blocks.append(Block(heading=W.H_OPEN, statements=[s for pair in gaps for s in pair if s]))

    # 5. self-check: this section's quiz items
    checks = [q for q in cur.quiz if q.section_id == sec.id][:SELF_CHECK]
    return DeepDive(section_id=sec.id, title=sec.title, blocks=blocks, self_check=checks)


def _qualified(src: str, a: int, within) -> tuple[int, int]:
    """A qualifier and the few words it governs: "at most S* atoms", "modulo finite-rank …"."""
    import re

    words = list(re.finditer(r"\S+", src[a:within[1]]))[:5]
    end = a
    for w in words:
        end = a + w.end()
        if re.search(r"[,;:]$", w.group(0)):
            break
    return trim(src, (a, end))


def _inside_other(an, t, cover) -> bool:
    """Skip a lone symbol that only appears inside a rate or a tuple here."""
    ms = [m for m in t.mentions if cover[0] <= m[0] < cover[1]]
    return t.kind == "symbol" and all(any(o is not t and o.kind in ("quantity", "symbol") and x <= m[0] and m[1] <= y
                                          and (x, y) != m for o in an.terms.values() for x, y in o.mentions)
                                      for m in ms)
