"""Markdown: "# Title", then "##"/"###" headings that become SourceSections.

Markup that is not text is removed; math ($...$) and symbols like w* or D*orb are
left alone, because emphasis is only stripped when it is clearly emphasis."""
from __future__ import annotations

import re

from ..models import Paper, SourceSection
from .latex import outside_math
from .normalize import fallback_title, make_paper, normalize_line, normalize_text

FORMAT = "markdown"
_HEADING = re.compile(r" {0,3}(#{1,6})[ \t]+(.*)")
_CLOSING_HASHES = re.compile(r"[ \t]#+$")  # "## Results ##"
_FRONT_MATTER = re.compile(r"\A---[ \t]*\n(.*?)\n(?:---|\.\.\.)[ \t]*(?:\n|\Z)", re.S)
_FENCE = re.compile(r"^ {0,3}(```|~~~)")
_RULE = re.compile(r"^ {0,3}([-*_])(?:[ \t]*\1){2,}[ \t]*$")
_LINK_DEF = re.compile(r"^ {0,3}\[[^\]]+\]:\s*\S+.*$")
_BULLET = re.compile(r"^[ \t]*[-*+][ \t]+")
_ORDERED = re.compile(r"^[ \t]*(\d{1,9})[.)][ \t]+")
_QUOTE = re.compile(r"^[ \t]*(?:>[ \t]?)+")
# Applied in order, outside math only. "\ue002" is latex.MATH_MARK, the stand-in for
# a math run: what these patterns delete never contains it, so math always survives.
# Each bracket run stops at the next bracket of its kind: linear time on any input.
_INLINE = [
    (re.compile(r"!\[[^\[\]\n\ue002]*\](?:\([^()\n\ue002]*\)|\[[^\[\]\n\ue002]*\])"), ""),  # images
    (re.compile(r"\[([^\[\]\n]+)\]\([^()\n\ue002]*\)"), r"\1"),  # [text](url)
    (re.compile(r"\[([^\[\]\n]+)\]\[[^\[\]\n\ue002]*\]"), r"\1"),  # [text][ref]
    (re.compile(r"<(https?://[^<>\s]+)>"), r"\1"),  # autolinks
    (re.compile(r"\*\*(?=\S)((?:[^*\n]|\*(?!\*))*?\S)\*\*"), r"\1"),
    (re.compile(r"(?<!\w)__(?=\S)((?:[^_\n]|_(?!_))*?\S)__(?!\w)"), r"\1"),
    # single * or _ only as emphasis around words, never inside them (w*, D*orb, x_i)
    (re.compile(r"(?<![\w*\\])\*(?=[^\s*])([^*\n]*?[^\s*\\])\*(?![\w*])"), r"\1"),
    (re.compile(r"(?<![\w\\])_(?=[^\s_])([^_\n]*?[^\s_\\])_(?!\w)"), r"\1"),
    (re.compile(r"`+"), ""),
    (re.compile(r"\\([\\`*_{}\[\]()#+\-.!>])"), r"\1"),  # Markdown escapes
]


def parse(text: str, paper_id: str | None = None, name: str = "input") -> Paper:
    text = _drop_comments(text)
    title, text = _front_matter(text)
    blocks: list[tuple[str | None, list[str]]] = [(None, [])]  # (heading, body lines)
    in_code = False
    for line in text.split("\n"):
        if _FENCE.match(line):
            in_code = not in_code
            blocks[-1][1].append("")  # the fence line itself is not text
            continue
        heading = None if in_code else _HEADING.fullmatch(line)
        if heading is None:
            blocks[-1][1].append(line)
            continue
        words = _inline(_CLOSING_HASHES.sub("", heading.group(2).rstrip()))
        if heading.group(1) == "#" and title is None:
            title = words
        else:
            blocks.append((words, []))

    pieces: list[str] = []
    sections: list[SourceSection] = []
    offset = 0
    for heading, lines in blocks:
        body = normalize_text(_strip_inline("\n".join(_body_lines(lines))))
        if not body:
            continue  # an empty section has nothing to point at
        if heading:  # the heading stays in the text (its words are the paper's), outside the section's span
            offset += (2 if pieces else 0) + len(normalize_line(heading))
            pieces.append(normalize_line(heading))
        start = offset + (2 if pieces else 0)  # pieces are joined by "\n\n"
        pieces.append(body)
        offset = start + len(body)
        sections.append(SourceSection(title=heading, span=(start, offset)))
    body = "\n\n".join(pieces)
    bodies = " ".join(body[a:b] for _, (a, b) in ((s.title, s.span) for s in sections))
    title = normalize_line(title or "") or fallback_title(bodies or body)
    # Text before the first heading has no heading of its own: it is titled after the paper.
    sections = [SourceSection(s.title or title, s.span) for s in sections]
    return make_paper(title=title, text=body, fmt=FORMAT, name=name, paper_id=paper_id, sections=tuple(sections))


def _drop_comments(text: str) -> str:
    """Remove <!-- ... --> (they may span lines); an unclosed one is left as text."""
    out, pos = [], 0
    while (start := text.find("<!--", pos)) >= 0 and (end := text.find("-->", start + 4)) >= 0:
        out.append(text[pos:start])
        pos = end + 3
    out.append(text[pos:])
    return "".join(out)


def _front_matter(text: str) -> tuple[str | None, str]:
    """Drop a YAML front-matter block; keep its title: if it has one."""
    match = _FRONT_MATTER.match(text)
    if not match:
        return None, text
    title = next(
        (line.split(":", 1)[1].strip().strip("\"'") for line in match.group(1).split("\n") if line.startswith("title:")),
        None,
    )
    return title or None, text[match.end() :]


def _body_lines(lines: list[str]) -> list[str]:
    """Markdown block syntax -> plain lines; each list item becomes its own paragraph."""
    out: list[str] = []
    previous_blank = True  # start of block, blank line or list item: a numbered list may start
    for line in lines:
        if _RULE.match(line) or _LINK_DEF.match(line):
            out.append("")
            previous_blank = True
            continue
        line = _QUOTE.sub("", line)
        ordered = _ORDERED.match(line)
        marker = _BULLET.match(line) or (ordered if ordered and (previous_blank or ordered.group(1) == "1") else None)
        if marker:
            out.append("")  # a list item starts a paragraph of its own
            line = line[marker.end() :]
        out.append(line)
        previous_blank = not line.strip() or marker is not None
    return out


def _inline(text: str) -> str:
    return normalize_line(_strip_inline(text))


def _strip_inline(text: str) -> str:
    """Inline markup -> text, line by line (the patterns stop at newlines), never inside math."""
    return outside_math(text, _strip_markup)


def _strip_markup(text: str) -> str:
    for pattern, replacement in _INLINE:
        text = pattern.sub(replacement, text)
    return text
