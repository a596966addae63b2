"""arXiv metadata JSON: JSON Lines (the public snapshot), one object, or an array."""
from __future__ import annotations

import json

from ..errors import InputError
from ..models import Paper
from .latex import accents_to_unicode, latex_to_unicode
from .records import Record, load, split_authors

FORMAT = "arxiv-json"


def parse(text: str, paper_id: str | None = None, name: str = "input") -> Paper:
    return load(records(text, name), paper_id, FORMAT, name)


def records(text: str, name: str = "input") -> list[Record]:
    items = _load_items(text, name)
    return [_record(item, i, name) for i, item in enumerate(items, 1)]


def _load_items(text: str, name: str) -> list:
    try:
        whole = _loads(text, name)
    except json.JSONDecodeError as err:
        lines = [(i, line) for i, line in enumerate(text.split("\n"), 1) if line.strip()]
        if not _parses(lines[0][1]):
            # Not JSON Lines either: report where the single document breaks.
            raise _error(err, name) from None
        items = []
        for number, line in lines:  # JSON Lines: one object per line
            try:
                items.append(_loads(line, name))
            except json.JSONDecodeError as line_err:
                raise InputError(
                    f"{name} has malformed JSON on line {number} (column {line_err.colno}): "
                    f"{line_err.msg}; fix that line or remove it."
                ) from None
        return items
    return whole if isinstance(whole, list) else [whole]


def _loads(text: str, name: str):
    try:
        return json.loads(text)
    except RecursionError:
        raise InputError(f"{name} nests JSON too deeply to be paper metadata; give one object per paper.") from None


def _parses(line: str) -> bool:
    try:
        json.loads(line)
        return True
    except (json.JSONDecodeError, RecursionError):
        return False


def _error(err: json.JSONDecodeError, name: str) -> InputError:
    return InputError(
        f"{name} has malformed JSON on line {err.lineno} (column {err.colno}): {err.msg}; "
        "fix it, or give one JSON object per line."
    )


def _record(item, position: int, name: str) -> Record:
    if not isinstance(item, dict):
        raise InputError(
            f"{name}: paper {position} is a JSON {type(item).__name__}, not an object; "
            'give objects like {"id": ..., "title": ..., "abstract": ...}.'
        )
    record_id = _scalar(item.get("id"), "id", position, name)
    authors = item.get("authors")
    if isinstance(authors, list):
        names = tuple(_author_name(a) for a in authors)
    else:
        names = split_authors(latex_to_unicode(_scalar(authors, "authors", position, name) or ""))
    categories: list[str] = []
    for key in ("categories", "category"):
        value = item.get(key)
        values = value if isinstance(value, list) else [_scalar(value, key, position, name) or ""]
        categories += [c for v in values if isinstance(v, str) for c in v.split()]
    return Record(
        id=record_id.strip() if record_id else None,
        title=_tex_text(_scalar(item.get("title"), "title", position, name)),
        abstract=_tex_text(_scalar(item.get("abstract"), "abstract", position, name)),
        authors=tuple(n for n in names if n),
        categories=tuple(categories),
    )


def _tex_text(text: str | None) -> str | None:
    """arXiv metadata writes accents in TeX ("Fr\\'{e}chet"): read them as the letters they print."""
    return accents_to_unicode(text) if text else text


def _scalar(value, key: str, position: int, name: str) -> str | None:
    if value is None or isinstance(value, str):
        return value
    if isinstance(value, (int, float)) and not isinstance(value, bool):
        return str(value)  # old snapshots store some ids as numbers
    raise InputError(f'{name}: the "{key}" of paper {position} should be text, not a JSON {type(value).__name__}.')


def _author_name(author) -> str:
    # A plain name, or the snapshot's parsed form ["Last", "First", "Suffix"].
    if isinstance(author, str):
        return latex_to_unicode(author)
    if isinstance(author, list) and all(isinstance(p, str) for p in author):
        last, *rest = author or [""]
        return latex_to_unicode(" ".join(p for p in [*rest[:1], last, *rest[1:]] if p))
    return ""
