"""Math as MathML (latex2mathml): TeX between dollar signs and the paper's own symbols
(w*, D*orb, O(N-1), (σ, ρ)) are shown as math, never as raw TeX."""
from __future__ import annotations

import html
import re
import xml.etree.ElementTree as ET
from functools import lru_cache

from latex2mathml.converter import convert

_TEX = re.compile(r"\$([^$\n]{1,200})\$")
_STARRED = re.compile(r"(?<![\w\\])([A-Za-zα-ωΑ-Ω]+)\*([A-Za-z0-9]*)")


_MATHML = "{http://www.w3.org/1998/Math/MathML}"
# Presentation MathML that only lays out text: no links, no styles, no classes or ids, nothing
# that loads or runs anything. (mglyph's src, maction and semantics' annotation-xml are left out.)
_SAFE_TAGS = frozenset("""math mrow mi mn mo ms mtext mspace msub msup msubsup munder mover munderover mfrac
    msqrt mroot mstyle mtable mtr mtd mlabeledtr menclose mpadded mphantom merror mmultiscripts mprescripts
    none mfenced""".split())
_SAFE_ATTRS = frozenset("""display mathvariant stretchy fence separator lspace rspace width height depth
    linebreak columnalign columnlines columnspacing rowalign rowlines rowspacing frame framespacing equalrows
    equalcolumns displaystyle scriptlevel accent accentunder movablelimits largeop symmetric minsize maxsize
    form linethickness notation open close separators mathcolor mathbackground mathsize align columnspan
    rowspan voffset bevelled numalign denomalign subscriptshift superscriptshift""".split())


def _safe(mathml: str) -> bool:
    """latex2mathml copies the paper's TeX into its output unchecked: \\text{<script>…} comes out as
    a raw <script> inside <mtext>, \\href{javascript:…} as an href, \\style{…url(…)} as a style that
    loads a URL. Only well-formed, plain presentation MathML is let into a page."""
    try:
        root = ET.fromstring(mathml)
    except ET.ParseError:
        return False
    return all(el.tag.startswith(_MATHML) and el.tag[len(_MATHML):] in _SAFE_TAGS
               and all(a in _SAFE_ATTRS for a in el.attrib) for el in root.iter())


@lru_cache(maxsize=4096)
def to_mathml(latex: str) -> str | None:
    """MathML for ``latex``, or None (the formula stays escaped text) when it cannot be converted
    or its MathML would carry markup from the paper."""
    try:
        out = convert(latex)
    except Exception:  # latex2mathml raises many kinds; an unparsable formula stays text
        return None
    return out if _safe(out) else None


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
        pieces.append(_with_alt(mathml, m.group(0)))
        pos = m.end()
    pieces.append(html.escape(text[pos:], quote=False))
    return "".join(pieces)


def _with_alt(mathml: str, source: str) -> str:
    return mathml.replace('display="inline"', f'display="inline" alttext="{html.escape(source)}"')


def source_pieces(text: str) -> str:
    """The source panel's HTML: runs of text, and each $…$ formula as MathML, every piece a
    <span data-a="START"> so the course's script can still highlight by character position."""
    pieces: list[str] = []
    pos = 0
    for m in _pattern(()).finditer(text):
        mathml = to_mathml(m.group(1))
        if mathml is None:
            continue
        if pos < m.start():
            pieces.append(f'<span class="sp" data-a="{pos}">{html.escape(text[pos:m.start()], quote=False)}</span>')
        pieces.append(f'<span class="sp sm" data-a="{m.start()}" data-b="{m.end()}">{_with_alt(mathml, m.group(0))}</span>')
        pos = m.end()
    if pos < len(text):
        pieces.append(f'<span class="sp" data-a="{pos}">{html.escape(text[pos:], quote=False)}</span>')
    return "".join(pieces)


@lru_cache(maxsize=256)
def _pattern(symbols: tuple[str, ...]) -> re.Pattern:
    alts = [r"\$([^$\n]{1,200})\$"] + [rf"(?<![\w*$\\]){re.escape(s)}(?![\w*$])" for s in symbols if s]
    return re.compile("|".join(alts))
