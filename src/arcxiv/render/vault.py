"""A Markdown vault (``vault/``) for Obsidian-style note apps: ``Home.md``, a note per lesson,
a note per term and a ``Source.md`` with the numbered sentences, joined by [[wiki-links]].

Every statement keeps its citation (``[s3]`` = sentence 3, numbered as in curriculum.md), and
Source.md gives each sentence a block id (``^s3``) so a citation can be looked up. Paper text is
untrusted Markdown: its punctuation is backslash-escaped, so it can neither fake a link nor turn
into a tag, emphasis, maths or HTML. File names are made safe for every OS and never collide.
"""
from __future__ import annotations

import re

from ..models import Curriculum, LessonOut, Statement, TermOut
from .exports import Sentences

_MD_SPECIAL = re.compile(r"([\\`*_\[\]{}<>#|$~=^!])")
# Bidi controls too: a name with U+202E in it shows its characters (its extension) reversed.
_UNSAFE_NAME = re.compile(r'[\\/:*?"<>|#^\[\]\x00-\x1f\x7f\u200e\u200f\u202a-\u202e\u2066-\u2069]')


def md(text: str) -> str:
    """Paper text as literal Markdown (CommonMark lets any ASCII punctuation be escaped)."""
    return _MD_SPECIAL.sub(r"\\\1", re.sub(r"\s+", " ", text).strip())


class Names:
    """Note names: safe characters, at most 100 of them, unique regardless of case."""

    def __init__(self):
        self.taken: set[str] = set()

    def claim(self, wanted: str, fallback: str) -> str:
        base = re.sub(r"\s+", " ", _UNSAFE_NAME.sub("-", wanted)).strip().lstrip(".-").strip()[:100].strip()
        base = base or fallback
        name, n = base, 2
        while name.lower() in self.taken:
            name, n = f"{base} ({n})", n + 1
        self.taken.add(name.lower())
        return name


def link(name: str, label: str | None = None) -> str:
    """[[name]] or [[name|label]]; the label loses the characters that would end the link, and
    "<" (a note app may render a link's label as HTML, and it cannot be escaped there)."""
    if label is None or label == name:
        return f"[[{name}]]"
    shown = re.sub(r"\s+", " ", label).replace("|", "/").replace("[", "(").replace("]", ")")
    shown = shown.replace("<", "‹")
    return f"[[{name}|{shown}]]"


def _statement(st: Statement, sents: Sentences) -> str:
    text = md(st.text)
    if st.kind == "scaffold":
        return f"- *{text}*{sents.cite(st)}"
    if st.kind == "quote":
        return f"> {text}{sents.cite(st)}"
    return f"- {text}{sents.cite(st)}"


def _lesson_note(l: LessonOut, cur: Curriculum, sents: Sentences, lessons: dict[str, str],
                 terms: dict[str, str], labels: dict[str, str]) -> str:
    out = [f"# Lesson {l.number}: {md(l.title)}", "", f"Level: {l.level} · {link('Home')}", ""]
    if l.prerequisites:
        out += ["Before this: " + ", ".join(link(lessons[p]) for p in l.prerequisites if p in lessons), ""]
    out += ["## Objectives", ""] + [_statement(o, sents) for o in l.objectives]
    if l.terms:
        out += ["", "## Terms taught", ""]
        out += [f"- {link(terms[t], labels[t])}" for t in l.terms if t in terms]
    for b in l.blocks:
        out += ["", f"## {md(b.heading)}", ""] + [_statement(s, sents) for s in b.statements]
    cards = [c for c in cur.flashcards if c.lesson_id == l.id]
    if cards:
        out += ["", "## Flashcards", ""]
        out += [f"- {md(c.front.text)}{sents.cite(c.front)} — {md(c.back.text)}{sents.cite(c.back)}" for c in cards]
    return "\n".join(out) + "\n"


def _term_note(t: TermOut, sents: Sentences, lessons: dict[str, str], taught_in: list[LessonOut]) -> str:
    out = [f"# {md(t.label)}", "", f"Kind: {t.kind} · {link('Home')}", ""]
    if t.definition:
        out += ["## Definition", "", _statement(t.definition, sents), ""]
    nums = sorted({sents.number(a) for a, _ in t.mentions})
    if nums:
        out += ["## In the source", ""]
        out += [f"- {md(sents.sentence(n))} [s{n}]" for n in nums]
        out.append("")
    if taught_in:
        out += ["## Taught in", ""] + [f"- {link(lessons[l.id])}" for l in taught_in]
    return "\n".join(out).rstrip("\n") + "\n"


def to_vault(cur: Curriculum) -> dict[str, str]:
    sents = Sentences(cur)
    names = Names()
    names.claim("Home", "Home")
    names.claim("Source", "Source")
    lessons = {l.id: names.claim(f"Lesson {l.number:02d} - {l.title}", f"Lesson {l.number:02d}") for l in cur.lessons}
    terms = {t.id: names.claim(t.label, "term") for t in cur.terms}
    labels = {t.id: t.label for t in cur.terms}
    taught: dict[str, list[LessonOut]] = {t.id: [] for t in cur.terms}
    for l in cur.lessons:
        for tid in l.terms:
            taught.setdefault(tid, []).append(l)

    files = {f"vault/{lessons[l.id]}.md": _lesson_note(l, cur, sents, lessons, terms, labels) for l in cur.lessons}
    files.update({f"vault/{terms[t.id]}.md": _term_note(t, sents, lessons, taught[t.id]) for t in cur.terms})

    source = [f"# {md(cur.source.title)}", "", f"The source, one sentence per paragraph. {link('Home')}", ""]
    for n in range(1, len(sents.spans) + 1):
        source += [f"**s{n}** {md(sents.sentence(n))} ^s{n}", ""]
    files["vault/Source.md"] = "\n".join(source)

    home = [f"# {md(cur.source.title)}", ""]
    if cur.source.authors:
        home += [md(", ".join(cur.source.authors)), ""]
    home += [f"Citations like [s3] point to sentence 3 of the {link('Source')}.", "", "## Lessons", ""]
    home += [f"{l.number}. {link(lessons[l.id])} ({l.level})" for l in cur.lessons]
    home += ["", "## Terms", ""]
    home += [f"- {link(terms[t.id], t.label)}" for t in sorted(cur.terms, key=lambda t: t.label.lower())]
    files["vault/Home.md"] = "\n".join(home) + "\n"
    return files
