"""The static HTML course: works from file:// with no network request at all.

Pages are Jinja2 templates with autoescaping (paper text is untrusted); math is
MathML; the stylesheet and script are copied next to the pages.
"""
from __future__ import annotations

import json
from bisect import bisect_right
from functools import lru_cache
from importlib import resources

from jinja2 import Environment, PackageLoader, select_autoescape
from markupsafe import Markup, escape

from .. import wording as W
from ..models import Curriculum, LessonOut, QuizItem, Statement
from . import exports
from .markdown import LEGEND, PROVENANCE  # one set of provenance marks for both renderings
from .mathml import rich, source_pieces


@lru_cache(maxsize=1)
def _env() -> Environment:
    return Environment(loader=PackageLoader("arcxiv", "render/templates"), autoescape=select_autoescape(["html"]),
                       trim_blocks=True, lstrip_blocks=True, keep_trailing_newline=True, auto_reload=False)


@lru_cache(maxsize=None)
def _asset(name: str) -> str:
    return resources.files("arcxiv").joinpath("render", "static", name).read_text(encoding="utf-8")


# what a statement's words are, shown on hover and in its citation mark
SAID = {"quote": "the paper's words", "extract": "a cut from the paper's words",
        "rephrase": "the paper's words, restated", "scaffold": "teaching text"}


def lesson_file(lesson: LessonOut) -> str:
    return f"lesson-{lesson.number:02d}.html"


def answer_text(q: QuizItem) -> str:
    return exports.answer_text(q, arrow="→", then=" → ")


def _sentence_starts(cur: Curriculum) -> list[int]:
    return sorted({a for s in cur.sections for a, _ in s.spans})


def to_html(cur: Curriculum) -> dict[str, str]:
    """Relative path -> page text, for every file of the course."""
    env = _env()
    symbols = [t.label for t in cur.terms if t.kind in ("symbol", "quantity")]
    starts = _sentence_starts(cur)
    by_id = {l.id: l for l in cur.lessons}

    @lru_cache(maxsize=None)  # the same sentence is shown on several pages
    def m(text: str) -> Markup:
        return Markup(rich(text, symbols))

    def spans(st: Statement) -> str:
        return ",".join(f"{a}-{b}" for a, b in st.spans)

    def cite(st: Statement) -> str:
        nums = sorted({bisect_right(starts, a) for a, _ in st.spans})
        return ("[" + ", ".join(f"s{n}" for n in nums) + PROVENANCE.get(st.kind, "") + "]") if nums else ""

    def statement(st: Statement, inline: bool = False) -> Markup:
        """One cited statement (a Python function, not a macro: it is on every page, many times);
        ``inline``: a sentence of a reading, inside its paragraph."""
        text, where = m(st.text), spans(st)  # m(): escaped; spans: digits, commas and hyphens only
        tag = "span" if inline else "p"
        said = f' title="{SAID[st.kind]}"'
        if st.kind == "scaffold":
            focus = f' tabindex="0" data-spans="{where}"' if st.spans else ""
            return Markup(f'<{tag} class="st scaffold"{said}{focus}>{text}</{tag}>')
        cited = f'{text} <span class="cite">{cite(st)}</span>'
        if st.kind == "quote" and not inline:
            return Markup(f'<blockquote class="st quote"{said} tabindex="0" data-spans="{where}">{cited}</blockquote>')
        return Markup(f'<{tag} class="st {escape(st.kind)}"{said} tabindex="0" data-spans="{where}">{cited}</{tag}>')

    env.filters["lesson_number"] = lambda lid: str(by_id[lid].number)
    source_html = Markup(source_pieces(cur.source.text))  # the same on every page: made once
    common = dict(cur=cur, m=m, W=W, legend=LEGEND, source_html=source_html, spans=spans, cite=cite, statement=statement, lesson_file=lesson_file, by_id=by_id, root="",
                  answer_text=answer_text, answer_json=lambda q: json.dumps(q.answer, ensure_ascii=False))

    def page(template: str, title: str, active: str, **extra) -> str:
        return env.get_template(template).render(page_title=title, active=active, **common, **extra)

    files = {"index.html": page("index.html", "Roadmap", "index"),
             "guides.html": page("guides.html", "Section guides", "guides"),
             "glossary.html": page("glossary.html", "Glossary", "glossary",
                                   terms=sorted(cur.terms, key=lambda t: t.label.lower()))}
    for i, lesson in enumerate(cur.lessons):
        files[lesson_file(lesson)] = page("lesson.html", f"Lesson {lesson.number}", "lesson", lesson=lesson,
                                          prev=cur.lessons[i - 1] if i else None,
                                          next=cur.lessons[i + 1] if i + 1 < len(cur.lessons) else None)
    if cur.flashcards:
        files["cards.html"] = page("cards.html", "Flashcards", "cards")
    if cur.quiz:
        files["quiz.html"] = page("quiz.html", "Quiz", "quiz")
    if cur.exercises:
        files["exercises.html"] = page("exercises.html", "Exercises", "exercises")
    if cur.deep_dives:
        files["deep-dives.html"] = page("deep-dives.html", "Deep dives", "deep")
    for name in ("style.css", "app.js"):
        files[f"assets/{name}"] = _asset(name)
    return files
