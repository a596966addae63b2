"""Plain text: an optional title line, then the abstract."""
from __future__ import annotations

from ..models import Paper
from .normalize import make_paper

FORMAT = "text"


def parse(text: str, paper_id: str | None = None, name: str = "input") -> Paper:
    text = text.strip("\n")
    first, _, rest = text.partition("\n")
    first = first.strip()
    # A short first line that is not a sentence, with more text after it, is a title.
    if len(first) < 200 and not first.endswith(".") and rest.strip():
        return make_paper(title=first, text=rest, fmt=FORMAT, name=name, paper_id=paper_id)
    return make_paper(title=None, text=text, fmt=FORMAT, name=name, paper_id=paper_id)
