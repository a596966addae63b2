"""A copied web page: title line, optional author lines, "Abstract", the abstract,
then page furniture (buttons, promos) that must not reach Paper.text."""
from __future__ import annotations

from ..errors import InputError
from ..models import Paper
from .detect import is_abstract_line
from .normalize import make_paper
from .records import split_authors

FORMAT = "page"
_END_PUNCT = ".!?:"
_CLOSERS = "\"')]}”’»"


def parse(text: str, paper_id: str | None = None, name: str = "input") -> Paper:
    lines = text.split("\n")
    filled = [i for i, line in enumerate(lines) if line.strip()]
    marker = next((i for i in filled[:10] if is_abstract_line(lines[i])), None)
    if marker is None:
        raise InputError(f"{name} has no line that says just 'Abstract' near the top; add one above the abstract.")
    before = [lines[i].strip() for i in filled if i < marker]
    title = before[0] if before else None
    authors = [a for line in before[1:] for a in split_authors(line)]
    body = _abstract_lines(lines[marker + 1 :])
    return make_paper(title=title, text="\n".join(body), fmt=FORMAT, name=name, paper_id=paper_id, authors=authors)


def _abstract_lines(lines: list[str]) -> list[str]:
    """Lines up to (not including) the first heading-like line after the abstract."""
    body: list[str] = []
    previous = ""  # the last non-blank abstract line
    width = 0  # longest abstract line so far
    wrapped = False  # some paragraph runs over several short lines (hard-wrapped text)
    for line in lines:
        text = line.strip()
        after_blank = bool(body) and not body[-1].strip()
        if previous and _is_heading(text, previous, after_blank, width if wrapped else None):
            break
        wrapped = wrapped or bool(text and body and not after_blank and width < 100 and len(text) < 100)
        width = max(width, len(text))
        previous = text or previous
        body.append(line)
    return body


def _is_heading(line: str, previous: str, after_blank: bool, wrap_width: int | None) -> bool:
    """A short line with no closing punctuation after a finished sentence, e.g.
    "Turn this paper into a full lesson". In hard-wrapped text (every line short)
    it must also be clearly shorter than the wrap width, or it is just the next line."""
    if not line or len(line) >= 100 or line.rstrip(_CLOSERS)[-1:] in _END_PUNCT or line[-1] in ",;-–":
        return False
    if previous.rstrip(_CLOSERS)[-1:] not in ".!?" and not after_blank:
        return False  # the sentence goes on
    return wrap_width is None or len(line) < 0.6 * wrap_width
