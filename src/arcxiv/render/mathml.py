"""Math as MathML (latex2mathml): TeX between dollar signs and the paper's own symbols
(w*, D*orb, O(N-1), (σ, ρ)) are shown as math, never as raw TeX."""
from __future__ import annotations

import html
import re
from functools import lru_cache

from latex2mathml.converter import convert

_TEX = re.compile(r"\$([^$\n]{1,200})\$")
_STARRED = re.compile(r"(?<![\w\\])([A-Za-zα-ωΑ-Ω]+)\*([A-Za-z0-9]*)")


@lru_cache(maxsize=4096)
def to_mathml(latex: str) -> str | None:
    try:
        return convert(latex)
    except Exception:  # latex2mathml raises many kinds; an unparsable formula stays text
        return None


def symbol_latex(label: str) -> str:
    """The paper's plain-text notation as TeX: "D*orb" -> D^{*}_{\\mathrm{orb}}."""
    if label.startswith("$") and label.endswith("$"):
        return label[1:-1]

    def star(m: re.Match) -> str:
        sub = rf"_{{\mathrm{{{m.group(2)}}}}}" if m.group(2) else ""
        return f"{m.group(1)}^{{*}}{sub}"

    return _STARRED.sub(star, label)


def rich(text: str, symbols: list[str]) -> str:
    """Escaped HTML of ``text`` with TeX and the given symbol labels as MathML."""
    pieces: list[str] = []
    pattern = _pattern(tuple(sorted(set(symbols), key=lambda s: (-len(s), s))))
    pos = 0
    for m in pattern.finditer(text):
        latex = m.group(1) if m.group(1) is not None else symbol_latex(m.group(0))
        mathml = to_mathml(latex)
        if mathml is None:
            continue
        pieces.append(html.escape(text[pos:m.start()], quote=False))
        pieces.append(mathml.replace('display="inline"', f'display="inline" alttext="{html.escape(m.group(0))}"'))
        pos = m.end()
    pieces.append(html.escape(text[pos:], quote=False))
    return "".join(pieces)


@lru_cache(maxsize=256)
def _pattern(symbols: tuple[str, ...]) -> re.Pattern:
    alts = [r"\$([^$\n]{1,200})\$"] + [rf"(?<![\w*$\\]){re.escape(s)}(?![\w*$])" for s in symbols if s]
    return re.compile("|".join(alts))
