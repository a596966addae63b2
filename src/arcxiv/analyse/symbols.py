"""Math symbols, quantities and acronyms, found by their written shape.

These are regular-expression finders over the normalised text: notation has a
shape ("w*", "D*orb", "L2", "(σ, ρ)", "O(N-1)", "$\\mathcal{O}(n)$", "300K",
"94.5%") that a statistical tagger does not know.
"""
from __future__ import annotations

import re
import unicodedata

from ..models import Span

GREEK = "α-ωΑ-Ωϑϕϵ"
# One symbol token: a decorated identifier (w*, D*orb, x_i, f'), a lone Greek letter,
# a capital with digits (L2), or TeX math between dollar signs.
_DECORATED = (rf"[A-Za-z{GREEK}][A-Za-z0-9]{{0,3}}(?:\*[A-Za-z0-9]{{0,6}}|_(?:\{{[A-Za-z0-9,'*]{{1,12}}\}}|[A-Za-z0-9]+)|"
              rf"\^(?:\{{[A-Za-z0-9,'*]{{1,12}}\}}|[A-Za-z0-9*]+))|[A-Za-z{GREEK}]'(?![A-Za-z])")
_GREEK_ONE = rf"[{GREEK}]"
_CAP_DIGIT = r"[A-Z][0-9]{1,2}"
_TEX = r"\$[^$\n]{1,80}\$"
SYMBOL = rf"(?:{_TEX}|{_DECORATED}|{_GREEK_ONE}|{_CAP_DIGIT})"
_SYMBOL_RX = re.compile(rf"(?<![\w*$\\])(?:{SYMBOL})(?![\w*'$])")
_NAME_HEAD = re.compile(r"-[A-Za-z]")  # "$g$-modeling", "L2-regularized": the symbol heads a name, it is no notation
_TUPLE_RX = re.compile(rf"\(\s*{SYMBOL}(?:\s*,\s*{SYMBOL})+\s*\)")
# A lone capital used as a variable: "N" in "O(N-1)", "rate N"; not the words "A"/"I",
# initials ("J. Smith"), or prefixes ("X-ray").
_CAPITAL_RX = re.compile(r"(?<![\w*'$\\.-])[B-HJ-Z](?![\w*'$(]|\.\s|-[a-z])")
_BIG_O_RX = re.compile(r"(?<![\w$\\])[OΘΩo]\((?:[^()]|\([^()]*\))+\)")
_UNIT = r"(?:%|percent|[KMB]\b|×|x\b|-fold|fold\b|ms\b|s\b|Hz\b|kHz\b|MHz\b|GHz\b|dB\b|nm\b|mm\b|cm\b|km\b|kg\b|eV\b|keV\b|MeV\b|GeV\b|TeV\b|fps\b|h\b|min\b|days?\b|hours?\b|years?\b)"
_NUMBER_RX = re.compile(rf"(?<![\w.$^*\-/])\d+(?:[.,]\d+)*(?:\s?{_UNIT})?(?![\w$*^])(?!\.\d)")
# Acronym-like words: two or more capitals (ENTP, LLMs, ADMGs), or Greek + capital (μP).
_ACRONYM_WORD = rf"(?:[A-Z{GREEK}][A-Za-z0-9{GREEK}-]*[A-Z][A-Za-z0-9]*|[{GREEK}][A-Z][A-Za-z]*)"
_ACRONYM_RX = re.compile(rf"(?<![\w{GREEK}-])({_ACRONYM_WORD})(?![\w{GREEK}])")
_PAREN_ACRONYM_RX = re.compile(rf"\(({_ACRONYM_WORD})\)")
_ROMAN = re.compile(r"^[IVXLC]+$")

_GREEK_LATIN = {"α": "a", "β": "b", "γ": "g", "δ": "d", "ε": "e", "ζ": "z", "η": "e", "θ": "t",
                "ι": "i", "κ": "k", "λ": "l", "μ": "m", "ν": "n", "ξ": "x", "π": "p", "ρ": "r",
                "σ": "s", "τ": "t", "υ": "u", "φ": "f", "χ": "c", "ψ": "p", "ω": "o"}


def find_symbols(text: str) -> list[tuple[str, Span]]:
    """(label, span) of every symbol mention, tuples first so members are not split off."""
    out: list[tuple[str, Span]] = []
    taken: list[Span] = []
    tex = [m.span() for m in re.finditer(_TEX, text)]
    for m in _TUPLE_RX.finditer(text):
        # "\pr(P_1,P_2)", "f(x,y)": the arguments of a function, not a tuple of their own
        applied = m.start() > 0 and (text[m.start() - 1].isalnum() or text[m.start() - 1] in "_}")
        if not applied and not any(a <= m.start() < b for a, b in tex):
            out.append((re.sub(r"\s+", " ", m.group(0)), m.span()))
    for m in _SYMBOL_RX.finditer(text):
        taken.append(m.span())
        if not _NAME_HEAD.match(text, m.end()):
            out.append((m.group(0), m.span()))
    for m in _BIG_O_RX.finditer(text):  # variables inside a rate: the N of O(N-1)
        inner = m.group(0)[2:-1]
        for c in _CAPITAL_RX.finditer(inner):
            span = (m.start() + 2 + c.start(), m.start() + 2 + c.end())
            if not any(a <= span[0] < b for a, b in taken):
                out.append((c.group(0), span))
                taken.append(span)
    for m in _CAPITAL_RX.finditer(text):
        if not any(a <= m.start() < b for a, b in taken) and _mathy_context(text, m.start(), m.end()):
            out.append((m.group(0), m.span()))
    return out


def _mathy_context(text: str, a: int, b: int) -> bool:
    """A lone capital counts as a variable only next to math or a noun that names it."""
    before, after = text[max(0, a - 12):a], text[b:b + 3]
    return bool(re.search(r"[=<>≤≥+(,×·/]\s*$|\b(?:size|rate|dimension|order|number|length|parameter|constant|variable|of|with|for)\s+$", before)
                and not re.match(r"\s*[a-z]{3,}", after))


def find_quantities(text: str) -> list[tuple[str, Span]]:
    """Rates such as O(N-1) and numbers with their unit or percent sign."""
    out = [(m.group(0), m.span()) for m in _BIG_O_RX.finditer(text)]
    busy = [m.span() for m in _BIG_O_RX.finditer(text)] + [m.span() for m in re.finditer(_TEX, text)]
    for m in _NUMBER_RX.finditer(text):
        if any(a <= m.start() < b for a, b in busy) or _is_year_or_digit(m.group(0)):
            continue
        out.append((m.group(0), m.span()))
    return out


def find_acronym_words(text: str) -> list[tuple[str, Span]]:
    out = []
    for m in _ACRONYM_RX.finditer(text):
        word = m.group(1)
        if _ROMAN.match(word) or len(word) > 12 or "-" in word:
            continue
        out.append((word, m.span(1)))
    return out


def acronym_letters(short: str) -> str:
    """The letters an expansion must supply, Greek transliterated (μP -> mp), plural s dropped."""
    s = short[:-1] if len(short) > 2 and short.endswith("s") and short[-2].isupper() else short
    return "".join(_GREEK_LATIN.get(c.lower(), c.lower()) for c in s if c.isalnum())


def find_expansion(short: str, before: str) -> str | None:
    """Schwartz & Hearst (2003): the shortest run of words just before "(SHORT)" whose
    letters, read right to left, contain the short form's, the first starting a word."""
    letters = acronym_letters(short)
    if len(letters) < 2:
        return None
    words = re.findall(r"[^\s]+", before)
    limit = min(len(letters) + 5, len(letters) * 2)
    for n in range(1, min(limit, len(words)) + 1):
        cand = " ".join(words[-n:])
        if _letters_match(letters, cand) and not re.search(r"[.;:]\s", cand):
            return cand.strip(",;: ")
    return None


def _letters_match(letters: str, cand: str) -> bool:
    folded = "".join(_GREEK_LATIN.get(c, c) for c in _fold(cand).lower())
    i, j = len(letters) - 1, len(folded) - 1
    while i >= 0:
        c = letters[i]
        while j >= 0 and (folded[j] != c or (i == 0 and j > 0 and folded[j - 1].isalnum())):
            j -= 1
        if j < 0:
            return False
        i -= 1
        j -= 1
    # the expansion's first word must supply the first letter
    return folded.split()[0][0] == letters[0] if folded.split() else False


def _fold(s: str) -> str:
    return "".join(c for c in unicodedata.normalize("NFKD", s) if not unicodedata.combining(c))


def find_defined_acronyms(text: str) -> list[tuple[str, Span, str, Span]]:
    """(short, short span, long, long span) for "Long Form (LF)" and "LF (Long Form)"."""
    out = []
    for m in _PAREN_ACRONYM_RX.finditer(text):
        short = m.group(1)
        before = text[max(0, m.start() - 200):m.start()].rstrip()
        long = find_expansion(short, before)
        a = text.rfind(long, 0, m.start()) if long else -1
        if a >= 0:  # not found: the expansion runs across a paragraph break, and is not cited
            out.append((short, m.span(1), long, (a, a + len(long))))
    # reverse form: "ENTP (Enhancing low-quality SFT data via Neural-symbolic Text Purge-Mix)"
    for m in re.finditer(rf"(?<![\w-])({_ACRONYM_WORD})\s+\(([^()]{{5,150}})\)", text):
        short, long = m.group(1), m.group(2).strip()
        if len(long.split()) >= 2 and _letters_match_loose(acronym_letters(short), long):
            out.append((short, m.span(1), long, m.span(2)))
    return out


def _letters_match_loose(letters: str, long: str) -> bool:
    """Every letter of the short form appears, in order, among the long form's capitals
    and word starts (long forms in brackets often capitalise inside words: "Purge-Mix")."""
    marks = "".join(c.lower() for i, c in enumerate(long)
                    if c.isupper() or (c.isalnum() and (i == 0 or not long[i - 1].isalnum())))
    it = iter(marks)
    return bool(letters) and letters[0] == marks[:1] and all(ch in it for ch in letters)


def _is_year_or_digit(s: str) -> bool:
    """Years are dates, not quantities; a bare single digit is a count word's twin."""
    return bool(re.fullmatch(r"(?:1[89]|20)\d\d|\d", s))
