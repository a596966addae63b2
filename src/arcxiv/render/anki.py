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


def field(text: str) -> str:
    """Paper text as an Anki field: HTML-escaped, and none of Anki's own markup. Anki reads
    "{{c2::…}}" as a cloze, "[sound:…]" as a file to play and "[latex]…[/latex]" or "[$]…[/$]" as
    LaTeX to compile on the learner's machine ("\\input{/etc/passwd}" would put that file into a
    picture), all from the field's HTML, so braces and "[" become character references, which Anki
    shows as the characters. MathJax reads "\\(" and "\\[" from the rendered text, where its
    \\href would make a javascript: link, so a word joiner (U+2060, invisible) splits them."""
    text = text.replace("\\(", "\\\u2060(").replace("\\[", "\\\u2060[")
    return html.escape(text).replace("{", "&#123;").replace("}", "&#125;").replace("[", "&#91;")


def cloze_text(front: str, back: str) -> str:
    """The front with its blank replaced by ``{{c1::back}}``, each part a ``field``. Colons in
    the answer become character references too, so "::" (a hint marker) cannot end it early."""
    answer = field(back).replace(":", "&#58;")
    before, sep, after = front.partition(BLANK)
    if not sep:  # no blank (should not happen): ask for the answer after the text
        return f"{field(front)} {{{{c1::{answer}}}}}"
    return f"{field(before)}{{{{c1::{answer}}}}}{field(after)}"


def note_for(card: Flashcard, sentences: Sentences, lesson: str) -> genanki.Note:
    source = field(sentences.passage(card.back))
    if card.kind == "cloze":
        fields = [cloze_text(card.front.text, card.back.text), field(card.back.text), source, field(lesson)]
        model = CLOZE
    else:
        fields = [field(card.front.text), field(card.back.text), source, field(lesson)]
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
