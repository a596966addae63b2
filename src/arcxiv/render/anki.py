"""Anki package (.apkg) with genanki: one deck per paper, a sub-deck per lesson.

Everything that Anki uses to recognise an object again is derived from content, never random:
note type ids from a constant name, deck ids from the deck name, note GUIDs from the card id
(itself content-derived). So importing a recompiled deck updates its notes instead of adding
copies. Paper text is untrusted and Anki fields are HTML, so every field is escaped.
"""
from __future__ import annotations

import hashlib
import html
import re
import tempfile
from pathlib import Path

import genanki

from ..models import Curriculum, Flashcard
from .exports import BLANK, Sentences, lesson_titles, slug

_CSS = """.card { font-family: sans-serif; font-size: 20px; text-align: left; color: black; background: white; }
.cloze { font-weight: bold; color: #1565c0; }
.source { margin-top: 1em; font-size: 15px; color: #555; }
.lesson { margin-top: .5em; font-size: 13px; color: #888; }"""
_FOOTER = ('{{#Source}}<div class="source">{{Source}}</div>{{/Source}}'
           '<div class="lesson">{{Lesson}}</div>')


def stable_id(name: str) -> int:
    """A 31-bit id in genanki's recommended range [2**30, 2**31), fixed by ``name``."""
    return (1 << 30) + int.from_bytes(hashlib.sha256(name.encode("utf-8")).digest()[:8], "big") % (1 << 30)


BASIC = genanki.Model(
    stable_id("arcxiv.notetype.basic/1"), "ArcXiv Basic",
    fields=[{"name": "Front"}, {"name": "Back"}, {"name": "Source"}, {"name": "Lesson"}],
    templates=[{"name": "Card 1", "qfmt": "{{Front}}",
                "afmt": '{{FrontSide}}<hr id="answer">{{Back}}' + _FOOTER}],
    css=_CSS)

CLOZE = genanki.Model(
    stable_id("arcxiv.notetype.cloze/1"), "ArcXiv Cloze",
    fields=[{"name": "Text"}, {"name": "Back"}, {"name": "Source"}, {"name": "Lesson"}],
    templates=[{"name": "Cloze", "qfmt": "{{cloze:Text}}", "afmt": "{{cloze:Text}}" + _FOOTER}],
    css=_CSS, model_type=genanki.Model.CLOZE)


def deck_name(cur: Curriculum, lesson: str | None = None) -> str:
    """``ArcXiv::<title>`` or ``ArcXiv::<title>::<NN> <lesson>``; "::" inside a title would nest decks."""
    parts = ["ArcXiv", cur.source.title] + ([lesson] if lesson else [])
    return "::".join(re.sub(r"\s+", " ", p.replace("::", ":")).strip() or "Untitled" for p in parts)


def tag(t: str) -> str:
    """Anki tags are space-separated, so a tag cannot hold whitespace."""
    return re.sub(r"\s+", "_", t.strip())


def cloze_text(front: str, back: str) -> str:
    """The front with its blank replaced by ``{{c1::back}}``, all HTML-escaped. Braces and
    colons in the answer become character references, so "}}" or "::" (a hint marker) in the
    paper cannot end the cloze early; Anki renders the references as the characters."""
    answer = html.escape(back).replace("{", "&#123;").replace("}", "&#125;").replace(":", "&#58;")
    before, sep, after = front.partition(BLANK)
    if not sep:  # no blank (should not happen): ask for the answer after the text
        return f"{html.escape(front)} {{{{c1::{answer}}}}}"
    return f"{html.escape(before)}{{{{c1::{answer}}}}}{html.escape(after)}"


def note_for(card: Flashcard, sentences: Sentences, lesson: str) -> genanki.Note:
    source = html.escape(sentences.passage(card.back))
    if card.kind == "cloze":
        fields = [cloze_text(card.front.text, card.back.text), html.escape(card.back.text), source, html.escape(lesson)]
        model = CLOZE
    else:
        fields = [html.escape(card.front.text), html.escape(card.back.text), source, html.escape(lesson)]
        model = BASIC
    return genanki.Note(model=model, fields=fields, tags=[tag(t) for t in card.tags if t.strip()],
                        guid=genanki.guid_for(card.id))


def to_apkg(cur: Curriculum) -> dict[str, bytes]:
    sentences = Sentences(cur)
    titles = lesson_titles(cur)
    paper = genanki.Deck(stable_id(deck_name(cur)), deck_name(cur))
    decks: dict[str, genanki.Deck] = {}
    for lesson in cur.lessons:
        name = deck_name(cur, titles[lesson.id])
        decks[lesson.id] = genanki.Deck(stable_id(name), name)
    for card in cur.flashcards:
        lesson = titles.get(card.lesson_id, "")
        decks.get(card.lesson_id, paper).add_note(note_for(card, sentences, lesson))
    package = genanki.Package([paper, *decks.values()])
    with tempfile.TemporaryDirectory(prefix="arcxiv-apkg-") as tmp:  # genanki only writes to a path
        path = Path(tmp) / "deck.apkg"
        package.write_to_file(str(path))
        data = path.read_bytes()
    return {f"{slug(cur.source.title)}.apkg": data}
