"""A tiny SVG writer for the visuals: text metrics, wrapping, an order-keeping row layout.

Standard library only, and deterministic: the same calls give the same bytes.
Text is measured with a per-character width table (Helvetica/Arial metrics,
padded by ``SAFETY`` because screen sans-serif fonts run a little wider), so a
caller knows every label's bounding box and can lay labels out without overlap.
Colours are ``currentColor`` and CSS classes (with the course stylesheet's
variables where it has them), so a page's dark mode restyles the drawing.
"""
from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass
from functools import lru_cache
from xml.sax.saxutils import escape, quoteattr

FONT_SIZE = 12.0
LINE_HEIGHT = 1.3  # distance between baselines, in font sizes
ASCENT, DESCENT = 0.8, 0.25  # a line's ink box above and below its baseline, in font sizes
SAFETY = 1.1  # widths are overestimated by this much
BOLD = 1.08  # bold text runs this much wider
ELLIPSIS = "…"
FONT_FAMILY = "Arial,Helvetica,'Liberation Sans',sans-serif"

# Advance widths in thousandths of an em (Helvetica's AFM), ASCII 32..126.
_ASCII = [278, 278, 355, 556, 556, 889, 667, 191, 333, 333, 389, 584, 278, 333, 278, 278,  # space ../
          556, 556, 556, 556, 556, 556, 556, 556, 556, 556, 278, 278, 584, 584, 584, 556,  # 0..?
          1015, 667, 667, 722, 722, 667, 611, 778, 722, 278, 500, 667, 556, 833, 722, 778,  # @..O
          667, 778, 722, 667, 611, 722, 667, 944, 667, 667, 611, 278, 278, 278, 469, 556,  # P.._
          333, 556, 556, 500, 556, 556, 278, 556, 556, 222, 222, 500, 222, 833, 556, 556,  # `..o
          556, 556, 333, 500, 278, 556, 500, 722, 500, 500, 500, 334, 260, 334, 584]  # p..~
_OTHER = {"…": 1000, "–": 556, "—": 1000, "→": 1000, "’": 222, "‘": 222, "“": 333, "”": 333, "·": 278,
          "×": 584, "∗": 500, "∞": 750, "−": 584, "≤": 584, "≥": 584, "±": 584, "°": 400}
_DEFAULT = 700  # Greek, accented and other letters without an entry: wider than most Latin ones


def char_width(ch: str) -> float:
    """One character's advance in ems."""
    o = ord(ch)
    if 32 <= o <= 126:
        return _ASCII[o - 32] / 1000
    if ch in _OTHER:
        return _OTHER[ch] / 1000
    if unicodedata.combining(ch):
        return 0.0
    if unicodedata.east_asian_width(ch) in ("W", "F"):
        return 1.0
    base = unicodedata.normalize("NFD", ch)[0]
    if base != ch and 32 <= ord(base) <= 126:
        return _ASCII[ord(base) - 32] / 1000
    return _DEFAULT / 1000


def text_width(s: str, size: float = FONT_SIZE, bold: bool = False) -> float:
    return _ems(s) * size * SAFETY * (BOLD if bold else 1.0)


@lru_cache(maxsize=65536)
def _ems(s: str) -> float:
    """A string's advance in ems; layout measures the same labels and their prefixes many times."""
    return sum(char_width(c) for c in s)


def line_height(size: float = FONT_SIZE) -> float:
    return size * LINE_HEIGHT


def _units(text: str) -> list[tuple[str, str]]:
    """(joiner, piece): break after spaces, and after a hyphen or slash inside a word,
    so a break never splits a word's letters (every token of a line stays whole)."""
    out = []
    for w in text.split():
        for k, piece in enumerate(re.findall(r"[^-/]+[-/]*|[-/]+", w)):
            out.append((" " if k == 0 else "", piece))
    return out


def wrap(text: str, width: float, size: float = FONT_SIZE, max_lines: int = 3, bold: bool = False) -> list[str]:
    """Greedy line breaking at ``width``; past ``max_lines`` the last line ends in an ellipsis.
    A single piece wider than ``width`` gets a line of its own (callers size boxes from the result)."""
    units = _units(text)
    lines: list[list[tuple[str, str]]] = []
    cur: list[tuple[str, str]] = []
    for u in units:
        trial = _join(cur + [u])
        if cur and text_width(trial, size, bold) > width:
            lines.append(cur)
            cur = [u]
        else:
            cur.append(u)
    if cur:
        lines.append(cur)
    if len(lines) <= max_lines:
        return [_join(l) for l in lines]
    last = lines[max_lines - 1] + lines[max_lines]
    while len(last) > 1 and text_width(_join(last) + ELLIPSIS, size, bold) > width:
        last = last[:-1]
    tail = _join(last).rstrip(" ,;:(-/–—") or _join(last)
    return [_join(l) for l in lines[: max_lines - 1]] + [tail + ELLIPSIS]


def _join(units: list[tuple[str, str]]) -> str:
    return "".join((j if i else "") + p for i, (j, p) in enumerate(units))


def num(v: float) -> str:
    """Coordinates with one decimal, no trailing zeros: small and stable output."""
    s = f"{v:.1f}"
    s = s.rstrip("0").rstrip(".") if "." in s else s
    return "0" if s in ("-0", "") else s


# ----------------------------------------------------------------------------- labels and boxes
@dataclass
class Label:
    lines: list[str]
    size: float = FONT_SIZE
    cls: str = "ax-t"
    bold: bool = False

    @property
    def width(self) -> float:
        return max((text_width(l, self.size, self.bold) for l in self.lines), default=0.0)

    @property
    def height(self) -> float:
        return len(self.lines) * line_height(self.size)


@dataclass
class Box:
    """A node: a label with padding, placed by its centre."""

    label: Label
    pad_x: float = 8.0
    pad_y: float = 5.0
    min_width: float = 0.0
    cls: str = "ax-box"
    x: float = 0.0  # centre
    y: float = 0.0  # top

    @property
    def w(self) -> float:
        return max(self.label.width + 2 * self.pad_x, self.min_width)

    @property
    def h(self) -> float:
        return self.label.height + 2 * self.pad_y

    @property
    def left(self) -> float:
        return self.x - self.w / 2

    @property
    def right(self) -> float:
        return self.x + self.w / 2

    @property
    def bottom(self) -> float:
        return self.y + self.h


def place_row(widths: list[float], desired: list[float], gap: float) -> list[float]:
    """Centres for boxes kept in this order, at least ``gap`` apart, as near the desired
    centres as possible (least squares: an isotonic regression, pool adjacent violators)."""
    offs, acc = [], 0.0
    for w in widths:
        offs.append(acc + w / 2)
        acc += w + gap
    target = [d - o for d, o in zip(desired, offs)]
    blocks: list[list[float]] = []  # [sum, count]
    for t in target:
        blocks.append([t, 1])
        while len(blocks) > 1 and blocks[-2][0] / blocks[-2][1] > blocks[-1][0] / blocks[-1][1]:
            s, c = blocks.pop()
            blocks[-1][0] += s
            blocks[-1][1] += c
    fit = [s / c for s, c in blocks for _ in range(int(c))]
    return [f + o for f, o in zip(fit, offs)]


# ----------------------------------------------------------------------------- the writer
STYLE = ("svg{color:currentColor}"
         f".ax-t{{fill:currentColor;font-family:{FONT_FAMILY}}}"
         ".ax-b{font-weight:bold}"
         ".ax-i{font-style:italic}"
         ".ax-box{fill:var(--panel,Canvas);stroke:currentColor;stroke-opacity:.55}"
         ".ax-hub{fill:var(--panel,Canvas);stroke:currentColor;stroke-width:2}"
         ".ax-tag{fill:var(--bg,Canvas);stroke:none}"
         ".ax-e{fill:none;stroke:currentColor;stroke-opacity:.6;stroke-width:1.2}"
         ".ax-rule{fill:none;stroke:currentColor;stroke-opacity:.35}"
         ".ax-head{fill:currentColor;fill-opacity:.75}"
         ".ax-beginner{stroke:var(--beginner,currentColor)}"
         ".ax-intermediate{stroke:var(--intermediate,currentColor)}"
         ".ax-advanced{stroke:var(--advanced,currentColor)}")


class Canvas:
    def __init__(self, vid: str):
        self.vid = vid
        self.parts: list[str] = []
        self.arrows = False

    @property
    def arrow_ref(self) -> str:
        return f"url(#{self.vid}-arrow)"

    def rect(self, x: float, y: float, w: float, h: float, cls: str = "ax-box", rx: float = 4) -> None:
        self.parts.append(f'<rect class="{cls}" x="{num(x)}" y="{num(y)}" width="{num(w)}" height="{num(h)}"'
                          f' rx="{num(rx)}"/>')

    def line(self, x1: float, y1: float, x2: float, y2: float, cls: str = "ax-e", arrow: bool = False) -> None:
        end = self._arrow() if arrow else ""
        self.parts.append(f'<line class="{cls}" x1="{num(x1)}" y1="{num(y1)}" x2="{num(x2)}" y2="{num(y2)}"{end}/>')

    def circle(self, x: float, y: float, r: float, cls: str = "ax-head") -> None:
        self.parts.append(f'<circle class="{cls}" cx="{num(x)}" cy="{num(y)}" r="{num(r)}"/>')

    def path(self, d: list[tuple[str, float, float]], cls: str = "ax-e", arrow: bool = False) -> None:
        """``d``: (command, x, y) triples, commands M, L, C (C takes three points in a row)."""
        out, prev = [], ""
        for cmd, x, y in d:
            out.append(("" if cmd == prev else cmd) + f"{num(x)} {num(y)}")
            prev = cmd
        end = self._arrow() if arrow else ""
        self.parts.append(f'<path class="{cls}" d="{" ".join(out)}"{end}/>')

    def _arrow(self) -> str:
        self.arrows = True
        return f' marker-end="{self.arrow_ref}"'

    def text(self, x: float, top: float, label: Label, anchor: str = "middle") -> None:
        """A label whose first line's box starts at ``top``; ``x`` is its centre (or left edge)."""
        if not label.lines:
            return
        lh = line_height(label.size)
        first = top + (lh - (ASCENT + DESCENT) * label.size) / 2 + ASCENT * label.size
        cls = label.cls + (" ax-b" if label.bold else "")
        spans = "".join(f'<tspan x="{num(x)}" y="{num(first + i * lh)}">{escape(line)}</tspan>'
                        for i, line in enumerate(label.lines))
        self.parts.append(f'<text class="{cls}" font-size="{num(label.size)}" text-anchor="{anchor}">{spans}</text>')

    def box(self, b: Box) -> None:
        self.rect(b.left, b.y, b.w, b.h, b.cls)
        self.text(b.x, b.y + b.pad_y, b.label)

    def render(self, title: str, desc: str, width: float, height: float) -> str:
        v = self.vid
        defs = ""
        if self.arrows:
            defs = (f'<defs><marker id="{v}-arrow" viewBox="0 0 10 10" refX="9" refY="5" markerWidth="7" '
                    'markerHeight="7" orient="auto-start-reverse"><path class="ax-head" d="M0 0L10 5L0 10z"/>'
                    '</marker></defs>\n')
        w, h = num(width), num(height)
        return (f'<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 {w} {h}" width="{w}" height="{h}" '
                f'role="img" aria-labelledby={quoteattr(f"{v}-title {v}-desc")}>\n'
                f'<title id="{v}-title">{escape(title)}</title>\n'
                f'<desc id="{v}-desc">{escape(desc)}</desc>\n'
                f'<style>{STYLE}</style>\n{defs}'
                + "\n".join(self.parts) + "\n</svg>\n")
