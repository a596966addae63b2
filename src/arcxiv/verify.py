"""verify: the grounding contract of DESIGN.md, checked on every learner-visible statement.

- quote: the text is exactly the cited source text.
- extract: the text is the cited parts, joined by " … ".
- rephrase: every word is in the cited spans, or a template word (at most four),
  never a number or a word that changes what is asserted.
- scaffold: template words only, plus the words of what it cites.
Titles and headings may use source words and template words only. A failing
statement is dropped and listed in ``grounding.dropped``.
"""
from __future__ import annotations

import re
import unicodedata
from functools import lru_cache

from .generate.facts import BLANK
from .generate.statements import SEPARATOR
from .wording import CHOICE_WORDS, TEMPLATE_WORDS
from .models import Curriculum, Dropped, Grounding, Statement

STOPWORDS = frozenset("""a an the of in on at to for from by with as and or but is are was were be been
being this that these those it its their there here which what who whom whose how why when where
do does did has have had can could may might will would should shall into onto over under about
than then so such also each other""".split())
# Words that change what a sentence asserts: a template may not add them (as in DESIGN.md's checker).
FACT_WORDS = frozenset("""not no never none nor cannot without neither all every always only
more less most least fewer greater smaller larger higher lower than exactly
unique same different false true first second third fourth last best worst
increase increases decrease decreases improve improves outperform outperforms""".split())
MAX_ADDED = 4
_TOKEN = re.compile(r"[^\W_]+")
_SUFFIXES = ("ingly", "edly", "ations", "ation", "ings", "ing", "ies", "ied", "es", "ed", "ly", "s")


def tokens(s: str) -> list[str]:
    return _TOKEN.findall(unicodedata.normalize("NFC", s).lower())


@lru_cache(maxsize=65536)
def stem(t: str) -> str:
    if t.isdigit() or len(t) <= 3:
        return t
    for suf in _SUFFIXES:
        if t.endswith(suf) and len(t) - len(suf) >= 3:
            return t[: -len(suf)]
    return t


def added_words(src: str, st: Statement) -> list[str]:
    """The words of a rephrase that its cited spans do not hold (stopwords aside), repeats counted."""
    cited = {stem(t) for a, b in st.spans for t in tokens(src[a:b])}
    return [t for t in tokens(st.text) if stem(t) not in cited and t not in STOPWORDS]


class Verifier:
    def __init__(self, source_text: str, extra_source: str = "", headings: tuple[str, ...] = ()):
        self.src = source_text
        # a scaffold may point at a section by its heading ("sentence 4 of the section Introduction")
        self.heading_tokens = {t for h in headings for t in tokens(h)}
        self.source_tokens = set(tokens(source_text)) | set(tokens(extra_source))
        self.source_stems = {stem(t) for t in self.source_tokens}
        self.checked = 0
        self.dropped: list[Dropped] = []

    def problem(self, st: Statement) -> str | None:
        """Why ``st`` breaks the contract, or None."""
        n = len(self.src)
        for a, b in st.spans:
            if not (0 <= a < b <= n):
                return f"span [{a}, {b}] is outside the source text"
        parts = [self.src[a:b] for a, b in st.spans]
        if st.kind == "quote":
            if len(parts) != 1 or st.text != parts[0]:
                return "a quote must be exactly its one cited span"
        elif st.kind == "extract":
            if not parts or not _is_extract(st.text, SEPARATOR.join(parts)):
                return "an extract must be its cited parts joined"
        elif st.kind == "rephrase":
            if not parts:
                return "a rephrase must cite its source"
            added = added_words(self.src, st)
            for t in added:
                if any(ch.isdigit() for ch in t):
                    return f"adds the number {t!r}"
                if t in FACT_WORDS:
                    return f"adds {t!r}, which changes what is asserted"
                if t not in TEMPLATE_WORDS:
                    return f"adds {t!r}, which is neither cited nor a template word"
            if len(added) > MAX_ADDED:
                return f"adds {len(added)} words of its own"
        elif st.kind == "scaffold":
            cited = {t for p in parts for t in tokens(p)}
            for t in tokens(st.text):
                if t in cited or t in STOPWORDS or (t.isdigit() and len(t) <= 2) or t in self.heading_tokens:
                    continue
                if t in FACT_WORDS:
                    return f"scaffold asserts with {t!r}"
                if t not in TEMPLATE_WORDS:
                    return f"scaffold names {t!r} without citing it"
        return None

    def visible_problem(self, text: str, ids_ok: bool = False) -> str | None:
        for t in tokens(text):
            if ids_ok and any(ch.isdigit() for ch in t):
                continue  # identifiers in tags: paper ids, lesson numbers
            if (t in self.source_tokens or stem(t) in self.source_stems or t in TEMPLATE_WORDS or t in CHOICE_WORDS
                    or t in STOPWORDS or (t.isdigit() and len(t) <= 2)):
                continue
            return f"{t!r} is neither a source word nor a template word"
        return None

    def keep(self, st: Statement, where: str) -> bool:
        self.checked += 1
        why = self.problem(st)
        if why:
            self.dropped.append(Dropped(where=where, text=st.text, reason=why))
        return why is None

    def title(self, text: str, where: str, ids_ok: bool = False) -> None:
        self.checked += 1
        why = self.visible_problem(text, ids_ok)
        if why:
            self.dropped.append(Dropped(where=where, text=text, reason=why))

    def report(self) -> Grounding:
        return Grounding(checked=self.checked, passed=self.checked - len(self.dropped), dropped=self.dropped)


def _is_extract(text: str, cited: str) -> bool:
    """The cited text itself, or with one part blanked out for a cloze ("rate _____")."""
    if BLANK not in text:
        return text == cited
    first, *middle, last = text.split(BLANK)
    if len(cited) < len(first) + len(last) or not (cited.startswith(first) and cited.endswith(last)):
        return False
    # each blank stands for at least one character; placing each middle piece as early as it
    # can go leaves the most room for the rest (a regex per statement cost more than the check)
    pos, stop = len(first), len(cited) - len(last)
    for piece in middle:
        at = cited.find(piece, pos + 1, stop)
        if at < 0:
            return False
        pos = at + len(piece)
    return pos < stop


def verify(cur: Curriculum) -> Curriculum:
    """Check every statement and title; drop failing statements; fill ``grounding``."""
    meta = " ".join([cur.source.title, cur.source.id or "", *cur.source.authors, *cur.source.categories])
    v = Verifier(cur.source.text, meta, tuple(s.title for s in cur.sections))
    for i, s in enumerate(cur.sections):
        v.title(s.title, f"sections[{i}].title")
    for i, t in enumerate(cur.terms):
        v.title(t.label, f"terms[{i}].label")
        if t.definition is not None and not v.keep(t.definition, f"terms[{i}].definition"):
            t.definition = None
    for i, lesson in enumerate(cur.lessons):
        w = f"lessons[{i}]"
        v.title(lesson.title, f"{w}.title")
        lesson.objectives = [o for j, o in enumerate(lesson.objectives) if v.keep(o, f"{w}.objectives[{j}]")]
        _blocks(v, lesson.blocks, w)
    for i, g in enumerate(cur.guides):
        v.title(g.title, f"guides[{i}].title")
        _blocks(v, g.blocks, f"guides[{i}]")
    cur.flashcards = [c for i, c in enumerate(cur.flashcards)
                      if v.keep(c.front, f"flashcards[{i}].front") & v.keep(c.back, f"flashcards[{i}].back")]
    for i, c in enumerate(cur.flashcards):
        for t in c.tags:
            v.title(re.sub(r"[_:-]+", " ", t), f"flashcards[{i}].tags", ids_ok=True)
    cur.quiz = _items(v, cur.quiz, "quiz")
    cur.exercises = [e for i, e in enumerate(cur.exercises)
                     if v.keep(e.prompt, f"exercises[{i}].prompt") & v.keep(e.solution, f"exercises[{i}].solution")]
    for i, e in enumerate(cur.exercises):
        for r in e.rubric:
            v.title(r, f"exercises[{i}].rubric")
    if cur.reading_group is not None:
        rg = cur.reading_group
        rg.steps = [s for i, s in enumerate(rg.steps) if v.keep(s.what, f"reading_group.steps[{i}]")]
        rg.questions = [q for i, q in enumerate(rg.questions) if v.keep(q, f"reading_group.questions[{i}]")]
    for i, d in enumerate(cur.deep_dives):
        v.title(d.title, f"deep_dives[{i}].title")
        _blocks(v, d.blocks, f"deep_dives[{i}]")
        d.self_check = _items(v, d.self_check, f"deep_dives[{i}].self_check")
    cur.grounding = v.report()
    return cur


def _items(v: Verifier, items, where: str):
    kept = []
    for i, q in enumerate(items):
        ok = v.keep(q.prompt, f"{where}[{i}].prompt") & v.keep(q.explanation, f"{where}[{i}].explanation")
        for c in q.choices + q.left:
            v.title(c, f"{where}[{i}].choices")
        if ok:
            kept.append(q)
    return kept


def _blocks(v: Verifier, blocks, where: str) -> None:
    for j, b in enumerate(blocks):
        v.title(b.heading, f"{where}.blocks[{j}].heading")
        b.statements = [s for k, s in enumerate(b.statements) if v.keep(s, f"{where}.blocks[{j}].statements[{k}]")]
    blocks[:] = [b for b in blocks if b.statements]
