"""Hostile content is inert in every output.

A paper whose title, sentences, defined terms, acronyms and symbols are full of payloads (script
tags, event handlers, javascript: and external URLs in HTML and Markdown syntax, template and
XML/CDATA breakers, double-escaped entities, GIFT specials, spreadsheet formulas, Anki's own
markup, TeX that latex2mathml would turn into markup, bidi overrides, control characters) is
compiled through the real pipeline and exported to every format; each output is then read the
way its consumer reads it (lxml for HTML, SVG and QTI, a CommonMark parser for Markdown, Anki's
own library for the .apkg, the GIFT grammar, the csv module) and must run nothing, load nothing
and link nowhere, while still showing the paper's text as written. The first test checks that
the payloads really reach cards, quiz items, the glossary and the visuals, so the rest cannot
pass vacuously.
"""
from __future__ import annotations

import csv
import html
import io
import json
import re
from pathlib import Path

import genanki
import lxml.html
import pytest
from lxml import etree
from markdown_it import MarkdownIt  # a dependency of rich, so always installed

from arcxiv.generate.svg import STYLE
from arcxiv.ingest import ingest
from arcxiv.models import Curriculum
from arcxiv.pipeline import compile_paper, render_files
from arcxiv.render.exports import EXPORTERS, one_line
from arcxiv.render.gift import html_text

from .test_exports import QTI_XSD, GiftParser

TITLE = "Hostile <script>alert(1)</script> Widgets <img src=x onerror=alert(1)> under {{7*7}} and ]]> Marks"
SENTENCES = [
    "We establish four structural results for the <svg onload=alert(1)> widget network under the "
    "Scripted Attack Window (SAW) and the Template {{7*7}} Injection Kernel (TIK) of the Cross <i>Site</i> "
    "Marker (CSM).",
    "First, we prove global existence of the javascript:alert(1) limit of noisy "
    '<a href="http://evil.example">gradient descent</a> under SAW, identifying the maximal payload weight w* '
    "on the [click](javascript:alert(1)) sequence as the ![x](http://evil.example/x.png) boundary, and hence "
    "the largest <style>@import url(http://evil.example/x.css)</style> class propagated by the "
    '<iframe src="http://evil.example/f"></iframe> flow.',
    "The finite-particle approximation has uniform-in-time rate O(N-1) with ~ = # { } : marks and "
    "{% raw %} blocks.",
    "Second, we characterize identifiability of the <!-- comment --> limit: two admissible "
    '=HYPERLINK("http://evil.example","x") measures induce the same network function exactly when their '
    "&lt;script&gt; components agree modulo the \\input{/etc/passwd} symmetry of the architecture.",
    "The orbit depth D*orb is separated from the moment-variety depth D*var.",
    "Third, under the Barron-Hermite target condition the active support of the \u202eevil\u202c limit measure "
    "admits a sparse-dictionary decomposition: it is supported on at most S* atoms, with S* bounded by an "
    "explicit [latex]\\input{/etc/passwd}[/latex] number.",
    "Fourth, we derive the total hostile-error decomposition into statistical, optimization, "
    "<b onmouseover=alert(3)>propagation</b>, and sparse-residual components.",
    '=HYPERLINK("http://evil.example","x") bounds the finite-particle approximation error. '
    "+SUM(A1) Cost C is the total payload cost. @Widget W is the formula widget.",
    'The formula cell F is =HYPERLINK("http://evil.example","y").',
    "@SUM(1) is the tab\tseparated cost of the widget. +1 is the plus payload of the widget. "
    "-1 is the minus payload of the widget.",
    "The math $\\text{<script>alert(5)</script>}$ and $\\href{javascript:alert(6)}{x}$ and "
    "$\\style{background:url(http://evil.example/m.png)}{y}$ are typeset.",
    "The four results are tied together by an architectural identity: the triple (w*, D*orb, S*) -- the "
    "maximal payload weight, the orbit depth, and the sparse-dictionary depth -- is the natural learning cell "
    "of the architecture-data pair (σ, ρ).",
    # brackets closed, so the sentence is whole enough to be asked (a half bracket is never cut into a card)
    "The bell\x07 and escape\x1b[31m] and form\x0cfeed and {{c2::cloze}} markers sit in the [[ ]]> terminal-control widget.",
    "The proofs are self-contained except for standard results from \\(\\href{javascript:alert(1)}{SAW}\\) "
    "and [sound:http://evil.example/x.mp3] theory.",
]
PAPER = f"{TITLE}\nAbstract\n{' '.join(SENTENCES)}\n".encode("utf-8")
# The same sentences under Markdown headings that are payloads too: they become section and lesson
# titles, guide headings, roadmap labels, Anki deck names and vault note names.
HEADINGS = ["<img src=x onerror=alert(2)> Setting & {{7*7}}",
            '<svg onload=alert(3)> Identifiability =HYPERLINK("http://evil.example","h")',
            "-1 Decomposition [latex]\\input{/etc/passwd}[/latex] \u202erevo"]
MD_PAPER = (f"# {TITLE}\n\n## {HEADINGS[0]}\n\n{' '.join(SENTENCES[:3])}\n\n## {HEADINGS[1]}\n\n"
            f"{' '.join(SENTENCES[3:6])}\n\n## {HEADINGS[2]}\n\n{' '.join(SENTENCES[6:])}\n").encode("utf-8")

# Payloads that must reach the study items (cards and quiz), each written as the paper writes it.
IN_STUDY_ITEMS = ["<svg onload=alert(1)>", "javascript:alert(1)", '<a href="http://evil.example">',
                  "[click](javascript:alert(1))", "![x](http://evil.example/x.png)",
                  "<style>@import url(http://evil.example/x.css)</style>", '<iframe src="http://evil.example/f">',
                  "{% raw %}", "<!--", "-->", "&lt;script&gt;", '=HYPERLINK("http://evil.example","x")',
                  "\\input{/etc/passwd}", "\u202e", "[latex]", "<b onmouseover=alert(3)>", "~ = # { }",
                  "$\\text{<script>alert(5)</script>}$", "$\\href{javascript:alert(6)}{x}$", "{{c2::cloze}}",
                  "\\(\\href{javascript:alert(1)}", "[sound:http://evil.example/x.mp3]", "]]>"]
# Markdown ingest drops images and HTML comments as markup that is not text (ingest/markdown.py).
DROPPED_BY_MARKDOWN = ("![x](http://evil.example/x.png)", "<!--", "-->", "<!-- comment -->")
FORMULA = ("=", "+", "-", "@", "\t", "\r")
URL_ATTRS = {"href", "src", "action", "formaction", "data", "poster", "background", "cite", "srcset", "ping",
             "manifest", "codebase", "longdesc", "lowsrc", "dynsrc", "xlink:href"}
SVG_NS = "{http://www.w3.org/2000/svg}"
QTI_NS = "{http://www.imsglobal.org/xsd/imsqti_v2p1}"


# ----------------------------------------------------------------------------- the compile
@pytest.fixture(scope="module", params=["page", "markdown"])
def variant(request) -> str:
    return request.param


@pytest.fixture(scope="module")
def cur(variant) -> Curriculum:
    cur = compile_paper(ingest(PAPER if variant == "page" else MD_PAPER))
    assert cur.source.format == variant
    return cur


@pytest.fixture(scope="module")
def files(cur) -> dict[str, str]:
    return render_files(cur)


@pytest.fixture(scope="module")
def exports(cur) -> dict[str, dict[str, bytes]]:
    return {fmt: EXPORTERS[fmt](cur) for fmt in EXPORTERS}


def _study_texts(cur: Curriculum) -> list[str]:
    out = [t for c in cur.flashcards for t in (c.front.text, c.back.text)]
    for q in cur.quiz:
        out += [q.prompt.text, q.explanation.text, str(q.answer), *q.choices, *q.left]
    return out


def _local(tag) -> str:
    return tag.split("}")[-1].lower()


def _external(url: str) -> bool:
    """A URL that leaves the course: any scheme (javascript:, data:, http:, …) or a protocol-relative
    //host. Browsers drop tabs, newlines and leading spaces or controls before reading a scheme."""
    u = re.sub(r"[\x00-\x20]", "", url)
    return bool(re.match(r"([A-Za-z][A-Za-z0-9+.-]*:|//|\\\\)", u))


def _escaped_at(text: str, i: int) -> bool:
    """Whether the character at ``i`` has an odd run of backslashes before it (a Markdown escape)."""
    n = 0
    while i - n - 1 >= 0 and text[i - n - 1] == "\\":
        n += 1
    return n % 2 == 1


def test_payloads_reach_every_kind_of_output(cur, files, variant):
    """Not vacuous: the payloads are in the title, cards, quiz, terms, glossary, visuals and formula cells."""
    assert "<script>alert(1)</script>" in cur.source.title and "{{7*7}}" in cur.source.title
    if variant == "markdown":  # the headings are the sections' and (for two parts) the lessons' titles
        assert [s.title for s in cur.sections] == HEADINGS
        # a part read in two sittings is titled "… (1)", "… (2)"
        assert set(HEADINGS[1:]) <= {re.sub(r" \(\d+\)$", "", l.title) for l in cur.lessons}
    texts = _study_texts(cur)
    expected = [p for p in IN_STUDY_ITEMS if variant == "page" or p not in DROPPED_BY_MARKDOWN]
    if variant == "markdown":
        assert not any(p in cur.source.text for p in DROPPED_BY_MARKDOWN)
    missing = [p for p in expected if not any(p in t for t in texts)]
    assert not missing, missing
    kinds = {"mcq", "true_false", "fill_blank", "matching"} | ({"ordering"} if variant == "page" else set())
    assert any(c.kind == "cloze" for c in cur.flashcards) and {q.kind for q in cur.quiz} >= kinds
    labels = {t.label: t for t in cur.terms}
    script_symbol = labels["$\\text{<script>alert(5)</script>}$"]  # a defined symbol that is a payload
    assert script_symbol.kind == "symbol" and script_symbol.definition and "<script>" in script_symbol.definition.text
    assert any("<style>" in t.label for t in cur.terms) and any("\u202e" in t.label for t in cur.terms)
    assert labels["TIK"].kind == labels["CSM"].kind == "acronym"  # acronyms whose long forms are payloads
    assert labels["TIK"].definition.text == "TIK stands for Template {{7*7}} Injection Kernel."
    assert labels["CSM"].definition.text == "CSM stands for Cross <i>Site</i> Marker."
    assert '=HYPERLINK("http://evil.example","y")' in labels["formula cell F"].definition.text
    svg_text = " ".join(t for v in cur.visuals for t in etree.fromstring(v.svg.encode()).itertext())
    for payload in ("<script>alert(5)</script>", "<i>Site</i>", "\\input{/etc/passwd}"):
        assert payload in svg_text, payload
    # spreadsheet cells that would start with a formula character (so the CSV check bites)
    assert any(one_line(c.back.text).startswith(FORMULA) for c in cur.flashcards)
    # the statements in curriculum.json carry the payloads (escaped by JSON only)
    assert "<iframe src=\\\"http://evil.example/f\\\"></iframe>" in files["curriculum.json"]
    # control characters are dropped at ingest; the rest of the sentence is kept
    assert "\x07" not in cur.source.text and "The bell and escape" in cur.source.text


def test_no_output_path_or_text_carries_control_characters(files, exports):
    every = {name: text.encode("utf-8") for name, text in files.items()}
    for fmt, out in exports.items():
        every.update({f"{fmt}:{p}": b for p, b in out.items()})
    for name, data in every.items():
        path = name.split(":", 1)[-1]
        assert not re.search(r"[\x00-\x1f\x7f\u200e\u200f\u202a-\u202e\u2066-\u2069]", path), ascii(path)
        assert not path.startswith("/") and ".." not in Path(path).parts
        if name.endswith(".apkg"):
            continue
        assert not re.search(rb"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]", data), name


# ----------------------------------------------------------------------------- the HTML course
def _check_html_page(name: str, text: str) -> lxml.html.HtmlElement:
    # the raw bytes first, so no parser leniency can hide anything
    assert len(re.findall(r"<\s*script\b", text, re.I)) == 1, name
    assert not re.search(r"<\s*(iframe|object|embed|frame|applet|base|img|image|foreignobject|audio|video|"
                         r"source|input[^>]*type=.?image)\b", text, re.I), name
    assert not re.search(r"<[A-Za-z][^<>]*\son[a-z]+\s*=", text, re.I), name
    assert "<!--" not in text and "<![CDATA[" not in text, name
    assert re.findall(r"<link\b[^>]*>", text) == ['<link rel="stylesheet" href="assets/style.css">'], name
    doc = lxml.html.document_fromstring(text)
    scripts = doc.xpath("//script")
    assert [(s.get("src"), (s.text or "").strip()) for s in scripts] == [("assets/app.js", "")], name
    for el in doc.iter():
        if not isinstance(el.tag, str):
            raise AssertionError(f"{name}: a comment or processing instruction: {etree.tostring(el)!r}")
        tag = _local(el.tag)
        assert tag not in {"iframe", "object", "embed", "frame", "frameset", "img", "image", "foreignobject",
                           "base", "applet", "audio", "video", "source", "track", "link"} or (
            tag == "link" and el.get("href") == "assets/style.css"), (name, tag)
        if tag == "style":  # only the visuals' own style sheet
            assert el.text == STYLE, (name, el.text)
        if tag == "meta":
            assert el.get("http-equiv") is None, name
        if tag == "form":
            assert el.get("action") is None, name
        for attr, value in el.attrib.items():
            a = _local(attr)
            assert not a.startswith("on"), (name, tag, attr, value)
            if a in URL_ATTRS or a.endswith("href"):
                assert not _external(value), (name, tag, attr, value)
            if a == "style":
                assert "url(" not in value.lower() and "expression(" not in value.lower(), (name, value)
            assert not re.match(r"(javascript|vbscript|data):", re.sub(r"[\x00-\x20]", "", value), re.I), (
                name, tag, attr, value)
    return doc


def test_every_html_page_runs_and_loads_nothing(cur, files):
    pages = {n: t for n, t in files.items() if n.endswith(".html")}
    assert {"index.html", "glossary.html", "cards.html", "quiz.html", "lesson-01.html"} <= set(pages)
    docs = {n: _check_html_page(n, t) for n, t in pages.items()}
    # the text is shown as written, not dropped: escaping, not stripping
    index = docs["index.html"]
    assert cur.source.title in index.xpath("//h1")[0].text_content()
    assert cur.source.title in index.xpath("//title")[0].text_content()
    source = index.get_element_by_id("source-text").text_content()
    assert source == cur.source.text
    glossary = docs["glossary.html"].text_content()
    assert "<style>@import url(http://evil.example/x.css)</style>" in glossary
    quiz = docs["quiz.html"].text_content()
    assert "&lt;script&gt;" in quiz and "[click](javascript:alert(1))" in quiz
    # TeX that latex2mathml would turn into markup stays text; ordinary symbols are still typeset
    cards = docs["cards.html"]
    assert "$\\text{<script>alert(5)</script>}$" in cards.text_content()
    assert cards.xpath("//math") and docs["lesson-03.html"].xpath("//math")


def test_visuals_are_inert_svg(cur, files):
    """The SVGs as stored in curriculum.json and as embedded in the index page (the only places they
    are written): strict XML, SVG elements only, no script or foreignObject, no handlers, only
    internal #fragment references, the fixed style sheet."""
    stored = [v["svg"] for v in json.loads(files["curriculum.json"])["visuals"]]
    assert stored == [v.svg for v in cur.visuals] and len(stored) >= 3
    allowed = {"svg", "title", "desc", "style", "defs", "marker", "g", "path", "rect", "line", "circle",
               "ellipse", "polyline", "polygon", "text", "tspan"}
    for svg in stored:
        assert svg in files["index.html"]  # embedded as is
        root = etree.fromstring(svg.encode("utf-8"), etree.XMLParser(resolve_entities=False, no_network=True))
        for el in root.iter():
            assert isinstance(el.tag, str), etree.tostring(el)  # no comment or PI from the paper
            assert el.tag.startswith(SVG_NS) and _local(el.tag) in allowed, el.tag
            if _local(el.tag) == "style":
                assert el.text == STYLE
            for attr, value in el.attrib.items():
                a = _local(attr)
                assert not a.startswith("on"), (attr, value)
                if a == "href":
                    assert value.startswith("#"), value
                for ref in re.findall(r"url\(([^)]*)\)", value):
                    assert ref.startswith("#"), value
                assert "javascript:" not in value.lower(), value


# ----------------------------------------------------------------------------- Markdown
_MD = MarkdownIt("commonmark").enable("table")
OWN_HTML = {"<details><summary>Answer</summary>", "<details><summary>Model answer</summary>", "</details>"}


def _check_markdown(name: str, text: str) -> str:
    """No raw HTML but ArcXiv's own <details>, no link and no image: checked on the raw text (an
    unescaped "<tag" or "[") and on what a CommonMark parser makes of it. Returns the rendered text."""
    for m in re.finditer(r"<(?=[A-Za-z/!?])", text):
        if not _escaped_at(text, m.start()):
            line = text[text.rfind("\n", 0, m.start()) + 1:text.find("\n", m.start())]
            assert line.strip() in OWN_HTML, (name, line)
    for m in re.finditer(r"\[", text):  # a link, an image or a reference needs an unescaped "["
        if not _escaped_at(text, m.start()):
            after = text[m.start():m.start() + 200]
            assert re.match(r"\[s\d+(, s\d+)*(, (?:cut|restated))?\]|\[\[[^\]\[]*\]\]", after) or (
                text[m.start() - 1:m.start()] == "["), (name, text[max(0, m.start() - 40):m.start() + 40])
    tokens = _MD.parse(text)
    stack = list(tokens)
    while stack:
        t = stack.pop()
        stack.extend(t.children or [])
        assert t.type not in ("link_open", "image", "autolink_open"), (name, t)
        if t.type in ("html_block", "html_inline"):
            assert t.content.strip() in OWN_HTML, (name, t.content)
    rendered = lxml.html.fragment_fromstring(_MD.render(text), create_parent="div")
    for el in rendered.iter():
        assert _local(el.tag) not in {"script", "img", "iframe", "svg", "style", "a", "object", "embed", "b"}, name
        assert not any(_local(a).startswith("on") for a in el.attrib), name
    return rendered.text_content()


def test_curriculum_md_shows_the_payloads_as_text(cur, files, variant):
    shown = _check_markdown("curriculum.md", files["curriculum.md"])
    for p in ("<script>alert(1)</script>", "&lt;script&gt;", "[click](javascript:alert(1))",
              "![x](http://evil.example/x.png)", '<a href="http://evil.example">', "<!-- comment -->",
              "$\\text{<script>alert(5)</script>}$", "{{7*7}}", "{% raw %}"):
        assert p in shown or (variant == "markdown" and p in DROPPED_BY_MARKDOWN), p


def test_vault_notes_are_inert(exports):
    vault = exports["markdown"]
    shown = ""
    for path, data in vault.items():
        text = data.decode("utf-8")
        assert "![[" not in text, path  # an Obsidian embed
        shown += _check_markdown(path, text)
    assert "<script>alert(1)</script>" in shown and "[click](javascript:alert(1))" in shown


# ----------------------------------------------------------------------------- Anki
try:
    from anki.collection import Collection
    from anki.import_export_pb2 import ImportAnkiPackageOptions, ImportAnkiPackageRequest
except ImportError:  # pragma: no cover
    Collection = None


@pytest.mark.skipif(Collection is None, reason="Anki's Python library is not installed")
def test_anki_fields_are_escaped_text_without_anki_markup(cur, exports, tmp_path):
    (name, data), = exports["anki"].items()
    path = tmp_path / name
    path.write_bytes(data)
    col = Collection(str(tmp_path / "collection.anki2"))
    try:
        req = ImportAnkiPackageRequest(package_path=str(path),
                                       options=ImportAnkiPackageOptions(merge_notetypes=True, with_scheduling=False))
        col.import_anki_package(req)
        nids = col.find_notes("")
        assert len(nids) == len(cur.flashcards)
        shown = []
        for nid in nids:
            note = col.get_note(nid)
            for field, value in note.items():
                # plain escaped text: no element, and none of Anki's [sound:], [latex], [$] or cloze markup
                assert not re.search(r"<[A-Za-z/!?]", value), (field, value)
                assert len(lxml.html.fragment_fromstring(value or "x", create_parent="div")) == 0, value
                assert "[" not in value, (field, value)
                assert not col._backend.extract_latex(text=value, svg=False, expand_clozes=True).latex, value
                plain = html.unescape(value)
                assert "\\(" not in plain and "\\[" not in plain, value  # MathJax's delimiters
                if field == "Text":
                    assert value.count("{{") == value.count("}}") == 1 and "{{c1::" in value, value
                else:
                    assert "{" not in value and "}" not in value, value
                shown.append(plain.replace("\u2060", ""))
            cards = note.cards()
            assert len(cards) == 1  # "{{c2::…}}" from the paper made no second card
            for side in (cards[0].question(), cards[0].answer()):
                doc = lxml.html.fragment_fromstring(side, create_parent="div")
                for el in doc.iter():
                    tag = _local(el.tag) if isinstance(el.tag, str) else "#comment"
                    assert tag in {"div", "style", "hr", "span"}, (tag, side)
                    assert not any(_local(a).startswith("on") for a in el.attrib), side
                    if tag == "style":
                        assert "url(" not in el.text and "@import" not in el.text
            assert cards[0].question_av_tags() == [] and cards[0].answer_av_tags() == []  # no [sound:]
        shown_text = "\n".join(shown)
        for p in ("<svg onload=alert(1)>", "[latex]\\input{/etc/passwd}[/latex]", "{{c2::cloze}}",
                  "\\(\\href{javascript:alert(1)}", "[sound:http://evil.example/x.mp3]", "&lt;script&gt;"):
            assert p in shown_text, p
    finally:
        col.close()


# ----------------------------------------------------------------------------- GIFT
def test_gift_says_the_intended_text_and_holds_no_markup(cur, exports):
    text = exports["gift"]["quiz.gift"].decode("utf-8")
    questions, comments = GiftParser.parse_file(text)
    by_name = {q["name"]: q for q in questions}
    assert len(by_name) == len(questions) >= len(cur.quiz) - 2
    u = html.unescape
    for q in cur.quiz:
        if q.id not in by_name:  # only what GIFT cannot say is left out, and said so
            assert any(c.startswith(f"// {q.id}:") for c in comments)
            continue
        p = by_name.pop(q.id)
        assert (p["format"], p["tail"]) == (None, "")
        html_parts = [p["stem"], p["feedback"] or ""]
        assert u(p["stem"]) == one_line(q.prompt.text) and u(p["feedback"]) == one_line(q.explanation.text)
        if q.kind == "mcq":
            assert [(a["marker"], u(a["text"])) for a in p["answers"]] == [
                ("=" if i == q.answer else "~", one_line(c)) for i, c in enumerate(q.choices)]
            html_parts += [a["text"] for a in p["answers"]]
        elif q.kind == "true_false":
            assert p["tf"] == (q.answer == "true")
        elif q.kind == "fill_blank":  # Moodle compares short answers as plain text: not HTML-escaped
            assert [a["text"] for a in p["answers"]] == [one_line(str(q.answer)).replace("*", "\\*")]
        else:
            pairs = (list(zip(q.left, q.answer)) if q.kind == "matching"
                     else [(str(n), i) for n, i in enumerate(q.answer, 1)])
            assert [(u(a["left"]), u(a["right"])) for a in p["answers"]] == [
                (one_line(l), one_line(q.choices[i])) for l, i in pairs]
            html_parts += [a["left"] for a in p["answers"]] + [a["right"] for a in p["answers"]]
        for part in html_parts:  # Moodle shows these as HTML: every "<" is an entity
            assert "<" not in part, part
            assert not part.startswith("["), part  # "[html]" would switch Moodle's text format
    assert not by_name
    assert "\\~ \\= \\# \\{ \\}" in text and "&lt;svg onload\\=alert(1)>" in text and "&amp;lt;script&amp;gt;" in text
    assert html_text("[html] x") == "&\\#91;html] x"  # Moodle reads "&#91;html] x": no format marker


# ----------------------------------------------------------------------------- QTI 2.1
def test_qti_items_validate_and_hold_no_markup(cur, exports, variant):
    out = exports["qti"]
    assert len(out) == len(cur.quiz) + 1
    schema = None
    if QTI_XSD.exists():
        schema = etree.XMLSchema(etree.parse(str(QTI_XSD), etree.XMLParser(no_network=True)))
    parser = etree.XMLParser(resolve_entities=False, no_network=True)
    shown = ""
    for path, data in out.items():
        doc = etree.fromstring(data, parser)
        if path != "qti/imsmanifest.xml":
            if schema is not None:
                schema.assertValid(doc)
            shown += "".join(doc.itertext())
        for el in doc.iter():
            assert isinstance(el.tag, str), (path, etree.tostring(el))  # no comment or PI from the paper
            assert _local(el.tag) not in {"script", "iframe", "object", "embed", "img", "a", "style", "math"}, path
            for attr, value in el.attrib.items():
                a = _local(attr)
                assert not a.startswith("on"), (path, attr, value)
                if a == "href":
                    assert value.startswith("items/") and not _external(value), value
    for p in ("<svg onload=alert(1)>", "]]>", "<!-- comment -->",
              "&lt;script&gt;", "$\\text{<script>alert(5)</script>}$"):
        assert p in shown or (variant == "markdown" and p in DROPPED_BY_MARKDOWN), p


# ----------------------------------------------------------------------------- TSV / CSV
def _no_formula_cells(name: str, rows: list[list[str]]) -> None:
    for row in rows:
        for cell in row:
            assert not cell.startswith(FORMULA), (name, cell)


def _check_tables(cur: Curriculum, out: dict[str, bytes]) -> None:
    cards = out["cards.tsv"].decode("utf-8").split("\n")
    assert cards[-1] == ""
    rows = [l for l in cards[:-1] if not l.startswith("#")]
    assert len(rows) == len(cur.flashcards)  # nothing broke a row
    parsed = list(csv.reader(io.StringIO("\n".join(rows)), delimiter="\t"))
    assert len(parsed) == len(cur.flashcards) and all(len(r) == 5 for r in parsed)
    # the GUID column is the .apkg's GUID as is (base91: it may start with "=", but holds no paper text)
    assert [r[0] for r in parsed] == [genanki.guid_for(c.id) for c in cur.flashcards]
    _no_formula_cells("cards.tsv", [r[1:] for r in parsed])
    quizlet = out["quizlet.tsv"].decode("utf-8").split("\n")
    assert quizlet[-1] == "" and len(quizlet) - 1 == len(cur.flashcards)
    cells = [l.split("\t") for l in quizlet[:-1]]
    assert all(len(r) == 2 for r in cells)
    _no_formula_cells("quizlet.tsv", cells)
    quiz = list(csv.reader(io.StringIO(out["quiz.csv"].decode("utf-8"), newline="")))
    assert len(quiz) == len(cur.quiz) + 1 and all(len(r) == 7 for r in quiz)
    _no_formula_cells("quiz.csv", quiz)


def test_tables_hold_no_formula_and_no_broken_row(cur, exports):
    out = exports["csv"]
    _check_tables(cur, out)
    # a cell that would have been a formula is kept, after a quote
    backs = [one_line(c.back.text) for c in cur.flashcards if one_line(c.back.text).startswith(FORMULA)]
    assert backs
    quizlet = out["quizlet.tsv"].decode("utf-8")
    assert all(f"\t'{b}\n" in quizlet for b in backs)
    # text with tabs, newlines and carriage returns (which ingest never lets through) cannot break a row
    mangled = cur.model_copy(deep=True)
    for c, first in zip(mangled.flashcards, "=#"):  # GUIDs that start like a formula or a comment line
        c.id = next(f"card-{n}" for n in range(10_000) if genanki.guid_for(f"card-{n}").startswith(first))
    for i, c in enumerate(mangled.flashcards):
        c.front.text = f"=1+1\tcol\nrow\r{i}"
        c.back.text = f'@x\r\n"quoted"\ttab {i}'
    for q in mangled.quiz:
        q.prompt.text = "+cmd|' /C calc'!A0\nnext\tline"
        q.explanation.text = "-2\r\n=3"
    _check_tables(mangled, EXPORTERS["csv"](mangled))
