"""Exports: a Curriculum as files other study tools import (Anki, spreadsheets, Moodle, QTI
players, Markdown vaults, a static site).

Every exporter is pure: Curriculum -> {relative path: bytes}; the caller decides where the
files go. The exporters' modules are imported on first use, so that asking for GIFT does not
load genanki or lxml. The helpers below are shared by several exporters (citations, source
passages, answers as text, file names).
"""
from __future__ import annotations

import bisect
import re
import unicodedata
from typing import Callable

from ..models import Curriculum, QuizItem, Statement

BLANK = "_____"


# --------------------------------------------------------------------------- sentences and citations
class Sentences:
    """The source's sentences, numbered from 1 as curriculum.md numbers them: every section
    span is one sentence (generate builds them that way), so the numbers agree across outputs."""

    def __init__(self, cur: Curriculum):
        self.text = cur.source.text
        spans = sorted({tuple(s) for sec in cur.sections for s in sec.spans})
        self.spans: list[tuple[int, int]] = spans or _split(self.text)
        self._starts = [a for a, _ in self.spans]

    def number(self, pos: int) -> int:
        """The sentence that holds ``pos`` (or the last one that starts before it)."""
        return max(1, bisect.bisect_right(self._starts, pos))

    def numbers(self, st: Statement) -> list[int]:
        return sorted({self.number(a) for a, _ in st.spans})

    def cite(self, st: Statement) -> str:
        """`` [s1, s3]`` for a statement with spans, "" for pure scaffolding."""
        nums = self.numbers(st)
        return " [" + ", ".join(f"s{n}" for n in nums) + "]" if nums else ""

    def sentence(self, n: int) -> str:
        a, b = self.spans[n - 1]
        return self.text[a:b]

    def passage(self, st: Statement) -> str:
        """The whole source sentences a statement's spans fall in: the context a card cites.
        Neighbouring sentences are cut as one piece, so a span that crosses from one into the
        next is still found word for word; gaps between pieces are marked with " … "."""
        runs: list[list[int]] = []
        for n in self.numbers(st):
            if runs and runs[-1][-1] == n - 1:
                runs[-1].append(n)
            else:
                runs.append([n])
        return " … ".join(self.text[self.spans[r[0] - 1][0]:self.spans[r[-1] - 1][1]] for r in runs)


def _split(text: str) -> list[tuple[int, int]]:
    # Only for a curriculum without sections (hand-made or truncated): a plain sentence split.
    out = [(m.start(), m.end()) for m in re.finditer(r"\S.*?(?:[.!?](?=\s|$)|$)", text, re.S)]
    return out or [(0, len(text))]


# --------------------------------------------------------------------------- text helpers
def one_line(text: str) -> str:
    """Tabs, newlines and other control characters become single spaces (TSV and GIFT are line based)."""
    return re.sub(r"[\s\x00-\x1f\x7f]+", " ", text).strip()


def slug(text: str, fallback: str = "curriculum", limit: int = 60) -> str:
    """A file-name stem: the title's letters and digits (μ stays μ), lower case, hyphens, cut between words."""
    s = re.sub(r"[\W_]+", "-", unicodedata.normalize("NFC", text).lower()).strip("-")
    if len(s) > limit:
        cut = s.rfind("-", 0, limit + 1)
        s = s[:cut] if cut > 0 else s[:limit]
    return s or fallback


def lesson_titles(cur: Curriculum) -> dict[str, str]:
    """lesson id -> "01 Title" (the label the Anki sub-decks and the CSV use)."""
    return {l.id: f"{l.number:02d} {l.title}" for l in cur.lessons}


def answer_text(q: QuizItem, arrow: str = "->", then: str = " | ") -> str:
    """The right answer written out, whatever the kind stores (index, indices or text).
    Pages for people pass arrow="→", then=" → "; files for machines keep ASCII."""
    if q.kind == "mcq":
        return q.choices[q.answer]
    if q.kind == "matching":
        return "; ".join(f"{l} {arrow} {q.choices[i]}" for l, i in zip(q.left, q.answer))
    if q.kind == "ordering":
        return then.join(q.choices[i] for i in q.answer)
    return str(q.answer)


# --------------------------------------------------------------------------- the registry
def _anki(cur: Curriculum) -> dict[str, bytes]:
    from .anki import to_apkg
    return to_apkg(cur)


def _csv(cur: Curriculum) -> dict[str, bytes]:
    from .tabular import to_tabular
    return to_tabular(cur)


def _gift(cur: Curriculum) -> dict[str, bytes]:
    from .gift import to_gift
    return {"quiz.gift": to_gift(cur).encode("utf-8")}


def _qti(cur: Curriculum) -> dict[str, bytes]:
    from .qti import to_qti
    return to_qti(cur)


def _markdown(cur: Curriculum) -> dict[str, bytes]:
    from .vault import to_vault
    return {path: text.encode("utf-8") for path, text in to_vault(cur).items()}


def _html(cur: Curriculum) -> dict[str, bytes]:
    from .html import to_html
    return {path: text.encode("utf-8") for path, text in to_html(cur).items()}


EXPORTERS: dict[str, Callable[[Curriculum], dict[str, bytes]]] = {
    "anki": _anki,
    "csv": _csv,
    "gift": _gift,
    "qti": _qti,
    "markdown": _markdown,
    "html": _html,
}
