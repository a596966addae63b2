"""JATS/NLM XML whole papers (PubMed Central, eLife, PLOS) -> Paper.

    looks_like(text) -> bool
    parse(text, paper_id=None, name="input") -> Paper
    read(text, name="input") -> Document     (what parse lays out)

The XML is read with lxml and nothing else is ever loaded: no DTD (the DOCTYPEs
name external ones), no network, no entity expanded (a SYSTEM entity or a small
entity tree stays one inert node; libxml2 refuses a real entity bomb outright).
HTML character entities such as &nbsp; mean nothing without the DTD, so they are
written as character references first.

Front matter gives the title, authors and the main abstract (not a teaser or an
eLife digest); <body> gives the section tree, with figure and table captions
where the figures stand; <back> gives acknowledgements and appendices as
sections and the reference list as Paper.references, never as text. Math is kept
as TeX between dollar signs: <tex-math> as written, MathML turned into TeX when
it is simple, and otherwise left out with one note saying how many were.
"""
from __future__ import annotations

import re
from html.entities import html5

from lxml import etree

from ..errors import InputError
from ..models import Paper
from .document import Document, DocSection, to_paper

FORMAT = "jats"

_HEAD = 4096
_COMMENT = re.compile(r"<!--.*?(?:-->|$)", re.S)
_JATS_DOCTYPE = re.compile(r"<!DOCTYPE\s+article\b[^>\[]*(?:JATS|NLM|archivearticle|journalpublishing)", re.I)
_FIRST_TAG = re.compile(r"<([A-Za-z_][\w.:-]*)")
_ENTITY = re.compile(r"&([A-Za-z][A-Za-z0-9]{1,31});")
_XML_ENTITIES = frozenset({"amp", "lt", "gt", "quot", "apos"})
_DOI_PARA = re.compile(r"(?i)DOI:\s*\S+")  # eLife ends abstracts, sections and captions with one
_SPACE = re.compile(r"\s+")

# Main abstract: the one without abstract-type; these types are summaries written for other readers.
_SIDE_ABSTRACTS = frozenset({"graphical", "teaser", "summary", "executive-summary", "web-summary", "precis",
                             "toc", "editor", "short", "lay", "plain-language-summary", "author-highlights",
                             "key-points", "highlights"})
_FLOATS = frozenset({"fig", "fig-group", "table-wrap", "table-wrap-group", "boxed-text", "chem-struct-wrap"})
# Blocks that break a paragraph where they stand (the text around them is read in order).
_SPLITS = frozenset({"p", "list", "def-list", "disp-quote", "statement", "verse-group", "speech", "preformat",
                     "code", "sec"})
# Not the paper's running text: notes, files, table bodies, identifiers, pictures.
_SKIP = frozenset({"fn", "fn-group", "supplementary-material", "table", "table-wrap-foot", "graphic",
                   "inline-graphic", "media", "object-id", "ref-list", "sec-meta", "permissions", "kwd-group",
                   "funding-group", "award-group", "target", "private-char", "glyph-data", "glyph-ref",
                   "alt-text", "long-desc", "attrib", "processing-meta"})
# Inline markup that may sit inside a word ("T<sub>4</sub>", "<italic>p</italic>-value").
_TYPOGRAPHY = frozenset({"italic", "bold", "sub", "sup", "sc", "underline", "overline", "monospace", "roman",
                         "sans-serif", "strike", "named-content", "styled-content", "xref", "ext-link", "uri",
                         "email", "abbrev", "x", "inline-formula", "ruby", "hi", "span"})
# Blocks with a label or title of their own, which leads their first paragraph.
_CONTAINERS = frozenset({"disp-quote", "boxed-text", "statement", "sec", "caption", "glossary", "notes",
                         "verse-group", "speech", "answer", "question", "explanation", "app", "list-item"})
_CITATIONS = ("element-citation", "mixed-citation", "citation", "nlm-citation")
_TITLES = ("article-title", "chapter-title", "data-title", "part-title", "trans-title")


def _name(el) -> str:
    return el.tag.rpartition("}")[2] if isinstance(el.tag, str) else ""


def _squash(text: str) -> str:
    return _SPACE.sub(" ", text).strip()


def _end(text: str) -> str:
    """A caption's label or title reads as a sentence of its own: "Figure 2." """
    return text if not text or text[-1] in ".!?:;" else text + "."


def _last(buf: list[str]) -> str:
    return next((s[-1] for s in reversed(buf) if s), " ")


def _first(el) -> str:
    return next((t[0] for t in el.itertext() if t), " ")


def looks_like(text: str) -> bool:
    """A JATS/NLM article: its DOCTYPE says so, or its root is <article> with <front>/<article-meta>."""
    head = _COMMENT.sub("", text[:_HEAD])
    if _JATS_DOCTYPE.search(head):
        return True
    first = _FIRST_TAG.search(head)
    return (first is not None and first.group(1).rpartition(":")[2] == "article"
            and ("<front" in head or "<article-meta" in head))


def parse(text: str, paper_id: str | None = None, name: str = "input") -> Paper:
    return to_paper(read(text, name), FORMAT, name, paper_id)


def read(text: str, name: str = "input") -> Document:
    """The Document before layout: every section, those with only subsections included."""
    root = _read_xml(text, name)
    try:
        return _Reader(root).document()
    except RecursionError:
        raise InputError(f"{name} is nested too deeply to be a paper; simplify it.") from None


def _html_entity(m: re.Match) -> str:
    word = m.group(1)
    chars = None if word in _XML_ENTITIES else html5.get(word + ";")
    # A character reference is safe anywhere, "<" and "&" included; other names stay for the parser.
    return "".join(f"&#x{ord(c):x};" for c in chars) if chars else m.group(0)


def _read_xml(text: str, name: str):
    data = _ENTITY.sub(_html_entity, text).encode("utf-8")
    # The text is already decoded: encoding="utf-8" overrides whatever the XML declaration says.
    parser = etree.XMLParser(resolve_entities=False, no_network=True, load_dtd=False, dtd_validation=False,
                             huge_tree=False, encoding="utf-8", remove_pis=True, remove_comments=True)
    try:
        root = etree.fromstring(data, parser)
    except etree.XMLSyntaxError as err:
        msg = _squash(re.sub(r",? line \d+, column \d+", "", err.msg or str(err))).rstrip(".")
        msg = msg.replace("xmlParseEntityRef: no name", "a bare & that starts no entity (write it as &amp;)")
        undefined = re.match(r"Entity '([^']+)' not defined", msg)
        if undefined:
            raise InputError(f"{name} uses the entity &{undefined.group(1)}; (line {err.lineno}), which only "
                             "its DTD defines and ArcXiv never loads a DTD; replace it with the character it "
                             "stands for.") from None
        if re.search(r"amplification|entity reference loop|entities? .*(?:loop|too many)", msg, re.I):
            raise InputError(f"{name} declares entities that expand out of all proportion (an entity bomb), "
                             "which ArcXiv never expands; remove the entity declarations from its DOCTYPE.") from None
        raise InputError(f"{name} is not well-formed XML (line {err.lineno}: {msg}); fix the file or export "
                         "the paper's XML again.") from None
    if root is None or _name(root) != "article":
        raise InputError(f"{name} is XML but not a JATS/NLM article (its root element is "
                         f"<{_name(root) if root is not None else '?'}>, not <article>); give the paper's JATS "
                         "XML as PubMed Central, eLife or PLOS publish it.")
    return root


def _child(el, *names):
    for c in el:
        if _name(c) in names:
            return c
    return None


def _children(el, *names):
    return [c for c in el if _name(c) in names]


class _Reader:
    def __init__(self, root):
        self.root = root
        self.doc = Document()
        self.unread_math = 0
        self.entities = 0
        self.pending: list = []  # floats met inside a paragraph, placed after it
        # EHP and others keep figures in <floats-group>: each goes after the paragraph that first cites it.
        floats = _child(root, "floats-group")
        self.floats = {f.get("id"): f for f in (floats if floats is not None else ()) if _name(f) in _FLOATS}
        self.placed: set = set()
        self.in_body = False  # floats are placed only from the body's own citations

    # ------------------------------------------------------------------ the whole
    def document(self) -> Document:
        root, doc = self.root, self.doc
        meta = root.find("front/article-meta")
        if meta is not None:
            self._front(meta)
        body = _child(root, "body")  # a sub-article (eLife's decision letter) has its own body: not read
        if body is not None:
            self.in_body = True
            self._body(body)
            self.in_body = False
        leftover = [f for i, f in self.floats.items() if i not in self.placed]
        if leftover:
            self._current().paragraphs.extend(p for f in leftover for p in self._float(f))
        back = _child(root, "back")
        if back is not None:
            self._back(back)
        doc.references = [r for r in (self._reference(ref) for ref in root.xpath("./back//ref | ./body//ref")) if r]
        if self.unread_math:
            doc.notes.append(f"{self.unread_math} formula{'s' if self.unread_math > 1 else ''} held only as MathML "
                             "or as a picture could not be read as text and "
                             f"{'are' if self.unread_math > 1 else 'is'} left out of the text.")
        if self.entities:
            doc.notes.append(f"{self.entities} entity reference{'s' if self.entities > 1 else ''}, which ArcXiv "
                             f"never expands, {'are' if self.entities > 1 else 'is'} left out of the text.")
        return doc

    def _front(self, meta) -> None:
        group = meta.find("title-group")
        if group is not None:
            title = self._text(_child(group, "article-title"), title=True)
            subtitle = self._text(_child(group, "subtitle"), title=True)
            self.doc.title = f"{title}: {subtitle}" if title and subtitle else title or None
        contribs = [c for g in _children(meta, "contrib-group") for c in _children(g, "contrib")]
        authors = [c for c in contribs if c.get("contrib-type") == "author"]
        if not authors:  # some publishers leave contrib-type out
            authors = [c for c in contribs if c.get("contrib-type") is None]
        self.doc.authors = [a for a in (self._person(c) for c in authors) if a]
        abstracts = _children(meta, "abstract")
        main = ([a for a in abstracts if not a.get("abstract-type")]
                or [a for a in abstracts if a.get("abstract-type", "").lower() not in _SIDE_ABSTRACTS])
        if main:
            self.doc.abstract = self._abstract(main[0])

    def _person(self, contrib) -> str:
        name = _child(contrib, "name", "string-name")
        if name is None:
            alt = _child(contrib, "name-alternatives")
            name = _child(alt, "name", "string-name") if alt is not None else None
        if name is not None and _name(name) == "name":
            given = self._text(_child(name, "given-names"))
            surname = self._text(_child(name, "surname"))
            suffix = self._text(_child(name, "suffix"))
            parts = [surname, given] if name.get("name-style") == "eastern" else [given, surname]
            return " ".join(p for p in parts + [suffix] if p)
        if name is not None:
            return self._text(name)
        collab = _child(contrib, "collab")
        return self._text(collab, title=True) if collab is not None else ""

    def _abstract(self, abstract) -> list[str]:
        out: list[str] = []
        for child in abstract:
            n = _name(child)
            if n in ("title", "label", "object-id"):
                continue
            if n == "sec":  # a structured abstract: "Background: ..."
                out.extend(self._lead(self._heading(child), self._para(child, heads=False)))
            else:
                out.extend(self._block(child))
        self.pending.clear()
        return out

    @staticmethod
    def _lead(lead: str, paras: list[str]) -> list[str]:
        if lead and paras:
            lead = lead if lead[-1] in ".:?!" else lead + ":"
            paras = [f"{lead} {paras[0]}"] + paras[1:]
        return paras

    # ------------------------------------------------------------------ sections
    def _current(self) -> DocSection:
        if not self.doc.sections:
            # Text before the first heading (EHP prints its introduction untitled).
            has_sec = self.root.find("body/sec") is not None
            self.doc.sections.append(DocSection("Introduction" if has_sec else "Main text", 1))
        return self.doc.sections[-1]

    def _heading(self, sec) -> str:
        label = self._text(_child(sec, "label"), title=True)
        title = _child(sec, "title")
        caption = _child(sec, "caption")  # a box keeps its title in its caption
        if title is None and caption is not None:
            title = _child(caption, "title")
        title = self._text(title, title=True)
        return f"{label} {title}" if label and title and not title.startswith(label) else title or label

    def _body(self, body) -> None:
        for child in body:
            if _name(child) == "sec":
                self._section(child, 1)
            elif isinstance(child.tag, str):
                paras = self._block(child)
                if paras:
                    self._current().paragraphs.extend(paras)

    def _section(self, sec, level: int, title: str | None = None) -> None:
        heading = title or self._heading(sec)
        if heading:
            self.doc.sections.append(DocSection(heading, level))
        # An untitled <sec> carries on the section it follows, so none of its words are lost.
        deeper = level + 1 if heading else level
        for child in sec:
            n = _name(child)
            if n == "sec":
                self._section(child, deeper)
            elif n and n not in ("title", "label"):
                paras = self._block(child)
                if paras:
                    self._current().paragraphs.extend(paras)

    def _back(self, back) -> None:
        for child in back:
            n = _name(child)
            if n == "ack":
                self._section(child, 1, None if self._heading(child) else "Acknowledgements")
            elif n in ("sec", "app", "glossary", "notes", "bio"):
                self._section(child, 1)
            elif n == "app-group":
                heading = self._heading(child)
                if heading:
                    self.doc.sections.append(DocSection(heading, 1))
                for app in child:
                    if _name(app) in ("app", "sec"):
                        self._section(app, 2 if heading else 1)
                    elif _name(app) == "p":
                        self._current().paragraphs.extend(self._block(app))

    # ------------------------------------------------------------------ blocks
    def _block(self, el) -> list[str]:
        """The paragraphs one block element reads as."""
        n = _name(el)
        if not n or n in _SKIP or n in ("title", "label"):
            return []
        if n == "p":
            return self._para(el)
        if n == "list":
            return self._list(el)
        if n in _FLOATS and n != "boxed-text":
            return self._float(el)
        if n == "disp-formula":
            math = self._formula(el, display=True)
            return [math] if math else []
        if n == "def-list":
            return self._def_list(el)
        if n in _CONTAINERS:  # its label and title lead its first paragraph: "Theorem 1. ..."
            return self._lead(self._heading(el), self._para(el, heads=False))
        return self._para(el)  # anything else: its text, read as paragraphs

    def _para(self, p, heads: bool = True) -> list[str]:
        """p's text as paragraphs: broken where a list or quote stands, its floats after it."""
        paras: list[str] = []
        buf: list[str] = []
        self._flow(p, buf, paras, skip=() if heads else ("title", "label"))
        self._flush(buf, paras)
        floats, self.pending = self.pending, []
        for f in floats:
            paras.extend(self._float(f))
        return paras

    @staticmethod
    def _flush(buf: list[str], paras: list[str]) -> None:
        text = _squash("".join(buf))
        buf.clear()
        if text and not _DOI_PARA.fullmatch(text):
            paras.append(text)

    def _list(self, lst) -> list[str]:
        out: list[str] = []
        ordered = lst.get("list-type") == "order"
        items = _children(lst, "list-item")
        title = self._text(_child(lst, "title"), title=True)
        if title:
            out.append(title)
        for i, item in enumerate(items, 1):
            label = self._text(_child(item, "label")) or (f"{i}." if ordered else "")
            paras = self._para(item, heads=False)
            if label and paras:
                paras[0] = f"{label} {paras[0]}"
            out.extend(paras)
        return out

    def _def_list(self, dl) -> list[str]:
        out: list[str] = []
        for item in _children(dl, "def-item"):
            term = self._text(_child(item, "term"))
            defs = [p for d in _children(item, "def") for p in self._para(d)]
            if term and defs:
                defs[0] = f"{term}: {defs[0]}"
            out.extend(defs or ([term] if term else []))
        return out

    def _float(self, f) -> list[str]:
        """A figure or table as its label and caption: "Figure 2. Title. Text." (the table body is no text)."""
        if f.get("id"):
            self.placed.add(f.get("id"))
        if _name(f) in ("fig-group", "table-wrap-group"):
            group = self._caption(f)
            return ([group] if group else []) + [p for c in f if _name(c) in _FLOATS for p in self._float(c)]
        if _name(f) == "boxed-text":
            return self._lead(self._heading(f), self._para(f, heads=False))
        caption = self._caption(f)
        return [caption] if caption else []

    def _caption(self, f) -> str:
        caption = _child(f, "caption")
        if caption is None:
            return ""
        parts = [_end(self._text(_child(f, "label"), title=True)), _end(self._text(_child(caption, "title")))]
        for p in _children(caption, "p"):
            text = self._text(p)
            if text and not _DOI_PARA.fullmatch(text):
                parts.append(text)
        if not any(parts[1:]):
            return ""  # a label alone ("Figure 3.") says nothing to learn
        return " ".join(p for p in parts if p)

    # ------------------------------------------------------------------ inline text
    def _text(self, el, title: bool = False) -> str:
        """An element's text on one line, inline markup flattened."""
        if el is None:
            return ""
        buf: list[str] = []
        self._flow(el, buf, None, title)
        return _squash("".join(buf))

    def _flow(self, el, buf: list[str], paras: list[str] | None, title: bool = False, skip=()) -> None:
        """Append el's text to buf; blocks inside a paragraph (a list) end it and add their own paragraphs.
        ``paras`` None: one line of text (a title, a caption), blocks read inline."""
        if el.text:
            buf.append(el.text)
        for child in el:
            n = _name(child)
            if not n:
                if isinstance(child, etree._Entity):
                    self.entities += 1  # never expanded: an inert node
            elif n in _SKIP or n in skip or (title and n == "xref"):
                pass
            elif n in _FLOATS:
                if paras is None:
                    buf.append(" ")
                else:
                    self.pending.append(child)
            elif n in _SPLITS:
                if paras is None:
                    buf.append(" ")
                    self._flow(child, buf, None, title)
                    buf.append(" ")
                else:
                    self._flush(buf, paras)
                    paras.extend(self._block(child))
            elif n in ("inline-formula", "disp-formula"):
                math = self._formula(child, display=n == "disp-formula")
                buf.append(f" {math} " if n == "disp-formula" else math)
            elif n == "sup":
                buf.append(self._sup(child, buf))
            elif n == "break":
                buf.append(" ")
            else:
                if n == "xref" and self.floats:
                    for rid in (child.get("rid") or "").split():
                        f = self.floats.get(rid)
                        if f is not None and rid not in self.placed and paras is not None and self.in_body:
                            self.placed.add(rid)
                            self.pending.append(f)
                apart = n not in _TYPOGRAPHY  # a part (a name, a source) never runs into the word beside it
                if apart and _last(buf).isalnum() and _first(child).isalnum():
                    buf.append(" ")
                self._flow(child, buf, paras if n not in ("label", "title") else None, title)
                if apart and child.tail and child.tail[0].isalnum() and _last(buf).isalnum():
                    buf.append(" ")
            if child.tail:
                buf.append(child.tail)

    def _sup(self, sup, buf: list[str]) -> str:
        """Superscripts as printed, except where plain concatenation would change the reading:
        an exponent (10^5, mM^−1) and a superscript citation (disease [12,13])."""
        text = self._text(sup)
        if not text:
            return ""
        prev = _last(buf)
        if any(x.get("ref-type") == "bibr" for x in sup.iter("xref")):
            cite = text if text[0] in "[(" else f"[{text}]"
            return (" " if prev.isalnum() else "") + cite
        after = (sup.tail or " ")[0]
        if prev.isspace() or after.isalnum() or re.fullmatch(r"[*†‡§¶#′″‴+]+|\d*[+−-]", text):
            return text  # a footnote mark, a prime, a charge (Ca2+), a strain name (mc2155)
        if prev.isdigit() and re.fullmatch(r"st|nd|rd|th|e|er|ème|d", text):
            return text  # 21st
        if re.fullmatch(r"[a-f]", text) and not (prev.isdigit() or prev == ")"):
            return text  # a table footnote letter
        if re.fullmatch(r"[−\-+]?[\w.,/()−\-+]{1,12}", text):
            plain = re.fullmatch(r"[−\-+]?\d+|\w|\(\w+\)", text)
            return "^" + text if plain else "^(" + text + ")"
        return text

    # ------------------------------------------------------------------ references
    def _reference(self, ref) -> str:
        """One reference as "[label] authors (year). title. source." (its whole text when it has no parts)."""
        label = self._text(_child(ref, "label")).strip("[]().: ")
        lead = f"[{label}] " if label else ""
        alternatives = _child(ref, "citation-alternatives")  # the same reference twice: read one
        cit = next((c for c in (alternatives if alternatives is not None else ref) if _name(c) in _CITATIONS), None)
        if cit is None:
            whole = _squash(" ".join(self._text(c) for c in ref if _name(c) != "label"))
            return lead + whole if whole else ""
        groups = [g for g in cit.iter("person-group") if g.get("person-group-type", "author") == "author"]
        holders = groups or [cit]
        names = [self._ref_name(n) for g in holders for n in g if _name(n) in ("name", "string-name", "collab")]
        names = [n for n in names if n]
        etal = any(_name(e) == "etal" for g in holders for e in g) or len(names) > 10
        authors = ", ".join(names[:10]) + (" et al." if etal else "")
        year = self._text(next(cit.iter("year"), None))
        title = next((self._text(t) for t in cit.iter(*_TITLES) if _name(t.getparent()) != "trans-title-group"), "")
        source = self._text(next(cit.iter("source"), None))
        if not (title or source):
            return lead + self._text(cit)  # a reference written as plain text
        head = " ".join(p for p in (authors, f"({year})" if year else "") if p)
        return lead + " ".join(_end(p) for p in (head, title, source) if p)

    def _ref_name(self, name) -> str:
        if _name(name) == "name":
            return " ".join(p for p in (self._text(_child(name, "surname")), self._text(_child(name, "given-names")),
                                        self._text(_child(name, "suffix"))) if p)
        return self._text(name)

    # ------------------------------------------------------------------ math
    def _formula(self, el, display: bool) -> str:
        """TeX kept as TeX; simple MathML written as TeX; anything else is counted for the note."""
        label = self._text(_child(el, "label")) if display else ""
        holders = [el] + _children(el, "alternatives")
        tex = next((c for h in holders for c in h if _name(c) == "tex-math"), None)
        math = next((c for h in holders for c in h if _name(c) == "math"), None)
        body = ""
        if tex is not None:
            body = _clean_tex("".join(tex.itertext()))
        elif math is not None:
            try:
                body = _squash(_mathml(math))
            except _Unreadable:
                body = ""
            if len(body) > 200:
                body = ""  # a long linear formula reads worse than none
        if not body:
            # A formula we cannot write is left out, never replaced by a placeholder word.
            if any(isinstance(c.tag, str) for h in holders for c in h):
                self.unread_math += 1
            return ""
        out = f"$${body}$$" if display else f"${body}$"
        return f"{out} {label}" if label else out


_TEX_WRAPPERS = (("$$", "$$"), ("\\[", "\\]"), ("\\(", "\\)"), ("$", "$"))
_TEX_PREAMBLE = re.compile(r"\\(?:documentclass|usepackage|setlength|pagestyle)(?:\[[^\]]*\])?(?:\{[^}]*\})*")


def _clean_tex(tex: str) -> str:
    """PMC wraps tex-math in a whole LaTeX document: keep the math between \\begin{document} and \\end{document}."""
    m = re.search(r"\\begin\{document\}(.*?)\\end\{document\}", tex, re.S)
    tex = m.group(1) if m else _TEX_PREAMBLE.sub("", tex)
    tex = tex.strip()
    for a, b in _TEX_WRAPPERS:
        if tex.startswith(a) and tex.endswith(b) and len(tex) > len(a) + len(b):
            tex = tex[len(a):-len(b)].strip()
            break
    return _squash(tex)


class _Unreadable(Exception):
    pass


# "$" inside math would end it for every later reader of "$...$": the fullwidth sign stands in.
_TEX_ESCAPES = {"\\": r"\backslash ", "{": r"\{", "}": r"\}", "$": "\uff04", "%": r"\%", "#": r"\#", "&": r"\&",
                "_": r"\_", "^": r"\^{}", "~": r"\sim "}
_TEX_ESCAPE_RE = re.compile(r"[\\{}$%#&_^~]")
_SPACED_OPS = frozenset("=+−-×·<>≤≥≈≠±∓→←⇒⇔≡∼∝∈∉⊂⊆∪∩|:") | {"<-", "->", ":="}
_BIG_OPS = frozenset("∑∫∏⋃⋂∮∬∭") | {"lim", "max", "min", "sup", "inf", "argmax", "argmin"}
_ACCENTS = {"¯": r"\bar", "‾": r"\overline", "^": r"\hat", "ˆ": r"\hat", "~": r"\tilde", "˜": r"\tilde",
            "→": r"\vec", "⃗": r"\vec", "˙": r"\dot", "¨": r"\ddot", "̂": r"\hat", "̃": r"\tilde",
            "̄": r"\bar", r"\^{}": r"\hat", r"\sim": r"\tilde"}  # the last two: "^", "~" as _tex_escape writes them
_PASS = frozenset({"math", "mrow", "mstyle", "mpadded", "merror"})


def _tex_escape(text: str) -> str:
    return _TEX_ESCAPE_RE.sub(lambda m: _TEX_ESCAPES[m.group()], text)


def _group(tex: str) -> str:
    return tex if len(tex) == 1 else "{" + tex + "}"


def _mathml(el) -> str:
    """Presentation MathML -> TeX; _Unreadable for layouts with no one-line TeX (tables, multiscripts)."""
    n = _name(el)
    kids = [c for c in el if isinstance(c.tag, str) and _name(c) not in ("annotation", "annotation-xml")]
    if n in ("mi", "mn", "mo", "mtext", "ms"):
        text = _squash("".join(el.itertext()))
        if n == "mtext" and " " in text:
            return r"\text{" + _tex_escape(text) + "}"
        text = _tex_escape(text)
        if n == "mo" and text in _SPACED_OPS:
            return f" {text} "
        return text + " " if n == "mo" and text == "," else text
    if n == "mphantom" or n == "mspace":
        return " "
    if n in _PASS or n == "semantics":
        return _join([_mathml(c) for c in (kids[:1] if n == "semantics" else kids)])
    if n in ("msub", "msup", "mfrac", "mroot", "munder", "mover") and len(kids) != 2:
        raise _Unreadable(n)
    if n in ("msubsup", "munderover") and len(kids) != 3:
        raise _Unreadable(n)
    if n == "msub":
        return f"{_base(kids[0])}_{_group(_mathml(kids[1]).strip())}"
    if n == "msup":
        return f"{_base(kids[0])}^{_group(_mathml(kids[1]).strip())}"
    if n == "msubsup":
        return f"{_base(kids[0])}_{_group(_mathml(kids[1]).strip())}^{_group(_mathml(kids[2]).strip())}"
    if n == "mfrac":
        return r"\frac{" + _mathml(kids[0]).strip() + "}{" + _mathml(kids[1]).strip() + "}"
    if n == "msqrt":
        return r"\sqrt{" + _join([_mathml(c) for c in kids]).strip() + "}"
    if n == "mroot":
        return r"\sqrt[" + _mathml(kids[1]).strip() + "]{" + _mathml(kids[0]).strip() + "}"
    if n == "mfenced":
        seps = (el.get("separators", ",").replace(" ", "") or ",")
        inner = "".join((seps[min(i, len(seps) - 1)] + " " if i else "") + _mathml(c).strip()
                        for i, c in enumerate(kids))
        return _tex_escape(el.get("open", "(")) + inner + _tex_escape(el.get("close", ")"))
    if n in ("munder", "mover", "munderover"):
        base, script = _mathml(kids[0]).strip(), [_mathml(c).strip() for c in kids[1:]]
        if base in _BIG_OPS:
            under = script[0] if n != "mover" else ""
            over = script[-1] if n != "munder" else ""
            return base + (f"_{_group(under)}" if under else "") + (f"^{_group(over)}" if over else "") + " "
        if n == "mover" and script[0] in _ACCENTS:
            return _ACCENTS[script[0]] + "{" + base + "}"
        if n == "mover":
            return r"\overset{" + script[0] + "}{" + base + "}"
        if n == "munder":
            return r"\underset{" + script[0] + "}{" + base + "}"
        return r"\overset{" + script[1] + r"}{\underset{" + script[0] + "}{" + base + "}}"
    if n == "mtable":  # PLOS wraps display formulas in a one-cell table
        cells = [c for c in el.iter() if _name(c) == "mtd"]
        if len(cells) == 1:
            return _join([_mathml(c) for c in cells[0] if isinstance(c.tag, str)])
    raise _Unreadable(n)


def _base(el) -> str:
    return _group(_mathml(el).strip())


def _join(pieces: list[str]) -> str:
    """Concatenate TeX pieces; a space only where two words would otherwise run together ("sin x")."""
    out: list[str] = []
    for piece in pieces:
        if out and piece and out[-1] and out[-1][-1].isalpha() and piece[0].isalpha() \
                and (len(out[-1]) > 1 or len(piece) > 1):
            out.append(" ")
        out.append(piece)
    return "".join(out)
