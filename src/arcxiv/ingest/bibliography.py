"""The references a LaTeX paper cites, in the order of its "[n]" markers, read from
its .bbl (what BibTeX printed) or else its .bib files (only the cited entries)."""
from __future__ import annotations

import re

from .latex import bibtex_to_text
from .macros import _group

_BIBITEM = re.compile(r"\\bibitem\s*(?:\[(?:[^\[\]]|\[[^\]]*\])*\])?\s*\{([^{}]+)\}")
_ENTRY = re.compile(r"@\s*(\w+)\s*\{\s*([^,\s{}]+)\s*,")
_FIELD = re.compile(r"\s*(\w+)\s*=\s*")
_BBL_NOISE = re.compile(r"\\newblock|\\(?:em|it|bf)\b|\\penalty\d+|\\natexlab\{[^{}]*\}|\\urlprefix")


def references(cited: dict[str, int], texts: dict[str, str]) -> list[str]:
    if not cited:
        return []
    found = _from_bbl(texts) or _from_bib(texts, set(cited))
    order = sorted(cited, key=cited.get)
    return [f"[{cited[key]}] {found[key]}" for key in order if found.get(key)]


def _from_bbl(texts: dict[str, str]) -> dict[str, str]:
    entries: dict[str, str] = {}
    for path, text in texts.items():
        if not path.lower().endswith(".bbl"):
            continue
        items = list(_BIBITEM.finditer(text))
        for n, item in enumerate(items):
            end = items[n + 1].start() if n + 1 < len(items) else text.find("\\end{thebibliography}", item.end())
            raw = text[item.end() : end if end > 0 else len(text)]
            entries[item.group(1).strip()] = _clean(_BBL_NOISE.sub(" ", raw))
    return entries


def _from_bib(texts: dict[str, str], wanted: set[str]) -> dict[str, str]:
    entries: dict[str, str] = {}
    for path, text in texts.items():
        if not path.lower().endswith(".bib"):
            continue
        for match in _ENTRY.finditer(text):
            key = match.group(2)
            if key in wanted and key not in entries:
                entries[key] = _entry(_fields(text, match.end()))
    return entries


def _fields(text: str, pos: int) -> dict[str, str]:
    fields: dict[str, str] = {}
    while (match := _FIELD.match(text, pos)) is not None:
        pos = match.end()
        if text.startswith("{", pos):
            group = _group(text, pos)
            if group is None:
                break
            value, pos = group
        elif text.startswith('"', pos):
            end = text.find('"', pos + 1)
            if end < 0:
                break
            value, pos = text[pos + 1 : end], end + 1
        else:
            bare = re.match(r"[^,}\s]*", text[pos:])
            value = bare.group()
            pos += len(value)
        fields[match.group(1).lower()] = value
        comma = re.match(r"\s*,\s*", text[pos:])
        if not comma:
            break
        pos += comma.end()
    return fields


def _entry(fields: dict[str, str]) -> str:
    authors = " and ".join(a.strip() for a in fields.get("author", "").split(" and ")[:3])
    if fields.get("author", "").count(" and ") >= 3:
        authors += " et al."
    parts = [_clean(authors)]
    if fields.get("year"):
        parts.append(f"({_clean(fields['year'])})")
    head = " ".join(p for p in parts if p)
    rest = [_clean(fields[k]) for k in ("title", "journal", "booktitle", "publisher") if fields.get(k)]
    return ". ".join(p for p in [head, *rest] if p) + "."


def _clean(text: str) -> str:
    return " ".join(re.sub(r"\\[A-Za-z]+", "", bibtex_to_text(text)).split()).strip(" .,")
