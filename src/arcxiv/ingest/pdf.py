"""Born-digital PDF whole papers -> Paper, read with pypdfium2 (PDFium).

    parse(data, paper_id=None, name="input") -> Paper
    document(data, name="input") -> Document   (the same reading, before to_paper)

PDFium gives each character with its box, baseline, size and font; everything
else is rebuilt here from geometry, in passes that are linear in the characters:

1. characters -> fragments: runs on one baseline with no gap wider than 0.8 em
   (a wider one is a column gutter or a table cell border). Rotated text (margin
   stamps, axis labels) is left out; TeX's separate accent glyphs are put back on
   their letters; private-use glyphs and U+FFFD are counted, never kept.
2. fragments -> lines, page by page. A right column (or the main text beside a
   side bar) is found where many lines start at one x in the middle of the page
   with text to their left; lines crossing it (title, abstract box, wide figures)
   cut the page into bands, each read left column first. Superscript marks
   (citations, affiliations) are dropped; "10^5" and "13C" are kept.
3. what each line is: running headers and footers (the same margin line, digits
   aside, on a quarter of the pages), page and line numbers, small print (under
   0.88 of the body size: affiliations, footnotes, side bars), table rows (wide
   gaps beside narrow ones), code (monospaced), and display math (few letters,
   short tokens, operators or unreadable glyphs: left out and counted for one note).
4. lines -> blocks: a paragraph breaks at a change of type, a wider gap than the
   block's line pitch, a first-line indent, a run-in bold label, a list item or a
   short line that ends a sentence. Blocks are headings (numbered "2.1 Data" or
   "III. METHODS" in distinct type, a bold or larger line, or a usual heading word
   alone on its line; level from the numbering, else from the type's rank below
   the type of "Introduction"), captions ("Figure 2.", "Fig 2:", "Table 1"), body,
   or left out (small print, stray figure labels, table rows). A paragraph cut by
   a column, a page or a figure is joined again when its sentence had not ended.
5. the document: the title is the largest type on page 1; the authors are the
   block after it, only if it reads as a list of names; the abstract is what
   follows an "Abstract" heading (or "Abstract." run in), else the front matter's
   prose; the reference list goes to doc.references, one entry each (by number,
   else by hanging indent); declarations (funding, competing interests, author
   contributions) and publisher adverts are left out; sections after the
   references (appendix, supplement) are kept.

Hyphenation at a line end: "compu-" + "tation" is joined, unless the part after
the hyphen starts with a capital or a digit ("N-" + "Domain"), the paper prints
the hyphenated form elsewhere, or the first part is a compound prefix ("well-",
"non-", "self-"...) whose joined form the paper never prints.

Bounds: MAX_PAGES pages; 30,000 characters a page and 1,500,000 in all, and 60
seconds of reading (past them the rest is left unread, and a note says so).
Every problem is one InputError sentence: not a PDF, cut short or damaged,
encrypted, over MAX_PAGES pages, or no text layer (a scan, which needs OCR).
"""
from __future__ import annotations

import ctypes
import re
import threading
import time
import unicodedata
from collections import Counter
from dataclasses import dataclass, field, replace

import pypdfium2 as pdfium
import pypdfium2.raw as pdfium_raw

from ..errors import InputError
from ..models import Paper
from .document import Document, DocSection, to_paper

FORMAT = "pdf"
MAX_PAGES = 300
_MAX_PAGE_CHARS = 30_000  # a dense page holds about 6,000 characters; more is a data dump, read in part
_MAX_CHARS = 1_500_000  # all pages together, as PDFium counts them: beyond what one paper may hold
_MAX_SECONDS = 60.0  # reading the pages; a PDF that takes longer is read in part
_LOCK = threading.Lock()  # PDFium is not thread-safe: one document at a time


def parse(data: bytes, paper_id: str | None = None, name: str = "input") -> Paper:
    if not isinstance(data, (bytes, bytearray, memoryview)):
        raise InputError(f"{name} must be given as bytes, not {type(data).__name__}.")
    return to_paper(document(data, name), FORMAT, name, paper_id)


def document(data: bytes, name: str = "input") -> Document:
    """The PDF read as a Document: every heading found, even one with no text of its own before its first
    subheading (to_paper keeps only sections that hold text)."""
    with _LOCK:
        pages, fonts, count = _read_pdf(bytes(data), name)
    doc = _document(_read_lines(pages, fonts), pages)
    if len(pages) < count:
        doc.notes.append(f"Only the first {len(pages)} of the PDF's {count} pages were read: the rest holds more "
                         "text than ArcXiv reads for one paper.")
    return doc


# --------------------------------------------------------------------------- opening
def _read_pdf(data: bytes, name: str) -> tuple[list[_Page], list[_Font], int]:
    """The pages read (all, unless the text or time budget ran out), their fonts, and the page count."""
    _check_bytes(data, name)
    try:
        pdf = pdfium.PdfDocument(data)
    except pdfium.PdfiumError as err:
        raise _open_error(err, name) from None
    try:
        count = len(pdf)
        if count > MAX_PAGES:
            raise InputError(f"{name} has {count} pages; ArcXiv reads PDFs of at most {MAX_PAGES} pages, so give "
                             "the paper without its supplementary material, or split it.")
        pages, fonts = _extract(pdf, count, name)
    finally:
        pdf.close()
    _check_text_layer(pages, name)
    return pages, fonts, count


def _check_bytes(data: bytes, name: str) -> None:
    if b"%PDF" not in data[:1024]:
        raise InputError(f"{name} is not a PDF (it does not start with %PDF); give the paper as a PDF file.")
    # A cut file loses its end: the spec puts %%EOF last, and a linearized file states its length (/L).
    linearized = re.search(rb"/Linearized\s+[\d.]+\s*/L\s+(\d+)", data[:2048])
    if b"%%EOF" not in data[-4096:] or (linearized and int(linearized.group(1)) > len(data)):
        raise InputError(f"{name} is a truncated or damaged PDF (its end-of-file marker is missing), so it cannot "
                         "be read; download or export the PDF again.")


def _open_error(err, name: str) -> InputError:
    code = getattr(err, "err_code", None)
    if code == pdfium_raw.FPDF_ERR_PASSWORD:
        return InputError(f"{name} is an encrypted PDF that needs a password; open it, save a copy without the "
                          "password (or print it to PDF) and give that.")
    if code == pdfium_raw.FPDF_ERR_SECURITY:
        return InputError(f"{name} is encrypted with a security scheme ArcXiv cannot open; save a copy without "
                          "protection (or print it to PDF) and give that.")
    return InputError(f"{name} is a damaged PDF that cannot be opened; download or export the PDF again.")


def _check_text_layer(pages: list[_Page], name: str) -> None:
    chars = sum(p.chars for p in pages)
    glyphs = sum(len(f.chars) for p in pages for f in p.frags)
    bad = sum(p.bad for p in pages)
    if chars < 50 * len(pages):
        if chars == 0:
            raise InputError(f"{name} has no text layer (its pages hold no text, as in a scan); run OCR on it first "
                             "(for example with ocrmypdf) and give the result.")
        raise InputError(f"{name} has almost no text layer ({chars} characters on {len(pages)} pages; it looks "
                         "scanned); run OCR on it first (for example with ocrmypdf) and give the result.")
    if bad > 0.5 * glyphs:
        raise InputError(f"{name} has a text layer whose characters cannot be read (its fonts map glyphs to no "
                         "letters); export the PDF again with embedded Unicode fonts, or run OCR on it.")


# --------------------------------------------------------------------------- characters -> fragments
@dataclass(slots=True)
class _Font:
    family: str
    bold: bool
    mono: bool


@dataclass(slots=True)
class _Frag:
    """Characters on one baseline with no wide gap: a piece of a line."""

    chars: list  # (text, x0, x1, baseline, size, font id, space before)
    x0: float
    x1: float
    base: float  # baseline, measured down from the page top
    size: float  # the biggest type in it, whose baseline it keeps


@dataclass(slots=True)
class _Page:
    number: int
    width: float
    height: float
    frags: list[_Frag] = field(default_factory=list)
    chars: int = 0  # as PDFium counts them, spaces and unreadable glyphs included
    bad: int = 0  # glyphs with no readable text


# Spacing accents that TeX draws over a letter as a glyph of their own.
_ACCENTS = {"\u00a8": "\u0308", "\u00b4": "\u0301", "\u02c6": "\u0302", "\u02c7": "\u030c", "\u02d8": "\u0306",
            "\u02d9": "\u0307", "\u02da": "\u030a", "\u02db": "\u0328", "\u02dc": "\u0303", "\u02dd": "\u030b",
            "\u00b8": "\u0327", "`": "\u0300", "\u00af": "\u0304"}
_LONE_ACCENTS = {"\u02da": "\u00b0", "`": "`"}  # what such a glyph means when it is over no letter
_BOLD_NAME = re.compile(r"bold|black|heavy|demi|semibold|-medi|medium|cmbx|\.b$|,bold", re.I)
_MONO_NAME = re.compile(r"mono|courier|consol|cmtt|sftt|menlo|inconsolata|code", re.I)
_FORCE_BOLD, _FIXED_PITCH = 0x40000, 0x1  # PDF font descriptor flags


def _bad_char(u: int) -> bool:
    """Glyphs with no readable Unicode: private use, replacement and non-characters."""
    return 0xE000 <= u <= 0xF8FF or u >= 0xF0000 or u in (0xFFFD, 0xFFFE, 0xFFFF) or 0xD800 <= u <= 0xDFFF


def _extract(pdf, count: int, name: str) -> tuple[list[_Page], list[_Font]]:
    pages: list[_Page] = []
    budget = _MAX_CHARS
    deadline = time.monotonic() + _MAX_SECONDS
    font_ids: dict[tuple[bytes, int], int] = {}
    fonts: list[_Font] = []
    for number in range(count):
        if budget <= 0 or time.monotonic() > deadline:
            break  # the rest is left unread: _document says so in a note
        try:
            page = pdf[number]
            textpage = page.get_textpage()
        except pdfium.PdfiumError:
            raise InputError(f"{name} is a damaged PDF: page {number + 1} cannot be read; download or export the "
                             "PDF again.") from None
        left, bottom, right, top = page.get_bbox()
        result = _Page(number, right - left, top - bottom)
        _page_chars(result, textpage.raw, left, top, min(budget, _MAX_PAGE_CHARS), font_ids, fonts)
        budget -= result.chars
        textpage.close()
        page.close()
        pages.append(result)
    return pages, fonts


def _page_chars(page: _Page, tp, left: float, top: float, limit: int, font_ids: dict, fonts: list) -> None:
    """One page's characters, in content order, cut into fragments (one linear pass)."""
    raw = pdfium_raw
    total = raw.FPDFText_CountChars(tp)
    if total <= 0:
        return
    get_unicode, get_matrix, get_size = raw.FPDFText_GetUnicode, raw.FPDFText_GetMatrix, raw.FPDFText_GetFontSize
    get_box, get_origin, get_font = raw.FPDFText_GetLooseCharBox, raw.FPDFText_GetCharOrigin, raw.FPDFText_GetFontInfo
    matrix, rect = raw.FS_MATRIX(), raw.FS_RECTF()
    ox, oy = ctypes.c_double(), ctypes.c_double()
    font, flags = ctypes.create_string_buffer(128), ctypes.c_int()
    frags: list[_Frag] = []
    accents: list[tuple[str, float, float, float, float]] = []
    cur: _Frag | None = None
    space = False
    last_x0 = last_size = 0.0
    font_id = 0
    for i in range(min(total, limit)):
        u = get_unicode(tp, i)
        if (u <= 0x20 and u != 2) or u in (0xA0, 0x2028, 0x2029, 0xAD):  # PDFium gives a line-end hyphen as 0x02
            space = True
            continue
        if (not get_matrix(tp, i, matrix) or abs(matrix.b) > 0.05 * abs(matrix.a)
                or abs(matrix.c) > 0.05 * abs(matrix.d)):
            space = True  # rotated text: margin stamps, axis labels, turned table heads
            continue
        size = get_size(tp, i) * abs(matrix.d)
        if size < 2.0 or size > 200.0 or not get_box(tp, i, rect) or not get_origin(tp, i, ox, oy):
            continue
        x0, x1, base = rect.left - left, rect.right - left, top - oy.value
        if space or size != last_size or cur is None:
            # The face is asked at each word and size change only: a face changes there (a bold or italic
            # word), and asking for every glyph would double the time this loop takes.
            get_font(tp, i, font, 128, flags)
            key = (font.value, flags.value)
            font_id = font_ids.get(key)
            if font_id is None:
                font_id = font_ids[key] = _font_id(key[0].decode("latin-1"), key[1], fonts)
            last_size = size
        if u == 2:
            text = "-"
        elif u >= 0xD800 and _bad_char(u):
            text = "\ufffd"
            page.bad += 1
        else:
            text = chr(u)
            if text in _ACCENTS:
                accents.append((text, (x0 + x1) / 2, base, size, x1 - x0))
                continue
        # Same piece: same baseline, not behind the last glyph's start (ligature parts and overprinted
        # signs share it), no gap wider than 0.8 em (a gutter or a table cell border).
        if (cur is not None and abs(base - cur.base) <= 0.5 * max(size, cur.size)
                and x0 >= last_x0 - 0.1 * size and x0 - cur.x1 <= 0.8 * max(size, cur.size)):
            cur.chars.append((text, x0, x1, base, size, font_id, space))
            if x1 > cur.x1:
                cur.x1 = x1
            if size > 1.15 * cur.size:
                cur.size, cur.base = size, base
        else:
            cur = _Frag([(text, x0, x1, base, size, font_id, space)], x0, x1, base, size)
            frags.append(cur)
        last_x0 = x0
        space = False
    if accents:
        _place_accents(frags, accents)
    page.chars, page.frags = total, frags


def _font_id(name: str, flags: int, fonts: list[_Font]) -> int:
    """One id per typeface: subset tags ("ABCDEF+") and re-encodings ("+20") name the same face."""
    family = re.sub(r"^[A-Z]{6}\+|\+\d+$", "", name)
    for n, known in enumerate(fonts):
        if known.family == family:
            return n
    fonts.append(_Font(family, bool(flags & _FORCE_BOLD) or bool(_BOLD_NAME.search(family)),
                       bool(flags & _FIXED_PITCH) or bool(_MONO_NAME.search(family))))
    return len(fonts) - 1


def _place_accents(frags: list[_Frag], accents: list) -> None:
    """Put each spacing accent on the letter it is drawn over ("e" + "´" -> "é"); one over no letter is
    a sign of its own where it stands (a degree sign), or nothing."""
    rows: dict[int, list[_Frag]] = {}  # fragments by baseline, 10 pt a row: each accent looks at a few
    for frag in frags:
        rows.setdefault(int(frag.base // 10), []).append(frag)
    for accent, cx, base, size, width in accents:
        near = [f for row in range(int((base - 0.3 * size) // 10), int((base + 1.2 * size) // 10) + 1)
                for f in rows.get(row, ())
                if f.x0 <= cx <= f.x1 + width and -0.3 * size <= f.base - base <= 1.2 * size]
        letter = next(((f, k) for f in near for k, ch in enumerate(f.chars)
                       if ch[1] <= cx <= ch[2] and ch[0].isalpha()), None)
        if letter:
            frag, k = letter
            ch = frag.chars[k]
            base_letter = {"\u0131": "i", "\u0237": "j"}.get(ch[0], ch[0])  # a dotless i under an accent is an i
            frag.chars[k] = (unicodedata.normalize("NFC", base_letter + _ACCENTS[accent]),) + ch[1:]
        elif accent in _LONE_ACCENTS:
            text = _LONE_ACCENTS[accent]
            glyph = (text, cx - width / 2, cx + width / 2, base, size, 0, text == "`")
            host = next((f for f in near if abs(f.base - base) <= 0.3 * size), None)
            if host:  # into the piece it stands in, between the glyphs on either side
                at = next((k for k, ch in enumerate(host.chars) if ch[1] >= cx), len(host.chars))
                host.chars.insert(at, glyph)
                host.x1 = max(host.x1, glyph[2])
            else:
                frags.append(_Frag([glyph], glyph[1], glyph[2], base, size))


# --------------------------------------------------------------------------- fragments -> lines
@dataclass(slots=True)
class _Line:
    text: str
    page: int
    col: int  # 0: full width (or a one-column page), 1: left column, 2: right column
    x0: float
    x1: float
    top: float
    base: float
    size: float
    font: int  # the font of most of its letters
    bold: bool
    mono: bool
    gaps: int  # wide gaps between its pieces: table cells
    bad: int  # glyphs with no readable text, left out
    letters: int
    lead_bold: bool = False  # opens with a bold run-in label ("Results." in a structured abstract)
    kind: str = "body"  # body, small, furniture, math, table, code, numeric


def _page_lines(page: _Page, fonts: list[_Font]) -> list[_Line]:
    """The page's lines in reading order: bands cut by full-width lines, each read left then right."""
    start = _right_column(page.frags, page.width)
    if start is None:
        return _group_lines(page.frags, page.number, 0, fonts)
    # The gutter begins where the left column's lines end; what starts after that (reference numbers set
    # before the right column's text) is right column.
    ends = sorted(f.x1 for f in page.frags if f.x1 < start - 1 and len(f.chars) >= 5)
    gutter = min(start - 3, ends[int(0.9 * (len(ends) - 1))] + 1.0) if ends else start - 3
    cols: tuple[list, list, list] = ([], [], [])
    for frag in page.frags:
        cols[2 if frag.x0 >= gutter else 1 if frag.x1 <= start + 3 else 0].append(frag)
    wide, left, right = (_group_lines(c, page.number, n, fonts) for n, c in enumerate(cols))
    ordered: list[_Line] = []
    li = ri = 0
    for line in wide:
        while li < len(left) and left[li].top < line.top:
            ordered.append(left[li])
            li += 1
        end = ri
        while end < len(right) and right[end].top < line.top:
            end += 1
        ordered.extend(right[ri:end])
        ri = end
        ordered.append(line)
    ordered.extend(left[li:])
    ordered.extend(right[ri:])
    return ordered


def _right_column(frags: list[_Frag], width: float) -> float | None:
    """Where a right column (or the main text beside a side bar) starts: many lines begin at one x in the
    middle of the page, and there is text to their left."""
    starts = Counter(round(f.x0) for f in frags if len(f.chars) >= 5 and 0.2 * width <= f.x0 <= 0.7 * width)
    if not starts:
        return None
    x, count = max(((x, starts[x - 1] + starts[x] + starts[x + 1]) for x in starts), key=lambda t: t[1])
    if count < 4:
        return None
    start = min(f.x0 for f in frags if abs(f.x0 - x) <= 1.5 and len(f.chars) >= 5)
    left = sum(len(f.chars) for f in frags if f.x1 <= start - 2 and len(f.chars) >= 6)  # not labels ("12.")
    return start if left >= 40 else None


def _group_lines(frags: list[_Frag], page: int, col: int, fonts: list[_Font]) -> list[_Line]:
    """Fragments on one baseline (superscripts and subscripts included) -> one line each, top to bottom."""
    groups: list[list[_Frag]] = []
    ref: _Frag | None = None
    for frag in sorted(frags, key=lambda f: f.base):
        if ref is not None and frag.base - ref.base <= 0.5 * max(frag.size, ref.size):
            groups[-1].append(frag)
            if frag.size > ref.size or (frag.size == ref.size and len(frag.chars) > len(ref.chars)):
                ref = frag
        else:
            groups.append([frag])
            ref = frag
    lines = [_make_line(sorted(g, key=lambda f: f.x0), page, col, fonts) for g in groups]
    return sorted((l for l in lines if l.text), key=lambda l: l.top)


# Superscript runs that mark citations, affiliations and footnotes: dropped from the text.
_MARKS = re.compile(r"[\d,\-\u2013*\u2020\u2021\u00a7\u00b6#\u2217\u2605\u2606\u262f\s]+|[a-z](?:,[a-z])*")


def _make_line(frags: list[_Frag], page: int, col: int, fonts: list[_Font]) -> _Line:
    frags = _without_line_numbers(frags)
    sizes: Counter = Counter()
    for f in frags:
        for ch in f.chars:
            sizes[round(ch[4], 1)] += 1
    size = sizes.most_common(1)[0][0]
    base = max(frags, key=lambda f: (abs(f.size - size) < 0.3, len(f.chars))).base
    out: list[str] = []
    sup: list[str] = []
    font_count: Counter = Counter()
    bad = 0
    lead: list[bool] = []  # whether the first letters are bold
    spaces: list[float] = []  # the width of each gap between words
    prev_x1 = None
    for n, f in enumerate(frags):
        for k, (text, x0, x1, b, s, font, space) in enumerate(f.chars):
            if prev_x1 is not None and (space or x0 - prev_x1 > (0.12 if k == 0 else 0.25) * size):
                (sup if sup else out).append(" ")
                if n > 1 or k > 0 or len(frags[0].chars) > 5:  # not the gap after a label ("1.", "[12]")
                    spaces.append(x0 - prev_x1)
            prev_x1 = x1
            if text == "\ufffd":
                bad += 1
                continue
            if s < 0.6 * size:
                continue  # tiny glyphs: an ORCID "iD" mark, a second-order index
            if s < 0.9 * size and base - b > 0.2 * size:  # raised and smaller: a superscript
                sup.append(text)
                continue
            if sup:
                _flush_sup(out, sup, text)
                if text in ".,;:)" and out and out[-1] == " ":
                    out.pop()  # "Broman¹ ," read as "Broman ," once the mark is gone
                if text == "." and out and out[-1] == ".":
                    continue  # "et al.¹."
            out.append(text)
            if text.isalpha():
                font_count[font] += 1
                if len(lead) < 4:
                    lead.append(fonts[font].bold)
    if sup:
        _flush_sup(out, sup)
    # Table cells: wide gaps beside word-sized ones, or several very wide ones (a justified line stretches
    # all of its gaps alike).
    wide = sum(gap > 1.0 * size for gap in spaces)
    mixed = wide and min(spaces) < 0.45 * size
    gaps = wide if mixed or sum(gap > 2.0 * size for gap in spaces) >= 2 else 0
    letters = sum(font_count.values())
    font = font_count.most_common(1)[0][0] if font_count else -1
    bold = sum(n for f, n in font_count.items() if fonts[f].bold)
    mono = sum(n for f, n in font_count.items() if fonts[f].mono)
    top = min(f.base - f.size * 0.75 for f in frags)
    return _Line(text=" ".join("".join(out).split()), page=page, col=col, x0=frags[0].x0,
                 x1=max(f.x1 for f in frags), top=top, base=base, size=size, font=font,
                 bold=letters > 0 and bold >= 0.6 * letters, mono=letters > 0 and mono >= 0.8 * letters,
                 gaps=gaps, bad=bad, letters=letters, lead_bold=len(lead) == 4 and all(lead) and bold < 0.6 * letters)


def _without_line_numbers(frags: list[_Frag]) -> list[_Frag]:
    """A review copy's line numbers: a bare number set far left or far right of the line's text."""
    if len(frags) < 2:
        return frags
    first, last = frags[0], frags[-1]
    if _bare_number(first) and frags[1].x0 - first.x1 > 1.5 * frags[1].size:
        frags = frags[1:]
    if len(frags) >= 2 and _bare_number(last) and last.x0 - frags[-2].x1 > 1.5 * last.size:
        frags = frags[:-1]
    return frags


def _bare_number(frag: _Frag) -> bool:
    return len(frag.chars) <= 4 and all(ch[0].isdigit() for ch in frag.chars)


def _flush_sup(out: list[str], sup: list[str], next_text: str = "") -> None:
    """A superscript run after a word: citation, affiliation and footnote marks are dropped. An exponent
    after 10 or a digit is kept as "^n"; digits set before a word ("¹³C") are kept as they are."""
    raw_run = "".join(sup)
    run = raw_run.strip()
    sup.clear()
    before = "".join(out[-6:])
    if run and re.fullmatch(r"[−-]?\d{1,3}", run) and re.search(r"(?:^|[\s(=×·*+−-])(?:10|\d)$", before):
        out.append("^" + run)  # 10⁵, 2³
    elif run and (not before.strip() or before.endswith(" ")) and raw_run[-1:] != " " and next_text.isalpha():
        out.append(run)  # an isotope's mass number, 13C
    elif run and not _MARKS.fullmatch(run):
        out.append(run)  # "th" of 20th, a raised word
    if raw_run[-1:] == " ":
        out.append(" ")


# --------------------------------------------------------------------------- lines: what to keep
def _read_lines(pages: list[_Page], fonts: list[_Font]) -> _Lines:
    lines = [line for page in pages for line in _page_lines(page, fonts)]
    found = _Lines(lines, pages)
    _mark_running(found)
    for line in lines:
        if line.kind == "body":
            line.kind = _line_kind(line, found.body_size)
    return found


@dataclass
class _Lines:
    """Every line of the paper in reading order, with what the whole paper's type says."""

    lines: list[_Line]
    pages: list[_Page]
    body_size: float = 10.0
    body_font: int = -1

    def __post_init__(self) -> None:
        sizes: Counter = Counter()
        fonts: Counter = Counter()
        half = max(1, (len(self.pages) + 1) // 2)  # the body's type, not the reference list's
        for line in self.lines:
            if line.page >= half:
                continue
            sizes[round(line.size * 2) / 2] += line.letters
            fonts[line.font] += line.letters
        if sizes:
            self.body_size = sizes.most_common(1)[0][0]
            self.body_font = fonts.most_common(1)[0][0]


_PAGE_NUMBER = re.compile(r"(?:page\s*)?#(?:\s*(?:of|/)\s*#)?|[ivxlc]+", re.I)


def _mark_running(found: _Lines) -> None:
    """Running headers and footers: the same line (digits aside) in a page's top or bottom margin on many
    pages; page numbers there too."""
    rows: dict[tuple[int, str, int], list[_Line]] = {}  # a margin's text by height: one footer, split or not
    for line in found.lines:
        height = found.pages[line.page].height
        if line.top < 0.11 * height or line.base > 0.89 * height:
            zone = "top" if line.top < 0.5 * height else "bottom"
            rows.setdefault((line.page, zone, round(line.base / 4)), []).append(line)
    shapes: list[tuple[_Line, str, str]] = []
    seen: dict[str, set[int]] = {}
    for (page, zone, _), row in rows.items():
        whole = _shape(zone, " ".join(l.text for l in sorted(row, key=lambda l: l.x0)))
        for line in row:
            shapes.append((line, _shape(zone, line.text), whole))
            seen.setdefault(shapes[-1][1], set()).add(page)
        seen.setdefault(whole, set()).add(page)
    repeat = max(2, round(0.25 * len({l.page for l in found.lines})))
    for line, key, whole in shapes:
        if len(seen[key]) >= repeat or len(seen[whole]) >= repeat or _PAGE_NUMBER.fullmatch(key.partition(" ")[2]):
            line.kind = "furniture"


def _shape(zone: str, text: str) -> str:
    """A margin line with its digits (page numbers) masked, to compare it across pages."""
    return zone + " " + re.sub(r"\d+", "#", " ".join(text.lower().split()))


_MATH_SYMBOLS = set("=+−±×÷∑∏∫∂∇√∞≤≥≈≠∈∉⊂⊆∪∩∀∃→←↦⟨⟩·∘⊗⊕∝αβγδεζηθικλμνξπρστυφχψωΓΔΘΛΞΠΣΦΨΩ")


def _line_kind(line: _Line, body_size: float) -> str:
    text = line.text
    if re.fullmatch(r"[\d\s.,()\[\]–-]+", text) and len(text) <= 12:
        return "furniture" if len(text) <= 4 else "numeric"  # a page, line or equation number
    compact = text.replace(" ", "")
    tokens = text.split()
    if line.bad >= 2 and line.bad >= 0.15 * (len(compact) + line.bad):
        return "math"
    if (line.gaps >= 2 or (line.gaps and len(tokens) < 8)) and not _CAPTION.match(text):
        return "table"  # cells; one wide gap in a long line is a symbol that has no text
    if len(compact) >= 3 and line.letters < 0.45 * len(compact):
        # Few letters, short tokens and an operator or a Greek letter: a formula's glyphs.
        if (line.bad or any(ch in _MATH_SYMBOLS for ch in compact)) and len(compact) <= 4 * len(tokens):
            return "math"
        if sum(ch.isdigit() for ch in compact) > 0.5 * len(compact):
            return "numeric"  # a DOI's or URL's end, a number column: kept in reference lists only
    if (len(tokens) >= 4 and sum(len(t) == 1 for t in tokens) >= 0.6 * len(tokens)
            and any(ch in _MATH_SYMBOLS or ch.isdigit() for ch in compact)):
        return "math"  # isolated symbols: a formula whose glyphs came out one by one
    if line.mono:
        return "code"
    if line.size < 0.88 * body_size:
        return "small"
    return "body"


# --------------------------------------------------------------------------- lines -> blocks
@dataclass
class _Block:
    lines: list[_Line]
    kind: str  # its lines' kind: body, small, table, code, numeric
    jump: bool  # starts on another page, or in another column, than the line before it
    indented: bool = False
    role: str = "body"  # body, heading, caption; or left out: small, stray, table, code, numeric

    @property
    def first(self) -> _Line:
        return self.lines[0]

    @property
    def raw(self) -> str:
        return " ".join(l.text for l in self.lines)


# A list item: "• item" (group 1: the bullet), "2. item", "(iii) item".
_ITEM = re.compile(r"(?:([•▪◦·\-–*])|\(?(?:\d{1,2}|[ivx]{1,4}|[a-h])[.)])\s+\S")
_TERMINAL = re.compile(r"[.!?:;][\"'”’)\]]*$")


def _blocks(found: _Lines, geometry: dict) -> tuple[list[_Block], int]:
    """Lines -> blocks, breaking at vertical gaps, first-line indents, short last lines and changes of
    type; also how many display formulas were left out."""
    blocks: list[_Block] = []
    formulas = 0
    in_math = False
    prev: _Line | None = None
    for line in found.lines:
        if line.kind == "furniture":
            continue
        if line.kind == "math":
            formulas += not in_math and line.size >= 0.9 * found.body_size  # small ones are table cells
            in_math = True
            continue  # the sentence around a display formula reads on
        in_math = False
        left, right = geometry[(line.page, line.col)]
        indented = 0.6 * line.size < line.x0 - left < 6 * line.size
        jump = prev is None or line.page != prev.page or (line.col != prev.col and not (
            0 < line.base - prev.base <= 2 * line.size and abs(line.x0 - prev.x0) < 2 * line.size))
        if jump or _breaks(prev, line, blocks[-1], geometry, found.body_size):
            blocks.append(_Block([line], line.kind, jump, indented))
        else:
            blocks[-1].lines.append(line)
        prev = line
    return blocks, formulas


def _column_geometry(found: _Lines) -> dict[tuple[int, int], tuple[float, float]]:
    """Each page column's left edge (the usual start of a body line) and right edge (where most end)."""
    starts: dict[tuple[int, int], Counter] = {}
    ends: dict[tuple[int, int], list[float]] = {}
    extent: dict[tuple[int, int], tuple[float, float]] = {}  # for a column with no body line
    for line in found.lines:
        key = (line.page, line.col)
        low, high = extent.get(key, (line.x0, line.x1))
        extent[key] = (min(low, line.x0), max(high, line.x1))
        if line.kind == "body" and line.letters >= 15:
            starts.setdefault(key, Counter())[round(line.x0)] += 1
            ends.setdefault(key, []).append(line.x1)
    out = {}
    for key, (low, high) in extent.items():
        left = starts[key].most_common(1)[0][0] - 0.5 if key in starts else low
        right_ends = sorted(ends.get(key, ()))
        out[key] = (left, right_ends[int(0.8 * (len(right_ends) - 1))] if right_ends else high)
    return out


def _breaks(prev: _Line, line: _Line, block: _Block, geometry, body_size: float) -> bool:
    """Whether ``line`` opens a new block after ``prev``, the line above it in the same column."""
    if (line.kind != prev.kind or line.bold != prev.bold
            or abs(line.size - prev.size) > 0.08 * max(line.size, prev.size)):
        return True  # another type: a heading, a caption, small print
    pitch = line.base - prev.base
    if pitch <= 0 or pitch > 2.0 * max(line.size, prev.size):
        return True
    if len(block.lines) >= 2 and pitch > 1.2 * (prev.base - block.lines[-2].base) + 1.0:
        return True  # more space than between the block's lines so far
    if re.search(r"[^\W\d_]-$", prev.text) and line.text[:1].islower():
        return False  # a word broken at the line end goes on here
    left, right = geometry[(line.page, line.col)]
    short = prev.x1 < right - 1.5 * prev.size
    if line.lead_bold and re.match(r"[A-Z][\w ,'’&-]{0,60}[.:]\s", line.text):
        return True  # a run-in label opens a paragraph ("Results." in a structured abstract)
    item = _ITEM.match(line.text)
    if item and (item.group(1) or prev.text.endswith((";", ".")) or prev.x1 < right - 3 * prev.size):
        return True  # a list item: a bullet, or a number after a line that ended
    if _ITEM.match(block.first.text) and line.x0 > block.first.x0:
        return False  # a list item's hanging indent
    if line.font != prev.font and short:
        return True  # after a heading in its own face
    if 0.6 * line.size < line.x0 - left < 6 * line.size and prev.x0 - left <= 0.3 * prev.size:
        return True  # a first-line indent
    return short and bool(_TERMINAL.search(prev.text)) and line.size < 1.15 * body_size  # not in a title


# --------------------------------------------------------------------------- blocks -> document
_CAPTION = re.compile(r"(?:fig(?:ure)?s?|table|scheme|chart|box|algorithm|listing|plate|supplementary\s+"
                      r"(?:figure|table))\.?\s*S?\d+[A-Za-z]?(?:\s*[.:|)\u2014\u2013-]|\s+(?-i:[A-Z(]))", re.I)
_NUMBERED = re.compile(r"((?:\d{1,2}(?:\.\d{1,2}){0,3})\.?|[IVX]{1,5}\.|[A-H]\.)\s+(\S.*)")
_REFERENCES = {"references", "reference", "bibliography", "literature cited", "works cited", "reference list",
               "references and notes", "cited literature", "literature"}
_ABSTRACT = {"abstract", "summary"}
# Who paid, who did what, who declares what: not the paper's teaching; left out with their subsections.
_ADMIN = {"competing interests", "competing interest", "conflict of interest", "conflicts of interest",
          "declaration of competing interest", "author contributions", "authors' contributions", "author contribution",
          "author contributions statement", "funding information", "conflicts of interest statement",
          "authors’ contributions", "author's contributions", "contributions", "author details", "funding",
          "financial disclosure", "pre-publication history", "consent for publication",
          "ethics approval and consent to participate", "availability of data and materials", "data availability",
          "data availability statement", "additional information", "additional information and declarations",
          "abbreviations", "declarations", "grant disclosures", "author information", "publisher's note",
          "open access", "peer review", "ethics statement", "informed consent", "ccs concepts",
          "acm reference format", "article info", "article history"}
_KNOWN = _REFERENCES | _ABSTRACT | _ADMIN | {
    "introduction", "background", "methods", "method", "materials and methods", "material and methods",
    "methods and materials", "methodology", "results", "results and discussion", "discussion", "conclusion",
    "conclusions", "conclusion and future work", "conclusions and future work", "concluding remarks",
    "acknowledgements", "acknowledgments", "acknowledgement", "acknowledgment", "appendix", "appendices",
    "supplementary material", "supplementary materials", "supplementary information", "supporting information",
    "supplementary data", "related work", "experiments", "experimental", "experimental section", "evaluation",
    "limitations", "future work", "case report", "case presentation", "study design", "overview", "findings",
    "main text", "significance", "objectives", "aims", "motivation", "preliminaries", "implementation",
    "materials", "patients and methods", "subjects and methods", "statistical analysis", "outlook", "summary"}
# A publisher's advertisement at the end of a paper.
_PUBLISHER = re.compile(r"publish with biomed central|submit your (?:next )?manuscript|biomedcentral\.com/submit")
# Keyword lines, not prose: dropped wherever they stand; "Subjects" (PeerJ) only next to the abstract.
_KEYWORDS = re.compile(r"(?:key\s*words?|index terms|mesh terms)\b|abbreviations\s*:", re.I)
_FRONT_LABELS = re.compile(r"(?:key\s*words?|index terms|mesh terms|subjects|abbreviations)\b", re.I)
_ABSTRACT_RUN_IN = re.compile(r"(?:abstract|summary)\s*[.:—–-]\s*(?=[A-Z])", re.I)


def _document(found: _Lines, pages: list[_Page]) -> Document:
    geometry = _column_geometry(found)
    blocks, formulas = _blocks(found, geometry)
    vocabulary = _vocabulary(found.lines)
    for block in blocks:
        _classify(block, found, geometry)
    blocks = _whole_captions(blocks)
    doc = Document()
    start, run_in = _front_matter_end(blocks)
    front, rest = blocks[:start], blocks[start:]
    doc.title = _title(front or blocks, found.body_size, vocabulary)
    doc.authors = _authors(front, doc.title, vocabulary)
    labelled = run_in or bool(rest and rest[0].role == "heading" and _bare(rest[0]) in _ABSTRACT)
    if run_in:  # "Abstract. We present ..." opens the abstract's first paragraph
        first = rest[0].lines[0]
        rest[0].lines[0] = replace(first, text=_ABSTRACT_RUN_IN.sub("", first.text, count=1))
    elif labelled:
        rest = rest[1:]  # the "Abstract" heading
    if labelled:
        taken = _abstract_after_heading(rest)
        doc.abstract = [_text(b.lines, vocabulary) for b in rest[:taken] if not _FRONT_LABELS.match(b.raw)]
        rest = rest[taken:]
    else:
        doc.abstract = _abstract_in_front(front, vocabulary)
    _sections(rest, doc, vocabulary, _heading_levels(rest))
    if formulas:
        doc.notes.append(f"{formulas} display formula{'s' if formulas != 1 else ''} in the PDF could not be read "
                         "as text and {} left out.".format("were" if formulas != 1 else "was"))
    return doc


def _whole_captions(blocks: list[_Block]) -> list[_Block]:
    """A caption whose first line is bold breaks into blocks at the type change: put it together again."""
    out: list[_Block] = []
    for block in blocks:
        prev = out[-1] if out else None
        if (prev is not None and prev.role == "caption" and block.role in ("body", "small", "stray", "numeric")
                and not block.jump and block.first.page == prev.lines[-1].page
                and 0 < block.first.base - prev.lines[-1].base <= 1.6 * prev.lines[-1].size
                and abs(block.first.size - prev.lines[-1].size) <= 0.1 * prev.lines[-1].size):
            prev.lines.extend(block.lines)
            continue
        out.append(block)
    return out


def _bare(block: _Block) -> str:
    """A heading's words without its numbering and closing punctuation, lower case."""
    text = block.raw
    numbered = _NUMBERED.fullmatch(text)
    if numbered:
        text = numbered.group(2)
    if re.fullmatch(r"(?:\w )+\w", text):
        text = text.replace(" ", "")  # letter-spaced: "R E F E R E N C E S"
    return " ".join(text.lower().strip(" .:").split())


def _classify(block: _Block, found: _Lines, geometry: dict) -> None:
    text = block.raw
    if _CAPTION.match(text) and (block.first.bold or block.kind == "small" or len(block.lines) > 1
                                 or re.match(r"\S+\s*S?\d+[A-Za-z]?\s*[.:|]", text)):
        block.role = "caption"
    elif block.kind in ("body", "small") and _is_heading(block, found):
        block.role = "heading"
    elif len(block.lines) == 1 and not _TERMINAL.search(text) and (len(text.split()) <= 2 or (
            len(text.split()) < 6 and block.first.x0 > geometry[(block.first.page, block.first.col)][0]
            + 4 * block.first.size)):
        block.role = "stray"  # a label inside a figure, a lone table cell
    elif block.kind != "body":
        block.role = block.kind  # small print, numbers, table rows, code: not body text


def _is_heading(block: _Block, found: _Lines) -> bool:
    text = block.raw
    words = text.split()
    if (len(block.lines) > 3 or len(text) > 160 or len(words) > 20 or block.first.letters < 2
            or _KEYWORDS.match(text) or text.count(",") > 2):
        return False
    bare = _bare(block)
    numbered = _NUMBERED.fullmatch(text)
    name = numbered.group(2) if numbered else text
    if bare in _KNOWN and len(block.lines) == 1:
        return True  # "Introduction" alone on its line
    if (not (name[:1].isupper() or name[:1].isdigit()) or (re.search(r"[,;]$|[^.]\.$", text) and not numbered)
            or _DANGLING.search(text)):
        return False
    line = block.first
    distinct = (line.bold or line.size >= 1.12 * found.body_size
                or (name.isupper() and sum(c.isalpha() for c in name) >= 4)
                or (line.font != found.body_font and line.size >= 0.9 * found.body_size))
    if numbered:
        return distinct and not text.endswith(".")
    return distinct and not _TERMINAL.search(text) and line.size >= 0.9 * found.body_size


_DANGLING = re.compile(r"(?:\b(?:and|or|of|the|a|an|in|on|to|for|with|by|from|at|as|is|are)|[-–—(])$", re.I)


_TOP_LEVEL = {"introduction", "background", "methods", "materials and methods", "results", "discussion",
              "conclusion", "conclusions", "results and discussion", "related work", "references"}


def _heading_levels(blocks: list[_Block]) -> dict:
    """Unnumbered headings: level 1 for the type of "Introduction", "Methods"... (and any bigger), then one
    level per smaller rank of type (size, then bold, then capitals)."""
    styles = {}
    anchor = None
    for block in blocks:
        if block.role == "heading" and not _NUMBERED.fullmatch(block.raw):
            line = block.first
            rank = styles[_style(block)] = (-round(line.size * 2) / 2, not line.bold, not block.raw.isupper())
            if anchor is None and _bare(block) in _TOP_LEVEL:
                anchor = rank
    ranked = sorted(set(styles.values()))
    top = ranked.index(anchor) if anchor is not None else 0
    return {style: min(3, max(1, ranked.index(rank) - top + 1)) for style, rank in styles.items()}


def _style(block: _Block) -> tuple:
    line = block.first
    return (round(line.size * 2) / 2, line.bold, block.raw.isupper(), line.font)


def _level(block: _Block, levels: dict) -> int:
    numbered = _NUMBERED.fullmatch(block.raw)
    if numbered:
        number = numbered.group(1).rstrip(".")
        return min(4, number.count(".") + 1) if number[:1].isdigit() else 1 if number[:1] in "IVX" else 2
    return levels.get(_style(block), 1)


def _front_matter_end(blocks: list[_Block]) -> tuple[int, bool]:
    """Where the front matter (banner, title, authors, affiliations) ends: at the "Abstract" heading, or
    at a paragraph that opens with "Abstract." (then True), else at the first section heading."""
    for i, block in enumerate(blocks):
        if block.first.page > 2:
            break
        if block.role == "heading" and _bare(block) in _ABSTRACT:
            return i, False
        if block.role == "body" and _ABSTRACT_RUN_IN.match(block.raw):
            return i, True
    for i, block in enumerate(blocks):
        if block.role == "heading" and (_NUMBERED.fullmatch(block.raw) or _bare(block) in _KNOWN):
            return i, False
    first_heading = next((i for i, b in enumerate(blocks) if b.role == "heading" and b.first.page > 0), None)
    return (first_heading if first_heading is not None else 0), False


def _abstract_after_heading(blocks: list[_Block]) -> int:
    """How many blocks after an "Abstract" heading are the abstract: up to the next heading, on at most two
    pages, at most eight paragraphs."""
    if not blocks:
        return 0
    page = blocks[0].first.page
    taken = 0
    for block in blocks:
        if block.role == "heading" or block.first.page > page + 1 or taken >= 8:
            break
        taken += 1
    return taken


def _abstract_in_front(front: list[_Block], vocabulary) -> list[str]:
    """No "Abstract" heading: the prose paragraphs of the front matter (ReScience, many preprints)."""
    prose = [b for b in front if b.role == "body" and len(b.raw.split()) >= 40 and _TERMINAL.search(b.raw)
             and not _FRONT_LABELS.match(b.raw)]
    return [_text(b.lines, vocabulary) for b in prose]


def _title(front: list[_Block], body: float, vocabulary) -> str | None:
    candidates = [b for b in front if b.first.page == 0 and b.role != "caption" and _wordy(b.raw)
                  and b.first.size >= 1.15 * body]
    if not candidates:
        return None
    best = max(candidates, key=lambda b: (b.first.size, len(b.raw)))
    return _text(best.lines, vocabulary) or None


def _wordy(text: str) -> bool:
    """Words, not a letter-spaced banner ("R E S E A R C H") or a code."""
    words = text.split()
    return sum(len(w) >= 3 and any(c.isalpha() for c in w) for w in words) >= 2 and \
        sum(len(w) == 1 for w in words) < 0.5 * len(words)


_NOT_NAME = re.compile(r"@|\d|universit|department|institut|school|college|cent(?:er|re)|hospital|laborator|"
                       r"faculty|inc\b|llc|ltd|corresponding|email|e-mail|abstract|research|article|journal|"
                       r"\bof\b|\bthe\b|\bfor\b|contributors|group|consortium", re.I)
_NAME_WORD = re.compile(r"(?:[A-ZÀ-ÖØ-ÞĀ-ſ][\w'’.\-]*|[A-Z]\.|(?:van|von|der|den|de|da|del|di|la|le|dos|du|"
                        r"bin|al|ter|ten)\b\.?)$")


def _authors(front: list[_Block], title: str | None, vocabulary) -> list[str]:
    """The block after the title, if every piece of it reads as a person's name; else none."""
    if not title:
        return []
    titles = [i for i, b in enumerate(front) if b.first.page == 0 and _text(b.lines, vocabulary) == title]
    for block in front[titles[0] + 1: titles[0] + 3] if titles else []:
        names = _names(block.raw)
        if names:
            return names
    return []


def _names(text: str) -> list[str]:
    """Names from an author line, or [] when more than a fifth of its pieces are not names."""
    text = re.sub(r"[*†‡§¶☯✉#]+", " ", text)
    parts = [p.strip(" .") for p in re.split(r",|;|\band\b|&", text) if p.strip(" .")]
    names: list[str] = []
    failures = 0
    for part in parts[:200]:
        words = part.split()
        if len(words) == 1 and words[0].isupper() and len(words[0]) <= 3:
            continue  # an ORCID "ID" mark
        if _NOT_NAME.search(part) or not 2 <= len(words) <= 6 or not all(_NAME_WORD.match(w) for w in words):
            failures += 1
            continue
        names.append(" ".join(w.title() if w.isupper() and len(w) > 2 else w for w in words))
    return names if names and failures <= 0.2 * (len(names) + failures) else []


def _sections(blocks: list[_Block], doc: Document, vocabulary, levels: dict) -> None:
    """Headings open sections; captions and paragraphs fill them; a paragraph cut by a column, page or
    figure is joined again; the reference list goes to doc.references; admin sections are left out."""
    section: DocSection | None = None
    open_para: tuple[DocSection, int] | None = None  # the last paragraph, while a sentence may still run on
    skip_level = 0  # inside a left-out section (funding, declarations) and its subsections
    ref_lines: list[_Line] | None = None
    ref_heading: _Line | None = None
    interrupted = False  # a figure, table or footnote came between this block and the paragraph before
    for block in blocks:
        if block.role == "heading" and ref_lines is not None and not _ends_references(block, ref_heading):
            block.role = "body"  # a journal name set in bold inside an entry
        if block.role == "heading":
            bare, level = _bare(block), _level(block, levels)
            if skip_level and level > skip_level:
                continue
            skip_level = 0
            if ref_lines is not None:
                doc.references.extend(_references(ref_lines, vocabulary))
                ref_lines = None
            open_para = None
            if bare in _REFERENCES:
                ref_lines, ref_heading = [], block.first
            elif bare in _ADMIN or _PUBLISHER.search(bare):
                skip_level = level
            else:
                section = DocSection(_text(block.lines, vocabulary), level)
                doc.sections.append(section)
            continue
        if skip_level:
            continue
        if ref_lines is not None:
            if block.role != "caption":
                ref_lines.extend(block.lines)
            continue
        if block.role not in ("body", "caption") or _KEYWORDS.match(block.raw):
            interrupted = True
            continue
        if section is None:
            section = DocSection("Main text", 1)
            doc.sections.append(section)
        text = _text(block.lines, vocabulary)
        if not text:
            continue
        if block.role == "caption":
            section.paragraphs.append(text)
            interrupted = True
            continue
        if open_para and (block.jump or interrupted) and _continues(open_para, block, text):
            owner, index = open_para
            owner.paragraphs[index] = _join(owner.paragraphs[index], text, vocabulary)
        else:
            section.paragraphs.append(text)
            open_para = (section, len(section.paragraphs) - 1)
        interrupted = False
    if ref_lines is not None:
        doc.references.extend(_references(ref_lines, vocabulary))


def _ends_references(block: _Block, ref_heading: _Line) -> bool:
    """Inside a reference list only a usual heading ("Appendix") or one set like "References" ends it."""
    line = block.first
    return _bare(block) in _KNOWN or (line.size >= ref_heading.size - 0.3 and line.bold == ref_heading.bold
                                      and not re.search(r"\d", block.raw))


def _continues(open_para: tuple[DocSection, int], block: _Block, text: str) -> bool:
    """After a column, page or figure break: the same paragraph if its last sentence had not ended (no
    full stop, or a comma, before the break), or the text goes on in lower case."""
    owner, index = open_para
    before = owner.paragraphs[index]
    return not _TERMINAL.search(before) or text[:1].islower() or (not block.indented and before[-1:] == ",")


# --------------------------------------------------------------------------- text of lines
_LIGATURES = str.maketrans({"\ufb00": "ff", "\ufb01": "fi", "\ufb02": "fl", "\ufb03": "ffi", "\ufb04": "ffl",
                            "\ufb05": "st", "\ufb06": "st", "\u2010": "-", "\u2011": "-", "\u00ad": ""})
_WORD = re.compile(r"[^\W\d_]+(?:-[^\W\d_]+)*")
# Prefixes that make compounds ("well-known", "non-linear"); kept hyphenated when the paper never writes
# the joined word.
_COMPOUND_PREFIXES = {"well", "self", "non", "cross", "high", "low", "long", "short", "large", "small", "two",
                      "three", "four", "first", "second", "half", "open", "state", "real", "time", "data",
                      "user", "end", "full", "part", "one", "single", "double", "all", "ill", "best", "far", "meta"}


def _clean(text: str) -> str:
    return text.translate(_LIGATURES)


def _vocabulary(lines: list[_Line]) -> set[str]:
    """Every word the paper prints whole (hyphenated compounds included), lower case."""
    words: set[str] = set()
    for line in lines:
        text = _clean(line.text)
        if text.endswith("-"):
            text = text[: text.rfind(" ") + 1]  # the broken word is not a whole one
        words.update(w.lower() for w in _WORD.findall(text))
    return words


def _text(lines: list[_Line], vocabulary: set[str]) -> str:
    out = ""
    for line in lines:
        out = _join(out, _clean(line.text), vocabulary) if out else _clean(line.text)
    return out.strip()


def _join(before: str, after: str, vocabulary: set[str]) -> str:
    """Two lines (or two halves of a paragraph) as one text, a word broken by a hyphen made whole."""
    if not after:
        return before
    if before.endswith(("\u2013", "\u2014", "/")):
        return before + after  # "2002–" + "2003", "and/" + "or"
    if before.endswith("-") and len(before) > 1 and before[-2].isalpha():
        head = re.search(r"([^\W\d_]+(?:-[^\W\d_]+)*)-$", before)
        tail = re.match(r"[^\W\d_]+", after)
        if head and tail:
            return before[:-1] + after if _dehyphenate(head.group(1), tail.group(0), vocabulary) else before + after
        return before + after
    if _URL_END.search(before) and not after[:1].isupper():
        return before + after  # a link broken at the line end
    return before + " " + after


_URL_END = re.compile(r"(?:https?://|www\.|doi\.org/)\S*[./_-]$")


def _dehyphenate(head: str, tail: str, vocabulary: set[str]) -> bool:
    """Whether "head-" at a line end and "tail" on the next line are one word broken by hyphenation."""
    if not tail[:1].islower():
        return False  # "N-" + "Domain", "Ac-" + "SDKP": a real hyphen
    last = head.rsplit("-", 1)[-1].lower()
    joined, hyphened = (last + tail).lower(), f"{last}-{tail}".lower()
    if joined in vocabulary:
        return True
    if hyphened in vocabulary or f"{head}-{tail}".lower() in vocabulary:
        return False
    return last not in _COMPOUND_PREFIXES


# --------------------------------------------------------------------------- references
_REF_NUMBER = re.compile(r"\s*(?:\[(\d{1,4})\]|(\d{1,4})\.(?=\s)|(\d{1,4})\s(?=\D))\s*")


def _references(lines: list[_Line], vocabulary: set[str]) -> list[str]:
    """The reference list's lines -> one string per entry: by their numbers when they have them
    ("[3] ..."), else by hanging indents, else one per line group that ends a sentence."""
    lines = [l for l in lines if l.kind != "math" and l.text]
    if not lines:
        return []
    entries: list[tuple[str | None, list[_Line]]] = []
    expected = 1
    numbered = sum(bool(_REF_NUMBER.match(l.text)) for l in lines) >= 0.25 * len(lines)
    hanging = _hanging(lines) if not numbered else False
    for line in lines:
        number = _REF_NUMBER.match(line.text) if numbered else None
        value = next((int(g) for g in number.groups() if g), None) if number else None
        if value is not None and (expected <= value <= expected + 4 or (not entries and value <= 3)):
            expected = value + 1  # a number or a few may be lost (a line left out, a page missing)
            line_text = line.text[number.end():]
            entries.append((str(value), [replace(line, text=line_text)]))
        elif entries and (numbered or (hanging and line.x0 > hanging[(line.page, line.col)] + 0.5 * line.size)):
            entries[-1][1].append(line)
        elif entries and not numbered and not hanging and not _TERMINAL.search(entries[-1][1][-1].text):
            entries[-1][1].append(line)
        else:
            entries.append((None, [line]))
    out = []
    for number, entry_lines in entries:
        text = _text(entry_lines, vocabulary)
        if len(text) >= 10:
            out.append(f"[{number}] {text}" if number else text)
    return out


def _hanging(lines: list[_Line]) -> dict | None:
    """Each column's left edge, for a reference list set with hanging indents (first lines out, the rest
    in); None for other lists."""
    by_column: dict[tuple[int, int], list[float]] = {}
    for line in lines:
        by_column.setdefault((line.page, line.col), []).append(line.x0)
    indented = outdented = 0
    for xs in by_column.values():
        left = min(xs)
        outdented += sum(x - left < 2 for x in xs)
        indented += sum(x - left >= 2 for x in xs)
    if indented >= 0.3 * len(lines) and outdented >= 0.15 * len(lines):
        return {key: min(xs) for key, xs in by_column.items()}
    return None
