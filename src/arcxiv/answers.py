"""answers: checking a learner's quiz answer against its key, with math markup normalised away.

A key may be TeX (``$2^m$``, ``$\\mathbb{R}^m$``, ``$\\chi^2_q$``); a learner types ``2^m``, ``R^m``
or ``χ^2_q``. Both sides are read the same way. Dropped: the dollar signs, ``\\left``/``\\right``,
style wrappers (``\\mathrm``, ``\\text``, ``\\mathbb`` …), braces that only group and, as in TeX,
the spaces between dollar signs. Greek letters and common symbols become their characters,
spacing commands a space. A superscript or subscript of one atom loses its braces (``2^{m}`` is
``2^m``); one of several is bracketed the same way however it was written (``2^{mn}`` is
``2^(mn)``). Then case, Unicode compatibility forms and spaces that separate no two words are
ignored. ``plain_math`` is the readable form shown where MathML cannot go (a ``<select>``'s
options, a page title).
"""
from __future__ import annotations

import json
import re
import unicodedata

from .models import QuizItem

_GREEK = {name: chr(code) for name, code in (
    ("alpha", 0x3B1), ("beta", 0x3B2), ("gamma", 0x3B3), ("delta", 0x3B4), ("epsilon", 0x3B5),
    ("varepsilon", 0x3B5), ("zeta", 0x3B6), ("eta", 0x3B7), ("theta", 0x3B8), ("vartheta", 0x3D1),
    ("iota", 0x3B9), ("kappa", 0x3BA), ("lambda", 0x3BB), ("mu", 0x3BC), ("nu", 0x3BD), ("xi", 0x3BE),
    ("pi", 0x3C0), ("varpi", 0x3D6), ("rho", 0x3C1), ("varrho", 0x3F1), ("sigma", 0x3C3), ("varsigma", 0x3C2),
    ("tau", 0x3C4), ("upsilon", 0x3C5), ("phi", 0x3C6), ("varphi", 0x3C6), ("chi", 0x3C7), ("psi", 0x3C8),
    ("omega", 0x3C9), ("Gamma", 0x393), ("Delta", 0x394), ("Theta", 0x398), ("Lambda", 0x39B), ("Xi", 0x39E),
    ("Pi", 0x3A0), ("Sigma", 0x3A3), ("Upsilon", 0x3A5), ("Phi", 0x3A6), ("Psi", 0x3A8), ("Omega", 0x3A9))}
_SYMBOLS = {"times": "×", "cdot": "·", "pm": "±", "mp": "∓", "le": "≤", "leq": "≤", "ge": "≥", "geq": "≥",
            "ne": "≠", "neq": "≠", "approx": "≈", "sim": "∼", "simeq": "≃", "equiv": "≡", "to": "→",
            "rightarrow": "→", "leftarrow": "←", "mapsto": "↦", "infty": "∞", "partial": "∂", "nabla": "∇",
            "in": "∈", "notin": "∉", "subset": "⊂", "subseteq": "⊆", "cup": "∪", "cap": "∩", "emptyset": "∅",
            "ell": "ℓ", "ldots": "…", "dots": "…", "cdots": "…", "sum": "∑", "prod": "∏", "int": "∫",
            "forall": "∀", "exists": "∃", "ast": "*", "star": "⋆", "langle": "⟨", "rangle": "⟩", "vert": "|",
            "lvert": "|", "rvert": "|", "mid": "|", "Vert": "‖", "|": "‖", "{": "{", "}": "}", "%": "%",
            "_": "_", "&": "&", "#": "#", "$": "$"}
_WORDS = frozenset("log ln exp sin cos tan sinh cosh tanh max min sup inf lim det dim ker deg arg gcd Pr".split())
_TEXT_WRAPPERS = frozenset("text textrm textit textbf textsf texttt mbox hbox emph".split())  # spaces count in them
_WRAPPERS = _TEXT_WRAPPERS | frozenset("""mathrm mathit mathbf mathsf mathtt mathcal mathscr mathfrak mathnormal
    boldsymbol bm operatorname""".split())
_DROPPED = frozenset("""left right big Big bigg Bigg bigl bigr Bigl Bigr biggl biggr Biggl Biggr middle displaystyle
    textstyle scriptstyle scriptscriptstyle limits nolimits ( ) [ ]""".split())  # \( \) \[ \]: math delimiters
_SPACES = frozenset(", ; : ! quad qquad".split()) | {" "}
_DOUBLE_STRUCK = {"C": "ℂ", "H": "ℍ", "N": "ℕ", "P": "ℙ", "Q": "ℚ", "R": "ℝ", "Z": "ℤ"}
_SCRIPT_DIGITS = {**{c: f"^{i}" for i, c in enumerate("⁰¹²³⁴⁵⁶⁷⁸⁹")}, **{c: f"_{i}" for i, c in enumerate("₀₁₂₃₄₅₆₇₈₉")}}
_TOKEN = re.compile(r"\\([A-Za-z]+)\s*|\\(.)|(\d+)|(\s+)|(.)", re.DOTALL)  # TeX drops the spaces after \word
_ASCII_OPERATORS = (("<=", "≤"), (">=", "≥"), ("!=", "≠"), ("->", "→"), ("−", "-"), ("×", "*"), ("·", "*"))
_WORD_CHAR = re.compile(r"[a-z0-9]")


class _Reader:
    """TeX (or typed text) as atoms: each a character, a number, a symbol, a word or a kept command."""

    def __init__(self, text: str):
        self.tokens = [(word or "", symbol or "", number or space or char) for word, symbol, number, space, char
                       in _TOKEN.findall("".join(_SCRIPT_DIGITS.get(c, c) for c in text))]
        self.at = 0
        self.in_math = False  # between dollar signs, where TeX ignores spaces


    def peek(self) -> tuple[str, str, str] | None:
        return self.tokens[self.at] if self.at < len(self.tokens) else None

    def atoms(self, closing: str = "") -> list[str]:
        """Atoms up to ``closing`` (consumed) or the end."""
        out: list[str] = []
        while (token := self.peek()) is not None:
            self.at += 1
            word, symbol, text = token
            if text == closing and not word and not symbol:
                break
            out += self._atom(word, symbol, text)
        return out

    def _atom(self, word: str, symbol: str, text: str) -> list[str]:
        if word:
            return self._command(word)
        if symbol:
            return [] if symbol in _DROPPED else [" "] if symbol in _SPACES else [_SYMBOLS.get(symbol, symbol)]
        if text == "$":
            if (token := self.peek()) is not None and token[2] == "$":  # $$ … $$ is one delimiter
                self.at += 1
            self.in_math = not self.in_math
            return []
        if text.isspace() and self.in_math:
            return []
        if text == "~":
            return [" "]
        if text == "{":
            return self.atoms("}")  # braces that only group
        if text in ("^", "_"):
            return [text + _script(self._argument(parens=True))]
        return [text]

    def _command(self, word: str) -> list[str]:
        if word in _DROPPED:
            if (token := self.peek()) is not None and token[2] == ".":  # \left. is no delimiter at all
                self.at += 1
            return []
        if word in _SPACES:
            return [" "]
        if word in _GREEK:
            return [_GREEK[word]]
        if word in _SYMBOLS:
            return [_SYMBOLS[word]]
        if word in _WORDS:  # a space keeps \log m from reading as "logm"
            token = self.peek()
            return [word, " "] if token is not None and token[2][:1].isalnum() else [word]
        if word in _WRAPPERS:
            in_math, self.in_math = self.in_math, self.in_math and word not in _TEXT_WRAPPERS
            try:
                return self._argument()
            finally:
                self.in_math = in_math
        if word == "mathbb":
            return [_DOUBLE_STRUCK.get(a, a) for a in self._argument()]
        arguments = ""  # an unknown command (\frac, \sqrt, \hat …) keeps its braced arguments
        while (token := self.peek()) is not None and token[2] == "{":
            self.at += 1
            arguments += "{" + "".join(self.atoms("}")) + "}"
        return ["\\" + word + arguments]

    def _argument(self, parens: bool = False) -> list[str]:
        """A command's or a script's argument: a braced group, a bracketed one (typed 2^(mn)), or one atom."""
        while (token := self.peek()) is not None and token[2].isspace():
            self.at += 1
        if token is None:
            return []
        self.at += 1
        if token[2] == "{" and not token[1]:
            return self.atoms("}")
        if parens and token[2] == "(" and not token[1]:
            return self.atoms(")")
        return self._atom(*token)


def _script(atoms: list[str]) -> str:
    atoms = [a for a in atoms if not a.isspace()]
    if len(atoms) >= 2 and atoms[0] == "(" and atoms[-1] == ")":
        atoms = atoms[1:-1]
    return atoms[0] if len(atoms) == 1 else "(" + "".join(atoms) + ")"


def plain_math(text: str) -> str:
    """``text`` with its TeX markup read as plain characters: "$\\mathbb{R}^{m}$" -> "ℝ^m"."""
    return " ".join("".join(_Reader(str(text)).atoms()).split())


def _greek_name(m: re.Match) -> str:
    """μ -> mu, Σ -> sigma: a learner without a Greek keyboard types the letter's name."""
    name = unicodedata.name(m.group(0), "")
    return name.split()[-1].lower() if name.startswith("GREEK") else m.group(0)


def answer_form(text: str) -> str:
    """What is compared: the plain form, folded (case, compatibility characters, operators, a Greek
    letter as its name) and without the spaces that separate no two words ("2 ^ m", "8π R", "8πR" and
    "8piR" are the same)."""
    folded = unicodedata.normalize("NFKC", plain_math(text)).casefold()
    for typed, canonical in _ASCII_OPERATORS:
        folded = folded.replace(typed, canonical)
    kept = [c for i, c in enumerate(folded) if c != " " or
            (_WORD_CHAR.match(folded[i - 1]) and _WORD_CHAR.match(folded[i + 1]))]  # plain_math strips the ends
    return re.sub(r"[\u0370-\u03ff]", _greek_name, "".join(kept))


def check_answer(q: QuizItem, given) -> bool:
    """``given``: a string (mcq index, true/false, text) or a list of indices (matching, ordering)."""
    try:
        if q.kind == "mcq":
            return int(given) == q.answer
        if q.kind == "true_false":
            return str(given).strip().lower() == q.answer
        if q.kind == "fill_blank":
            return answer_form(str(given)) == answer_form(str(q.answer))
        picks = [int(x) for x in given]
        if q.kind == "matching":
            return picks == list(q.answer)
        if q.kind == "ordering":  # picks[i]: the position given to choice i
            return len(picks) == len(q.answer) and all(q.answer[p] == i for i, p in enumerate(picks))
    except (TypeError, ValueError, IndexError):
        return False
    return False


def given_text(q: QuizItem, given) -> str:
    """A learner's answer in words: the choice picked, the text typed, the matches or the order given."""
    try:
        if q.kind == "mcq":
            return q.choices[int(given)]
        if q.kind in ("true_false", "fill_blank"):
            return str(given)
        picks = [int(x) for x in given]
        if q.kind == "matching":
            return "; ".join(f"{left} → {q.choices[p]}" for left, p in zip(q.left, picks))
        if q.kind == "ordering":
            return " → ".join(q.choices[i] for i in sorted(range(len(picks)), key=picks.__getitem__))
    except (TypeError, ValueError, IndexError):
        pass
    return given if isinstance(given, str) else json.dumps(given, ensure_ascii=False)


def row_marks(q: QuizItem, given) -> list[dict]:
    """Matching and ordering marked row by row: what was given in each row, what is right there, and
    whether they agree (the learner sees which pairs or places they had right, not just "wrong")."""
    try:
        picks = [int(x) for x in given]
    except (TypeError, ValueError):
        return []
    if q.kind == "matching":
        return [{"row": left, "given": q.choices[p] if 0 <= p < len(q.choices) else "", "key": q.choices[k], "ok": p == k}
                for left, p, k in zip(q.left, picks + [-1] * len(q.left), q.answer)]
    if q.kind == "ordering" and len(picks) == len(q.answer):
        placed = sorted(range(len(picks)), key=picks.__getitem__)  # choice indices in the order given
        return [{"row": f"{n}.", "given": q.choices[g], "key": q.choices[k], "ok": g == k}
                for n, (g, k) in enumerate(zip(placed, q.answer), start=1)]
    return []
