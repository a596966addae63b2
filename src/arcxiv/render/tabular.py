"""Plain tables: ``cards.tsv`` for Anki's text import, ``quizlet.tsv`` for Quizlet, ``quiz.csv``.

cards.tsv opens with the file headers Anki's manual documents ("Importing > Text Files > File
Headers"), so Anki needs no questions: tab separator, text not HTML (Anki escapes it), the GUID,
tag and deck columns. The GUIDs are the .apkg's, so the two routes update the same notes.

A spreadsheet runs a cell that starts with "=", "+", "-" or "@" (or a tab or CR) as a formula
(=HYPERLINK("http://…") from a paper would be a live link), so every cell of the three files
that starts with one gets a leading "'" (OWASP's advice for CSV injection); not the GUID
column, which is no paper text, and which Anki must read exactly as the .apkg's.
"""
from __future__ import annotations

import csv
import io

import genanki

from ..models import Curriculum
from .anki import deck_name, tag
from .exports import answer_text, lesson_titles, one_line


def no_formula(text: str) -> str:
    """The cell as a spreadsheet shows it, never runs it."""
    return "'" + text if text[:1] in ("=", "+", "-", "@", "\t", "\r") else text


def _tsv_field(text: str, guard: bool = True) -> str:
    """One TSV field Anki and Python's csv module both read back unchanged: one line, no tabs;
    quoted (with doubled quotes) when it holds a quote or starts with "#", which Anki would
    otherwise take for a quoted field or a comment line; ``no_formula`` unless ``guard`` is off."""
    text = no_formula(one_line(text)) if guard else one_line(text)
    if '"' in text or text.startswith("#"):
        return '"' + text.replace('"', '""') + '"'
    return text


def cards_tsv(cur: Curriculum) -> str:
    titles = lesson_titles(cur)
    lines = ["#separator:tab", "#html:false", "#notetype:Basic",
             "#columns:GUID\tFront\tBack\tTags\tDeck",
             "#guid column:1", "#tags column:4", "#deck column:5"]
    for card in cur.flashcards:
        lesson = titles.get(card.lesson_id)
        row = [genanki.guid_for(card.id), card.front.text, card.back.text,
               " ".join(tag(t) for t in card.tags if t.strip()), deck_name(cur, lesson)]
        lines.append("\t".join([_tsv_field(row[0], guard=False)] + [_tsv_field(f) for f in row[1:]]))
    return "\n".join(lines) + "\n"


def quizlet_tsv(cur: Curriculum) -> str:
    """Quizlet's import: term TAB definition, one card a line, no header, no quoting."""
    return "".join(f"{no_formula(one_line(c.front.text))}\t{no_formula(one_line(c.back.text))}\n"
                   for c in cur.flashcards)


def quiz_csv(cur: Curriculum) -> str:
    titles = lesson_titles(cur)
    buf = io.StringIO()
    w = csv.writer(buf, lineterminator="\r\n")  # RFC 4180
    w.writerow(["id", "kind", "prompt", "choices", "answer", "explanation", "lesson"])
    for q in cur.quiz:
        w.writerow([no_formula(c) for c in (q.id, q.kind, q.prompt.text, " | ".join(q.choices), answer_text(q),
                                            q.explanation.text, titles.get(q.lesson_id, ""))])
    return buf.getvalue()


def to_tabular(cur: Curriculum) -> dict[str, bytes]:
    return {"cards.tsv": cards_tsv(cur).encode("utf-8"),
            "quizlet.tsv": quizlet_tsv(cur).encode("utf-8"),
            "quiz.csv": quiz_csv(cur).encode("utf-8")}
