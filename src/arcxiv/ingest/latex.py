"""Just enough LaTeX -> Unicode for titles, names and abstracts: accents, special
letters, text-style commands and case-protecting braces. Math ($...$, $$...$$,
\\(...\\), \\[...\\]) is kept exactly as written. Nothing is ever executed: an
unknown command (\\input included) stays as literal text."""
from __future__ import annotations

import re
import unicodedata

_COMBINING = {
    "`": "\u0300", "'": "\u0301", "^": "\u0302", "~": "\u0303", "=": "\u0304",
    ".": "\u0307", '"': "\u0308", "c": "\u0327", "v": "\u030c", "u": "\u0306",
    "H": "\u030b", "k": "\u0328", "r": "\u030a", "d": "\u0323", "b": "\u0331",
}
_LETTERS = {
    "ss": "ß", "aa": "å", "AA": "Å", "ae": "æ", "AE": "Æ", "oe": "œ", "OE": "Œ",
    "o": "ø", "O": "Ø", "l": "ł", "L": "Ł", "i": "ı", "j": "ȷ",
}
_BASE = r"(\\[ij](?![A-Za-z])|[A-Za-z])"  # a letter, or dotless i/j
# \"o, \"{o}, \" o ; and letter-named accents, which need braces or a space: \c{c}, \v s
_SYMBOL_ACCENT = re.compile(r"\\([`'^~=.\"])\s*(?:\{\s*" + _BASE + r"\s*\}|" + _BASE + ")")
_LETTER_ACCENT = re.compile(r"\\([cvuHkrdb])(?:\s*\{\s*" + _BASE + r"\s*\}|[ \t]+" + _BASE + ")")
# LaTeX control words swallow the spaces after them: "Bj\o rn" is Bjørn.
_SPECIAL = re.compile(r"\\(ss|aa|AA|ae|AE|oe|OE|o|O|l|L|i|j)(?![A-Za-z])(?:\{\}|[ \t]+)?")
_ESCAPED = re.compile(r"\\([%&$#_])")
_SPACES = re.compile(r"\\\\|\\[ ,;:]")  # forced line breaks and small spaces
_DOTS = re.compile(r"\\(?:ldots|dots|textellipsis)(?![A-Za-z])(?:\{\})?")
_STYLE_WITH_ARG = re.compile(
    r"\\(?:emph|text(?:it|bf|sc|rm|tt|sf|up|sl|md|normal)|underline|uline|mbox|url)\s*(?=\{)"
)
_HREF = re.compile(r"\\href\s*\{[^{}]*\}\s*(?=\{)")  # keep the link text, drop the URL
_STYLE_SWITCH = re.compile(r"\\(?:em|it|bf|sc|rm|tt|sf|sl|itshape|bfseries|scshape|upshape)(?![A-Za-z])\s*")
_SINGLE_BRACED = re.compile(r"\{(\w)\}")
# Placeholders (private-use characters) protect \{ and \} from brace dropping.
_LBRACE, _RBRACE = "\ue000", "\ue001"


def split_math(text: str) -> list[tuple[bool, str]]:
    """Cut text into (is_math, piece) runs; joining the pieces gives the text back."""
    pieces: list[tuple[bool, str]] = []
    start = i = 0
    unclosed: set[str] = set()  # a delimiter with no closer later; skip re-scanning (no O(n^2))
    while i < len(text):
        ch = text[i]
        if ch == "\\" and text[i + 1 : i + 2] in ("(", "["):
            opener, closer = text[i : i + 2], "\\)" if text[i + 1] == "(" else "\\]"
        elif ch == "\\":
            i += 2  # an escaped character, e.g. \$ is a dollar sign, not math
            continue
        elif ch == "$":
            opener = closer = "$$" if text.startswith("$$", i) else "$"
        else:
            i += 1
            continue
        end = -1 if opener in unclosed else _find_closer(text, closer, i + len(opener))
        if end < 0:
            unclosed.add(opener)
            i += len(opener)
            continue
        if start < i:
            pieces.append((False, text[start:i]))
        pieces.append((True, text[i:end]))
        start = i = end
    if start < len(text):
        pieces.append((False, text[start:]))
    return pieces


def _find_closer(text: str, closer: str, pos: int) -> int:
    while pos < len(text):
        if text.startswith(closer, pos):
            return pos + len(closer)
        pos += 2 if text[pos] == "\\" and closer[0] != "\\" else 1
    return -1


def _outside_math(text: str, convert) -> str:
    return "".join(piece if is_math else convert(piece) for is_math, piece in split_math(text))


def _accents(text: str) -> str:
    def accent(m: re.Match) -> str:
        base = m.group(2) or m.group(3)
        base = base[1] if base.startswith("\\") else base  # \'\i -> í, not ı́
        return unicodedata.normalize("NFC", base + _COMBINING[m.group(1)])

    text = _SYMBOL_ACCENT.sub(accent, text)
    text = _LETTER_ACCENT.sub(accent, text)
    return _SPECIAL.sub(lambda m: _LETTERS[m.group(1)], text)


def _names_and_text(text: str) -> str:
    text = _accents(text)
    text = _ESCAPED.sub(r"\1", text)
    text = _SPACES.sub(" ", text)
    text = _DOTS.sub("…", text)
    return _SINGLE_BRACED.sub(r"\1", text)


def latex_to_unicode(text: str) -> str:
    """Light touch for metadata that is mostly plain (arXiv author lists)."""
    return _outside_math(text, _names_and_text)


def bibtex_to_text(text: str) -> str:
    """Full clean-up of a BibTeX field value: also styles and every grouping brace."""

    def convert(piece: str) -> str:
        piece = piece.replace("\\{", _LBRACE).replace("\\}", _RBRACE)
        piece = _names_and_text(piece)
        piece = _HREF.sub("", piece)
        piece = _STYLE_WITH_ARG.sub("", piece)
        piece = _STYLE_SWITCH.sub("", piece)
        piece = piece.replace("{", "").replace("}", "").replace("~", " ")
        return piece.replace(_LBRACE, "{").replace(_RBRACE, "}")

    return _outside_math(text, convert)
