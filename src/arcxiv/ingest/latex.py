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
_HREF = re.compile(r"\\href\s*\{[^{}\ue002]*\}\s*(?=\{)")  # keep the link text, drop the URL
_STYLE_SWITCH = re.compile(r"\\(?:em|it|bf|sc|rm|tt|sf|sl|itshape|bfseries|scshape|upshape)(?![A-Za-z])\s*")
_SINGLE_BRACED = re.compile(r"\{(\w)\}")
# Placeholders (private-use characters) protect \{ and \} from brace dropping.
_LBRACE, _RBRACE = "\ue000", "\ue001"
MATH_MARK = "\ue002"  # stands in for one run of math while the text around it is converted
_MARK_RE = re.compile(MATH_MARK)
_MATH_TOKEN = re.compile(r"\\[(\[]|\\.|\$\$|\$", re.S)  # math openers, and escapes to skip
_DOLLAR = re.compile(r"\\.|\$", re.S)
_DOLLARS = re.compile(r"\\.|\$\$", re.S)


def split_math(text: str) -> list[tuple[bool, str]]:
    """Cut text into (is_math, piece) runs; joining the pieces gives the text back."""
    pieces: list[tuple[bool, str]] = []
    start = pos = 0
    unclosed: set[str] = set()  # delimiters with no closer further on: never rescan (no O(n^2))
    while (match := _MATH_TOKEN.search(text, pos)) is not None:
        opener = match.group()
        if opener[0] == "\\" and opener[1] not in "([":
            pos = match.end()  # an escaped character: \$ is a dollar sign, not math
            continue
        end = -1 if opener in unclosed else _find_closer(text, opener, match.end())
        if end < 0:
            unclosed.add(opener)
            pos = match.end()
            continue
        if start < match.start():
            pieces.append((False, text[start : match.start()]))
        pieces.append((True, text[match.start() : end]))
        start = pos = end
    if start < len(text):
        pieces.append((False, text[start:]))
    return pieces


def _find_closer(text: str, opener: str, pos: int) -> int:
    if opener in ("\\(", "\\["):
        found = text.find("\\)" if opener == "\\(" else "\\]", pos)
        return -1 if found < 0 else found + 2
    for match in (_DOLLARS if opener == "$$" else _DOLLAR).finditer(text, pos):
        if match.group()[0] == "$":
            return match.end()
    return -1


def outside_math(text: str, convert) -> str:
    """Apply ``convert`` to everything but the math, in one pass over the whole text.

    Each math run is swapped for a placeholder character, which the converters
    never delete or reorder, and put back afterwards."""
    pieces = split_math(text)
    maths = [piece for is_math, piece in pieces if is_math]
    masked = "".join(MATH_MARK if is_math else piece.replace(MATH_MARK, "") for is_math, piece in pieces)
    converted = convert(masked)
    if not maths:
        return converted
    restore = iter(maths)
    return _MARK_RE.sub(lambda _: next(restore), converted)


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


_BRACED_ACCENTED = re.compile(r"\{([^\x00-\x7f])\}")  # "Schr{\\"o}dinger" -> "Schr{ö}dinger" -> "Schrödinger"


def accents_to_unicode(text: str) -> str:
    """Only the accents and special letters, outside math: for abstracts, whose other TeX stays as written."""
    return outside_math(text, lambda piece: _BRACED_ACCENTED.sub(r"\1", _accents(piece)))


def latex_to_unicode(text: str) -> str:
    """Light touch for metadata that is mostly plain (arXiv author lists)."""
    return outside_math(text, _names_and_text)


def bibtex_to_text(text: str) -> str:
    """Full clean-up of a BibTeX field value: also styles and every grouping brace."""

    def convert(piece: str) -> str:
        piece = piece.replace(_LBRACE, "").replace(_RBRACE, "").replace("\\{", _LBRACE).replace("\\}", _RBRACE)
        piece = _names_and_text(piece)
        piece = _HREF.sub("", piece)
        piece = _STYLE_WITH_ARG.sub("", piece)
        piece = _STYLE_SWITCH.sub("", piece)
        piece = piece.replace("{", "").replace("}", "").replace("~", " ")
        return piece.replace(_LBRACE, "{").replace(_RBRACE, "}")

    return outside_math(text, convert)
