"""curriculum.md: the whole curriculum as one readable Markdown file, with citations.

Paper text is untrusted, and a Markdown viewer renders raw HTML, links and images: ``md()``
escapes exactly what could become one (it reads back as the same text in CommonMark) and leaves
the rest alone, so the file stays readable and TeX such as ``$\\mathcal{O}(n)$`` is untouched.
"""
from __future__ import annotations

from bisect import bisect_right

import re

from ..models import Curriculum, Statement

# "[" opens every link, image and link reference; "<" + letter, "/", "!" or "?" opens raw HTML, a
# comment or an autolink; "&name;" is an entity (so "&lt;script&gt;" must stay those characters);
# and a backslash before punctuation would cancel the escape put after it.
_MD_ACTIVE = re.compile(r"""[\\](?=[!-/:-@\[-`{-~])|\[|<(?=[A-Za-z/!?])|&(?=#?\w+;)""")


def md(text: str) -> str:
    """Paper text as Markdown that shows it as it is and can hold no HTML, link or image."""
    return _MD_ACTIVE.sub(lambda m: "\\" + m.group(0), text)


# provenance: what each mark after a statement says about its words
PROVENANCE = {"quote": "", "extract": ", cut", "rephrase": ", restated"}
LEGEND = ("Each line taken from the paper cites the sentence it comes from: [s4] is sentence 4 in the paper's own "
          "words, [s4, cut] a cut from it, [s4, restated] its words restated; teaching text is in italics.")


def _cite(st: Statement, sentence_of) -> str:
    if not st.spans:
        return ""
    nums = sorted({sentence_of(a) for a, _ in st.spans})
    return " [" + ", ".join(f"s{n}" for n in nums) + PROVENANCE.get(st.kind, "") + "]"


def _inline(st: Statement, sentence_of) -> str:
    text = md(st.text)
    # teaching text is in italics; a star of its own ("w*") must not end them
    return "*" + re.sub(r"(?<!\\)\*", r"\*", text) + "*" if st.kind == "scaffold" else f"{text}{_cite(st, sentence_of)}"


def _statement(st: Statement, sentence_of) -> str:
    if st.kind == "quote":
        return f"> {_inline(st, sentence_of)}"
    return f"- {_inline(st, sentence_of)}"


def _block(b, sentence_of) -> list[str]:
    """A reading is one paragraph of sentences; any other block is a list."""
    if b.prose:
        return [" ".join(_inline(st, sentence_of) for st in b.statements)]
    return [_statement(s, sentence_of) for s in b.statements]


def _source(cur: Curriculum, sent_starts: list[int], by_section: bool) -> list[str]:
    out = ["", "## Source", ""]
    if not by_section:  # in text order: an abstract's planned sections need not be contiguous
        ends = {a: b for s in cur.sections for a, b in s.spans}
        return out + [f"- s{i}: {md(cur.source.text[a:ends[a]])}" for i, a in enumerate(sent_starts, 1)]
    for sec in cur.sections:
        out += ["", f"### {md(sec.title)}", ""]
        out += [f"- s{bisect_right(sent_starts, a)}: {md(cur.source.text[a:end])}" for a, end in sec.spans]
    return out


def to_markdown(cur: Curriculum) -> str:
    sent_starts = sorted({a for s in cur.sections for a, _ in s.spans})

    def sentence_of(pos: int) -> int:
        return bisect_right(sent_starts, pos)

    out = [f"# {md(cur.source.title)}", ""]
    if cur.source.authors:
        out += [md(", ".join(cur.source.authors)), ""]
    if cur.note:
        out += [f"*{md(cur.note)}*", ""]
    out += [LEGEND, "",
            "## Learning path", ""]
    for l in cur.lessons:
        out.append(f"{l.number}. **{md(l.title)}** ({l.level})")
    # an abstract's sentences open the file; a whole paper's, section by section, close it
    whole = len(cur.sections) >= 3 and len(sent_starts) >= 40
    source = _source(cur, sent_starts, whole)
    if not whole:
        out += source
    lesson_titles = {l.id: f"{l.number}. {md(l.title)}" for l in cur.lessons}
    for l in cur.lessons:
        out += ["", f"## Lesson {l.number}: {md(l.title)}", "", f"*Level: {l.level}*", ""]
        if l.prerequisites:
            out += ["Before this: " + "; ".join(lesson_titles[p] for p in l.prerequisites), ""]
        out += ["**Objectives**", ""] + [f"- {md(o.text)}" for o in l.objectives]
        for b in l.blocks:
            out += ["", f"### {md(b.heading)}", ""] + _block(b, sentence_of)
    out += _reading_group(cur, sentence_of, lesson_titles)
    out += ["", "## Section guides"]
    titles = {s.id: s.title for s in cur.sections}
    for g in cur.guides:
        out += ["", f"### {md(titles.get(g.section_id, g.title))}"]
        for b in g.blocks:
            out += ["", f"**{md(b.heading)}**", ""] + [_statement(s, sentence_of) for s in b.statements]
    out += _study_items(cur, sentence_of, lesson_titles)
    defined = [t for t in sorted(cur.terms, key=lambda t: t.label.lower()) if t.definition]
    if defined:  # no heading over nothing
        out += ["", "## Glossary", ""]
    for t in defined:
        out.append(f"- **{md(t.label)}** ({t.kind}){_cite(t.definition, sentence_of)}: {md(t.definition.text)}")
    if whole:
        out += source
    g = cur.grounding
    out += ["", "## Grounding", "", f"{g.passed} of {g.checked} statements and titles passed the grounding check; "
            f"{len(g.dropped)} dropped."]
    if cur.quiz:  # the tool's own checks, apart from what the learner studies
        r = cur.quiz_report
        out += ["", f"Item-writing-flaw checks: {r.generated} quiz items written, {r.kept} kept, {len(r.dropped)} dropped."]
    for d in g.dropped:
        out.append(f"- dropped {md(d.where)}: {md(d.reason)}")
    return "\n".join(out) + "\n"


def _reading_group(cur: Curriculum, sentence_of, lesson_titles) -> list[str]:
    rg = cur.reading_group
    if rg is None:
        return []
    from ..wording import H_RG_QUESTIONS, H_RG_STEPS, RG_INTRO, T_READING_GROUP

    out = ["", f"## {T_READING_GROUP}", "", f"*{RG_INTRO}*", "", f"**{H_RG_STEPS}**", ""]
    for n, step in enumerate(rg.steps, 1):
        where = "; ".join(lesson_titles[i] for i in step.lesson_ids)
        out.append(f"{n}. ({step.minutes} min) *{md(step.what.text)}*" + (f" ({where})" if where else ""))
    out += ["", f"**{H_RG_QUESTIONS}**", ""] + [_statement(q, sentence_of) for q in rg.questions]
    return out


def _answer_text(q) -> str:
    from .html import answer_text

    return md(f"{'ABCD'[q.answer] if q.answer < 4 else q.answer + 1}. {q.choices[q.answer]}" if q.kind == "mcq"
              else answer_text(q))


def _quiz_item(q, n: int, sentence_of, lesson_titles) -> list[str]:
    out = [f"**Q{n}** ({q.kind.replace('_', ' ')}, {q.difficulty}, lesson {lesson_titles[q.lesson_id]})", "",
           md(q.prompt.text), ""]
    if q.kind == "mcq":
        out += [f"{'ABCD'[i]}. {md(c)}" if i < 4 else f"{i + 1}. {md(c)}" for i, c in enumerate(q.choices)] + [""]
    elif q.kind == "matching":
        out += [f"- {md(l)}" for l in q.left] + ["", "Options: " + md("; ".join(q.choices)), ""]
    elif q.kind == "ordering":
        out += [f"- {md(c)}" for c in q.choices] + [""]
    elif q.kind == "true_false":
        out += ["True or false?", ""]
    out += ["<details><summary>Answer</summary>", "", f"{_answer_text(q)}. Source: {md(q.explanation.text)}"
            f"{_cite(q.explanation, sentence_of)}", "", "</details>", ""]
    return out


def _study_items(cur: Curriculum, sentence_of, lesson_titles) -> list[str]:
    out: list[str] = []
    if cur.flashcards:
        out += ["", "## Flashcards", "", "| # | kind | front | back | source |", "|---|---|---|---|---|"]
        for n, c in enumerate(cur.flashcards, 1):
            cells = [str(n), c.kind, md(c.front.text), md(c.back.text), _cite(c.back, sentence_of).strip(" []")]
            out.append("| " + " | ".join(x.replace("|", "\\|") for x in cells) + " |")
    if cur.quiz:
        out += ["", "## Quiz", ""]
        for n, q in enumerate(cur.quiz, 1):
            out += _quiz_item(q, n, sentence_of, lesson_titles)
    if cur.exercises:
        out += ["", "## Exercises", ""]
        for n, e in enumerate(cur.exercises, 1):
            out += [f"**E{n}** ({e.kind.replace('_', ' ')}, {e.difficulty}, lesson {lesson_titles[e.lesson_id]})", "",
                    md(e.prompt.text), ""]
            if e.rubric:
                out += ["A good answer uses: " + md(", ".join(e.rubric)), ""]
            out += ["<details><summary>Model answer</summary>", "",
                    f"{md(e.solution.text)}{_cite(e.solution, sentence_of)}", "", "</details>", ""]
    for d in cur.deep_dives:
        out += _deep_dive(d, sentence_of, lesson_titles)
    return out


def _deep_dive(d, sentence_of, lesson_titles) -> list[str]:
    out = ["", f"## Deep dive: {md(d.title)}"]
    for b in d.blocks:
        out += ["", f"**{md(b.heading)}**", ""] + [_statement(s, sentence_of) for s in b.statements]
    if d.self_check:
        out += ["", "**Check yourself**", ""]
        for n, q in enumerate(d.self_check, 1):
            out += _quiz_item(q, n, sentence_of, lesson_titles)
    return out


def deep_dive_markdown(d, text: str) -> str:
    """A deep dive on its own (the deep-dive command), citing sentences of ``text``."""
    from ..analyse.sentences import split_sentences

    starts = [a for a, _ in split_sentences(text)]

    def sentence_of(pos: int) -> int:
        return sum(1 for a in starts if a <= pos)

    return "\n".join(_deep_dive(d, sentence_of, _LessonNames())[1:]) + "\n"


class _LessonNames(dict):
    """Outside a curriculum a self-check item names its lesson by id."""

    def __missing__(self, key: str) -> str:
        return key
