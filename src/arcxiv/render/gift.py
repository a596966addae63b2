"""Moodle GIFT (``quiz.gift``): the quiz as one plain-text file Moodle's question bank imports.

Rules followed, from Moodle's "GIFT format" page and its importer (question/format/gift):
questions are separated by blank lines; ``//`` starts a comment line; ``::name::`` names a
question; ``~ = # { } :`` and the backslash itself are escaped with a backslash everywhere;
``####`` inside the braces is general feedback. GIFT has no ordering type, so an ordering item
becomes a matching question (position -> item). Moodle decides a question is "matching" when its
answers hold "=" and "->", and splits a pair at the first "->", and "->" cannot be escaped: a
short answer or a left-hand matching item that contains "->" cannot be written, so that question
is left out with a comment saying why.

Moodle stores question text, feedback, choices and matching items as HTML (format "moodle"), so
paper text there is HTML-escaped too (``html_text``); short answers are plain text, compared with what
the learner types, and are not.
"""
from __future__ import annotations

from ..models import Curriculum, QuizItem
from .exports import lesson_titles, one_line

_SPECIAL = "\\~=#{}:"


def escape(text: str) -> str:
    """Backslash before every GIFT control character (the backslash first, as Moodle reads ``\\\\``)."""
    return "".join("\\" + ch if ch in _SPECIAL else ch for ch in one_line(text))


def html_text(s: str) -> str:
    """Paper text for a field Moodle shows as HTML: "&" and "<" as entities, so "<script>" is
    shown, not run (and "&lt;" is shown as written), and a leading "[" too, which Moodle would
    read as a text format ("[html]", "[markdown]"); then GIFT-escaped."""
    s = one_line(s).replace("&", "&amp;").replace("<", "&lt;")
    return escape("&#91;" + s[1:] if s.startswith("[") else s)


def short_answer(text: str) -> str:
    """A short-answer key: GIFT-escaped, and "*" as "\\*" because Moodle's short-answer grading
    treats a bare "*" as a wildcard."""
    return escape(text).replace("*", "\\*")


def _pairs(q: QuizItem) -> list[tuple[str, str]]:
    if q.kind == "matching":
        return [(l, q.choices[i]) for l, i in zip(q.left, q.answer)]
    return [(str(pos), q.choices[i]) for pos, i in enumerate(q.answer, 1)]  # ordering


def _answers(q: QuizItem) -> str | None:
    """The text between the braces (without feedback), or None when GIFT cannot say it."""
    if q.kind == "mcq":
        return " ".join(("=" if i == q.answer else "~") + html_text(c) for i, c in enumerate(q.choices))
    if q.kind == "true_false":
        return "TRUE" if str(q.answer).lower() == "true" else "FALSE"
    if q.kind == "fill_blank":
        return None if "->" in str(q.answer) else "=" + short_answer(str(q.answer))
    pairs = _pairs(q)
    if len(pairs) < 2 or any("->" in one_line(l) for l, _ in pairs):
        return None
    return " ".join(f"={html_text(l)} -> {html_text(r)}" for l, r in pairs)


def question(q: QuizItem, lesson: str) -> str:
    answers = _answers(q)
    head = f"// {q.id}: {q.kind}, lesson {one_line(lesson)}"
    if answers is None:
        return f"{head}\n// left out: GIFT cannot express this {q.kind} item (its answer needs \"->\" or too few pairs)"
    if q.kind == "ordering":
        head += "\n// ordering exported as matching: match each position (1 = first) to its item"
    feedback = f" ####{html_text(q.explanation.text)}" if q.explanation.text.strip() else ""
    return f"{head}\n::{escape(q.id)}:: {html_text(q.prompt.text)} {{{answers}{feedback}}}"


def to_gift(cur: Curriculum) -> str:
    titles = lesson_titles(cur)
    blocks = [f"// ArcXiv quiz: {one_line(cur.source.title)}\n// {len(cur.quiz)} items; import in Moodle as GIFT"]
    blocks += [question(q, titles.get(q.lesson_id, "")) for q in cur.quiz]
    return "\n\n".join(blocks) + "\n"
