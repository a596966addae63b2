"""curriculum.md: the whole curriculum as one readable Markdown file, with citations."""
from __future__ import annotations

from ..models import Curriculum, Statement


def _cite(st: Statement, sentence_of) -> str:
    if not st.spans:
        return ""
    nums = sorted({sentence_of(a) for a, _ in st.spans})
    return " [" + ", ".join(f"s{n}" for n in nums) + "]"


def _statement(st: Statement, sentence_of) -> str:
    text = st.text
    if st.kind == "quote":
        return f"> {text}{_cite(st, sentence_of)}"
    if st.kind == "scaffold":
        return f"- *{text}*"
    return f"- {text}{_cite(st, sentence_of)}"


def to_markdown(cur: Curriculum) -> str:
    sent_starts = sorted({a for s in cur.sections for a, _ in s.spans})

    def sentence_of(pos: int) -> int:
        n = 0
        for i, a in enumerate(sent_starts, 1):
            if a <= pos:
                n = i
        return n

    out = [f"# {cur.source.title}", ""]
    if cur.source.authors:
        out += [", ".join(cur.source.authors), ""]
    if cur.note:
        out += [f"*{cur.note}*", ""]
    out += ["Every line below cites the source sentence it comes from, as [s1] for sentence 1.", "",
            "## Learning path", ""]
    for l in cur.lessons:
        out.append(f"{l.number}. **{l.title}** ({l.level})")
    out += ["", "## Source", ""]
    for i, a in enumerate(sent_starts, 1):
        end = next(b for s in cur.sections for x, b in s.spans if x == a)
        out.append(f"- s{i}: {cur.source.text[a:end]}")
    lesson_titles = {l.id: f"{l.number}. {l.title}" for l in cur.lessons}
    for l in cur.lessons:
        out += ["", f"## Lesson {l.number}: {l.title}", "", f"*Level: {l.level}*", ""]
        if l.prerequisites:
            out += ["Before this: " + "; ".join(lesson_titles[p] for p in l.prerequisites), ""]
        out += ["**Objectives**", ""] + [f"- {o.text}" for o in l.objectives]
        for b in l.blocks:
            out += ["", f"### {b.heading}", ""] + [_statement(s, sentence_of) for s in b.statements]
    out += ["", "## Section guides"]
    titles = {s.id: s.title for s in cur.sections}
    for g in cur.guides:
        out += ["", f"### {titles.get(g.section_id, g.title)}"]
        for b in g.blocks:
            out += ["", f"**{b.heading}**", ""] + [_statement(s, sentence_of) for s in b.statements]
    out += ["", "## Glossary", ""]
    for t in sorted(cur.terms, key=lambda t: t.label.lower()):
        d = f": {t.definition.text}" if t.definition else ""
        out.append(f"- **{t.label}** ({t.kind}, {len(t.mentions)} mention{'s' * (len(t.mentions) != 1)}){d}")
    g = cur.grounding
    out += ["", "## Grounding", "", f"{g.passed} of {g.checked} statements and titles passed the grounding check; "
            f"{len(g.dropped)} dropped."]
    for d in g.dropped:
        out.append(f"- dropped {d.where}: {d.reason}")
    return "\n".join(out) + "\n"
