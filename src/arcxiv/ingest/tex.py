"""A whole LaTeX paper -> Document: title, authors, abstract, the section tree,
theorem-like environments with their numbers, equations kept as TeX, references
resolved to numbers, citations as "[n]" markers with the bibliography.

Nothing is executed: the source is parsed (pylatexenc), never run. ``\\input`` is
looked up only among the files of the archive or folder given, so "/etc/passwd",
"../x" and "\\write18" reach nothing. User macros without arguments or with plain
ones are expanded, with the expansion bounded.
"""
from __future__ import annotations

import posixpath
import re
from dataclasses import dataclass, field
from functools import lru_cache

from pylatexenc.macrospec import EnvironmentSpec, MacroSpec
from pylatexenc.latexwalker import (
    LatexCharsNode,
    LatexCommentNode,
    LatexEnvironmentNode,
    LatexGroupNode,
    LatexMacroNode,
    LatexMathNode,
    LatexSpecialsNode,
    LatexWalker,
    get_default_latex_context_db,
)

from ..errors import InputError
from ..models import Paper
from . import bibliography
from .document import Document, DocSection, to_paper
from .latex import latex_to_unicode
from .macros import expand_macros, read_macros

FORMAT = "latex"
_MAX_INPUT_DEPTH = 12
_MAX_SOURCE_CHARS = 4_000_000

_COMMENT = re.compile(r"(?<!\\)%[^\n]*")
_INPUT = re.compile(r"\\(?:input|include|subfile)\s*\{([^{}]*)\}|\\input\s+([^\s{}\\]+)")
_DOCUMENTCLASS = re.compile(r"\\document(?:class|style)\b")
_BEGIN_DOCUMENT = re.compile(r"\\begin\s*\{document\}")
_END_DOCUMENT = re.compile(r"\\end\s*\{document\}")
_NEWTHEOREM = re.compile(r"\\newtheorem\*?\s*\{(\w+)\}\s*(?:\[(\w+)\])?\s*\{([^{}]*)\}")

_SECTIONING = {"part": 0, "chapter": 0, "section": 1, "subsection": 2, "subsubsection": 3}
_THEOREM_DEFAULTS = {
    "theorem": "Theorem", "thm": "Theorem", "lemma": "Lemma", "lem": "Lemma", "proposition": "Proposition",
    "prop": "Proposition", "corollary": "Corollary", "cor": "Corollary", "definition": "Definition",
    "defn": "Definition", "defi": "Definition", "assumption": "Assumption", "remark": "Remark", "rem": "Remark",
    "example": "Example", "conjecture": "Conjecture", "claim": "Claim", "hypothesis": "Hypothesis",
    "problem": "Problem", "observation": "Observation", "fact": "Fact", "property": "Property",
}
_DISPLAY_MATH = {"equation", "equation*", "align", "align*", "gather", "gather*", "multline", "multline*",
                 "eqnarray", "eqnarray*", "displaymath", "math", "flalign", "flalign*", "alignat", "alignat*"}
_NUMBERED_MATH = {"equation", "align", "gather", "multline", "eqnarray", "flalign", "alignat"}
_SKIPPED_ENVS = {"tabular", "tabular*", "tabularx", "longtable", "tikzpicture", "picture", "verbatim", "lstlisting",
                 "minted", "comment", "thebibliography", "filecontents", "filecontents*", "titlepage", "keywords",
                 "acknowledgments", "acknowledgements"}
_FLOATS = {"figure": "Figure", "figure*": "Figure", "table": "Table", "table*": "Table", "algorithm": "Algorithm",
           "listing": "Listing", "wrapfigure": "Figure", "sidewaystable": "Table", "sidewaysfigure": "Figure"}
_LISTS = {"itemize", "enumerate", "description", "compactitem", "compactenum", "inparaenum"}
# Macros whose arguments are layout or metadata, never the paper's sentences.
_DROPPED_MACROS = {
    "label", "vspace", "hspace", "setlength", "addtolength", "setcounter", "addtocounter", "includegraphics",
    "bibliographystyle", "bibliography", "usepackage", "RequirePackage", "documentclass", "newcommand",
    "renewcommand", "providecommand", "def", "newtheorem", "DeclareMathOperator", "graphicspath", "affiliation",
    "affil", "email", "thanks", "orcid", "orcidlink", "footnote", "footnotetext", "footnotemark", "maketitle",
    "tableofcontents", "listoffigures", "listoftables", "newpage", "clearpage", "cleardoublepage", "pagebreak",
    "linebreak", "nolinebreak", "noindent", "centering", "raggedright", "raggedleft", "small", "footnotesize",
    "scriptsize", "tiny", "large", "Large", "LARGE", "huge", "Huge", "normalsize", "bigskip", "medskip",
    "smallskip", "vfill", "hfill", "par", "protect", "relax", "index", "glossary", "nocite", "pagestyle",
    "thispagestyle", "markboth", "markright", "date", "keywords", "correspondingauthor", "altaffiliation",
    "titlehead", "subjclass", "pacs", "ccsdesc", "acmConference", "acmYear", "copyrightyear", "setcopyright",
    "hypersetup", "input", "include", "write", "immediate", "openout", "openin", "read", "catcode", "special",
    "newenvironment", "renewenvironment", "newcounter", "numberwithin", "theoremstyle", "captionsetup",
    "definecolor", "color", "extrafloats", "newlength", "geometry", "addbibresource", "printbibliography",
    "vskip", "hskip", "kern", "phantom", "vphantom", "hphantom", "rule", "let", "resizebox", "scalebox",
    "variable", "subcaption", "appendixpage", "author", "title", "prefacesection", "linenumbers",
}
_TEXT_MACROS = {
    "emph", "textbf", "textit", "textsc", "textrm", "texttt", "textsf", "textup", "textsl", "textmd", "textnormal",
    "underline", "uline", "mbox", "text", "textsuperscript", "textsubscript", "hbox", "fbox", "makebox",
    "mathrm", "enquote", "foreignlanguage", "textcolor", "highlight", "hl", "sout",
}
# glossaries and acronym packages: \gls{llm} prints "LLM", \acrlong{llm} "large language model"
_ACRONYM_FORMS = {"gls": "short", "Gls": "short", "glspl": "shorts", "Glspl": "shorts", "acrshort": "short",
                  "acs": "short", "ac": "short", "Ac": "short", "acp": "shorts", "acrlong": "long", "acl": "long",
                  "acrfull": "full", "acf": "full"}
_NEWACRONYM = re.compile(r"\\(?:newacronym|acrodef|newacro)\s*(?:\[[^\]]*\])?\s*\{([^{}]*)\}\s*(?:\[([^\]]*)\]|\{([^{}]*)\})"
                         r"\s*\{((?:[^{}]|\{[^{}]*\})*)\}")
_CITE = re.compile(r"(?:no)?cite(?:p|t|alp|alt|author|year|num|yearpar|s)?\*?|parencite|textcite|autocite|citeauthor")
_REFS = {"ref", "autoref", "cref", "Cref", "vref", "nameref", "pageref", "eqref", "Autoref", "hyperref"}
_ACCENTS = set("`'^~=.\"cvuHkrdb") | {"ss", "aa", "AA", "ae", "AE", "oe", "OE", "o", "O", "l", "L", "i", "j"}
_DASHES = [("---", "—"), ("--", "–"), ("``", "“"), ("''", "”"), ("~", " ")]


def parse_files(files: dict[str, bytes], paper_id: str | None = None, name: str = "input") -> Paper:
    texts = {path: _decode(data) for path, data in files.items() if path.lower().endswith((".tex", ".ltx", ".bbl",
                                                                                          ".bib", ".txt", ""))}
    main = _main_file(texts, name)
    notes: list[str] = []
    source = _with_inputs(texts, main, notes)
    return to_paper(read_document(source, texts, notes), FORMAT, name, paper_id)


def parse(text: str, paper_id: str | None = None, name: str = "input") -> Paper:
    """One .tex file on its own: inputs it names are reported as missing."""
    return parse_files({"main.tex": text.encode("utf-8")}, paper_id=paper_id, name=name)


def _decode(data: bytes) -> str:
    try:
        return data.decode("utf-8")
    except UnicodeDecodeError:
        return data.decode("latin-1")  # older sources are Latin-1; every byte reads as some letter


def _main_file(texts: dict[str, str], name: str) -> str:
    candidates = [p for p, t in texts.items() if p.lower().endswith((".tex", ".ltx", ""))
                  and _DOCUMENTCLASS.search(_COMMENT.sub("", t)) and _BEGIN_DOCUMENT.search(t)]
    if not candidates:
        raise InputError(f"{name} has no main LaTeX file: no .tex file in it has both \\documentclass and "
                         "\\begin{document}.")
    # A supplement or a standalone figure may be a document too: the paper is the one with most text.
    preferred = [p for p in candidates if posixpath.basename(p).lower() in ("ms.tex", "main.tex", "paper.tex")]
    return max(preferred or candidates, key=lambda p: (len(texts[p]), p))


def _with_inputs(texts: dict[str, str], main: str, notes: list[str]) -> str:
    """The main file with every \\input/\\include replaced by the file it names, comments removed."""
    missing: list[str] = []
    total = 0

    def expand(path: str, depth: int) -> str:
        nonlocal total
        text = _COMMENT.sub("", texts[path])
        total += len(text)
        if total > _MAX_SOURCE_CHARS:
            raise InputError(f"the LaTeX source is over {_MAX_SOURCE_CHARS:,} characters with its inputs; "
                             "that is not one paper.")

        def include(match: re.Match) -> str:
            target = (match.group(1) or match.group(2) or "").strip()
            found = _resolve(texts, posixpath.dirname(main), target)
            if found is None or depth >= _MAX_INPUT_DEPTH:
                missing.append(target)
                return " "
            return "\n" + expand(found, depth + 1) + "\n"

        return _INPUT.sub(include, text)

    source = expand(main, 0)
    if missing:
        shown = ", ".join(sorted(set(missing))[:5])
        notes.append(f"The source inputs files that are not in it ({shown}); their text is not in the course.")
    return source


def _resolve(texts: dict[str, str], base: str, target: str) -> str | None:
    if not target or target.startswith("/") or "\\" in target or ":" in target:
        return None  # only files inside what was given, by relative path
    for root in (base, ""):
        path = posixpath.normpath(posixpath.join(root, target))
        if path.startswith(".."):
            return None
        for candidate in (path, path + ".tex"):
            if candidate in texts:
                return candidate
    return None


# --------------------------------------------------------------------------- the document


@dataclass
class _Counters:
    chapter: int = 0
    numbers: list[int] = field(default_factory=lambda: [0, 0, 0, 0])  # section, subsection, subsubsection
    appendix: bool = False
    equation: int = 0
    floats: dict[str, int] = field(default_factory=dict)
    theorems: dict[str, int] = field(default_factory=dict)


class _Reader:
    def __init__(self, theorem_names: dict[str, tuple[str, str]], has_chapters: bool):
        self.doc = Document()
        self.theorems = theorem_names  # env -> (printed name, counter it shares)
        self.has_chapters = has_chapters
        self.count = _Counters()
        self.labels: dict[str, tuple[str, str]] = {}  # label -> (what it names, its number)
        self.cited: dict[str, int] = {}
        self.paragraph: list[str] = []
        self.target: list[str] = []  # the paragraphs now being filled: the abstract's or a section's
        self.acronyms: dict[str, tuple[str, str]] = {}  # key -> (short, long)
        self.current_label: tuple[str, str] = ("Section", "??")  # what a \\label here names

    def acronym(self, form: str, key: str) -> str:
        short, long = self.acronyms.get(key, (key, key))
        shape = _ACRONYM_FORMS[form]
        text = {"short": short, "shorts": short + "s", "long": long, "full": f"{long} ({short})"}[shape]
        return text[:1].upper() + text[1:] if form[0].isupper() else text

    # -- paragraphs
    def flush(self) -> None:
        text = _SPACE_BEFORE_PUNCT.sub(r"\1", " ".join("".join(self.paragraph).split()))
        self.paragraph = []
        if text and any(ch.isalpha() for ch in text):
            self.target.append(text)

    def start_section(self, title: str, level: int) -> None:
        self.flush()
        section = DocSection(title=title, level=level)
        self.doc.sections.append(section)
        self.target = section.paragraphs

    # -- numbering
    def section_number(self, macro: str, starred: bool) -> tuple[str, int]:
        level = _SECTIONING[macro]
        if macro == "part":
            return "", 1
        if starred:
            return "", max(1, level + (1 if self.has_chapters else 0))
        c = self.count
        if macro == "chapter":
            c.chapter += 1
            c.numbers = [0, 0, 0, 0]
            c.equation = 0
            return (chr(64 + c.chapter) if c.appendix else str(c.chapter)), 1
        c.numbers[level - 1] += 1
        for i in range(level, 4):
            c.numbers[i] = 0
        head = c.numbers[:level]
        first = (chr(64 + head[0]) if c.appendix and not self.has_chapters else str(head[0]))
        parts = ([chr(64 + c.chapter) if c.appendix else str(c.chapter)] if self.has_chapters else []) + \
            [first] + [str(n) for n in head[1:]]
        return ".".join(parts), level + (1 if self.has_chapters else 0)

    def next_float(self, kind: str) -> str:
        self.count.floats[kind] = self.count.floats.get(kind, 0) + 1
        return self._prefixed(self.count.floats[kind])

    def next_equation(self) -> str:
        self.count.equation += 1
        return self._prefixed(self.count.equation)

    def _prefixed(self, n: int) -> str:
        return f"{self.count.chapter}.{n}" if self.has_chapters and self.count.chapter else str(n)

    def cite(self, keys: str) -> str:
        numbers = []
        for key in (k.strip() for k in keys.split(",")):
            if key:
                numbers.append(self.cited.setdefault(key, len(self.cited) + 1))
        return "[" + ", ".join(str(n) for n in numbers) + "]" if numbers else ""


def read_document(source: str, texts: dict[str, str], notes: list[str]) -> Document:
    macros = read_macros(source)
    begin = _BEGIN_DOCUMENT.search(source)
    preamble = source[: begin.start()] if begin else ""
    end = _END_DOCUMENT.search(source, begin.end() if begin else 0)
    body = source[begin.end() if begin else 0 : end.start() if end else len(source)]
    preamble, body = expand_macros(preamble, macros), expand_macros(body, macros)
    theorems = {env: (name, env) for env, name in _THEOREM_DEFAULTS.items()}
    for env, shared, printed in _NEWTHEOREM.findall(preamble + body):
        theorems[env] = (latex_to_unicode(printed).strip() or env.title(), shared or env)
    reader = _Reader(theorems, has_chapters=bool(re.search(r"\\chapter\*?\s*\{", body)))
    for key, short_opt, short, long in _NEWACRONYM.findall(preamble + body):
        reader.acronyms[key.strip()] = (_text_of(_nodes(short or short_opt)).strip(), _text_of(_nodes(long)).strip())
    reader.target = []
    _walk(reader, _nodes(preamble))  # AASTeX and REVTeX put the abstract before \begin{document}; the rest is set-up
    reader.flush()
    reader.target = front = []
    _walk(reader, _nodes(body))
    reader.flush()
    doc = reader.doc
    doc.title = _title(preamble + body) or _front_title(front)
    doc.authors = _authors(preamble + body)
    if not doc.abstract:
        doc.abstract = _abstract_section(doc)
    if front and not doc.abstract:
        doc.sections.insert(0, DocSection(doc.title or "Opening", 1, front))
    doc.references = bibliography.references(reader.cited, texts)
    doc.notes.extend(notes)
    _resolve_refs(doc, reader.labels)
    return doc


def _front_title(front: list[str]) -> str | None:
    """A paper without \\title prints its title as the first short line of its title page."""
    return next((p for p in front[:3] if len(p) < 250 and not p.rstrip().endswith(".")), None)


def _abstract_section(doc: Document) -> list[str]:
    """\\section*{Abstract} (or a thesis's \\chapter*{Abstract}) is the abstract."""
    for i, sec in enumerate(doc.sections):
        if sec.title.strip().lower() in ("abstract", "summary") and sec.paragraphs:
            del doc.sections[i]
            return sec.paragraphs
    return []


# Argument shapes pylatexenc does not know: without them a macro's groups would be read as text.
_MACRO_ARGS = {
    "href": "{{", "caption": "[{", "SI": "[{{", "si": "[{", "num": "[{", "qty": "[{{", "ang": "[{",
    "affiliation": "{", "affil": "[{", "email": "{", "orcidlink": "{", "orcid": "{", "thanks": "{",
    "variable": "{", "newacronym": "[{{{", "citealp": "*[[{", "citealt": "*[[{", "citeauthor": "*[[{",
    "citeyear": "*[[{", "citeyearpar": "*[[{", "parencite": "*[[{", "textcite": "*[[{", "autocite": "*[[{",
    "citenum": "{", "Cref": "{", "vref": "{", "nameref": "{", "Autoref": "{", "prefacesection": "{",
    "keywords": "{", "correspondingauthor": "{", "altaffiliation": "{", "titlehead": "{", "subfloat": "[[{",
    "sisetup": "{", "gls": "[{", "Gls": "[{", "glspl": "[{", "Glspl": "[{", "acrshort": "[{", "acrlong": "[{",
    "acrfull": "[{", "ac": "{", "acp": "{", "acs": "{", "acl": "{", "acf": "{", "Ac": "{",
    "subcaption": "[{", "paragraph": "*[{", "subparagraph": "*[{", "chapter": "*[{", "part": "*[{",
    "icmltitle": "{", "icmlauthor": "{{", "icmlaffiliation": "{{", "icmlcorrespondingauthor": "{{",
    "acmConference": "[{{{", "received": "[{", "accepted": "{", "published": "{", "submitjournal": "{",
    "shorttitle": "{", "shortauthors": "{", "graphicspath": "{", "definecolor": "{{{", "setcounter": "{{",
    "addtocounter": "{{", "numberwithin": "{{", "theoremstyle": "{", "captionsetup": "[{",
    "newenvironment": "*{[[{{", "renewenvironment": "*{[[{{", "resizebox": "{{{", "scalebox": "{{",
    "bibliographystyle": "{", "bibliography": "{", "addbibresource": "[{", "printbibliography": "[",
    "hypersetup": "{", "setlength": "{{", "addtolength": "{{", "newlength": "{", "pagestyle": "{",
    "thispagestyle": "{", "date": "{", "title": "[{", "author": "[{", "email": "{", "input": "{", "include": "{",
    "usetikzlibrary": "{", "newcounter": "{[", "renewcommand": "*{[[{", "newcommand": "*{[[{",
    "providecommand": "*{[[{", "DeclareMathOperator": "*{{", "externaldocument": "{", "AtBeginDocument": "{",
}
_ENV_ARGS = {"theorem": "[", "figure": "[", "table": "[", "minipage": "[{", "subfigure": "[{", "wrapfigure": "[{{",
             "tabular": "{", "tabularx": "{{", "description": "[", "itemize": "[", "enumerate": "["}


@lru_cache(maxsize=1)
def _context():
    db = get_default_latex_context_db()
    db.add_context_category(
        "arcxiv-papers", prepend=True,
        macros=[MacroSpec(name, spec) for name, spec in _MACRO_ARGS.items()],
        environments=[EnvironmentSpec(name, spec) for name, spec in _ENV_ARGS.items()]
        + [EnvironmentSpec(name, "[") for name in _THEOREM_DEFAULTS if name not in _ENV_ARGS],
    )
    return db


def _nodes(text: str) -> list:
    walker = LatexWalker(text, latex_context=_context(), tolerant_parsing=True)
    try:
        nodes, _, _ = walker.get_latex_nodes()
    except Exception:  # tolerant parsing still gives up on some malformed input: read it as plain text
        return [LatexCharsNode(parsing_state=walker.make_parsing_state(), chars=text, pos=0, len=len(text))]
    return nodes


_REF_MARK = re.compile(r"\ue010([^\ue012]*)\ue012([^\ue011]*)\ue011")


def _resolve_refs(doc: Document, labels: dict[str, tuple[str, str]]) -> None:
    """\\ref -> its number, \\eqref -> "(3)", \\cref and \\autoref -> "Figure 2"; "??" as LaTeX prints it."""
    def one(match: re.Match) -> str:
        form, key = match.groups()
        kind, number = labels.get(key, ("", "??"))
        if form == "eqref":
            return number if number.startswith("(") else f"({number})"
        number = number.strip("()") if form != "named" else number
        return f"{kind} {number}".strip() if form == "named" else number

    def fill(paragraphs: list[str]) -> list[str]:
        return [_REF_MARK.sub(one, p) for p in paragraphs]

    doc.abstract = fill(doc.abstract)
    for sec in doc.sections:
        sec.paragraphs = fill(sec.paragraphs)
        sec.title = _REF_MARK.sub(one, sec.title)


def _walk(reader: _Reader, nodes: list) -> None:
    for node in nodes or ():
        if isinstance(node, LatexCommentNode):
            continue
        if isinstance(node, LatexCharsNode):
            _chars(reader, node.chars)
        elif isinstance(node, LatexMathNode):
            _math(reader, node)
        elif isinstance(node, LatexGroupNode):
            _walk(reader, node.nodelist)
        elif isinstance(node, LatexSpecialsNode):
            reader.paragraph.append({"~": " ", "--": "–", "---": "—", "``": "“", "''": "”"}.get(
                node.specials_chars, node.specials_chars))
        elif isinstance(node, LatexMacroNode):
            _macro(reader, node)
        elif isinstance(node, LatexEnvironmentNode):
            _environment(reader, node)


_SPACE_BEFORE_PUNCT = re.compile(r"(?<=\w) +([,.;:!?])(?=\s|$)")  # "PySR\\xspace," printed "PySR ,"
_PARAGRAPH_BREAK = re.compile(r"\n[ \t]*\n")


def _chars(reader: _Reader, chars: str) -> None:
    for n, piece in enumerate(_PARAGRAPH_BREAK.split(chars)):
        if n:
            reader.flush()
        for old, new in _DASHES:
            piece = piece.replace(old, new)
        reader.paragraph.append(piece)


def _args(node) -> list:
    return [a for a in (node.nodeargd.argnlist if node.nodeargd else []) if a is not None]


def _text_of(nodes) -> str:
    """The text of a small node list (a title, a caption), as one line."""
    sub = _Reader({}, False)
    sub.target = []
    _walk(sub, nodes if isinstance(nodes, list) else [nodes])
    sub.flush()
    return " ".join(sub.target)


def _macro(reader: _Reader, node: LatexMacroNode) -> None:
    name = node.macroname
    args = _args(node)
    if name in _SECTIONING:
        starred = bool(node.nodeargd and node.nodeargd.argnlist and node.nodeargd.argnlist[0] is not None)
        title = _text_of(args[-1]) if args else ""
        number, level = reader.section_number(name, starred)
        reader.start_section(f"{number} {title}".strip(), level)
        kind = "Chapter" if name == "chapter" else "Appendix" if reader.count.appendix and level == 1 else "Section"
        reader.current_label = (kind, number or title)
        return
    if name == "prefacesection":  # a thesis's front-matter chapter: \prefacesection{Abstract}
        reader.start_section(_text_of(args[-1]) if args else "", 1)
        return
    if name == "xspace":
        reader.paragraph.append(" ")
        return
    if name in _ACRONYM_FORMS and args:
        reader.paragraph.append(reader.acronym(name, args[-1].latex_verbatim().strip("{} ")))
        return
    if name == "paragraph" or name == "subparagraph":  # a run-in heading: the paragraph's lead
        reader.flush()
        if args:
            lead = _text_of(args[-1]).rstrip(".")
            if lead:
                reader.paragraph.append(lead + ". ")
        return
    if name == "appendix":
        reader.count.appendix = True
        reader.count.numbers = [0, 0, 0, 0]
        reader.count.chapter = 0 if reader.has_chapters else reader.count.chapter
        return
    if name == "label" and args:
        key = _text_of(args[-1]).strip()
        reader.labels.setdefault(key, reader.current_label)
        return
    if name == "item":
        reader.flush()
        if args:  # \item[term] in a description list
            reader.paragraph.append(_text_of(args[-1]) + ": ")
        return
    if _CITE.fullmatch(name):
        if args:
            keys = _text_of(args[-1]) if not isinstance(args[-1], LatexGroupNode) else args[-1].latex_verbatim()[1:-1]
            reader.paragraph.append(reader.cite(keys))
        return
    if name in _REFS:
        if args:
            keys = args[-1].latex_verbatim().strip("{} ").split(",")  # \\cref{a,b}
            named = name in ("cref", "Cref", "autoref", "Autoref", "vref")
            reader.paragraph.append(" and ".join(f"\ue010{'named' if named else name}\ue012{k.strip()}\ue011"
                                                 for k in keys if k.strip()))
        return
    if name in ("url", "href"):
        if args:
            reader.paragraph.append(args[-1].latex_verbatim().strip("{}") if name == "url" else _text_of(args[-1]))
        return
    if name in ("\\", "newline", "linebreak"):
        reader.paragraph.append(" ")
        return
    if name in _DROPPED_MACROS or name.endswith("setup"):
        return
    if name in _TEXT_MACROS or name in ("textquotedblleft", "textquotedblright"):
        for arg in args[-1:]:
            _walk(reader, [arg])
        return
    if name in ("abstract",) and args:  # \abstract{...} in some classes
        reader.flush()
        saved = reader.target
        reader.target = reader.doc.abstract
        _walk(reader, [args[-1]])
        reader.flush()
        reader.target = saved
        return
    if name in _ACCENTS:  # an accent or a special letter: \"o, \ss
        reader.paragraph.append(latex_to_unicode(node.latex_verbatim()))
    elif len(name) == 1 and not name.isalpha():
        reader.paragraph.append(name if name in "%&$#_{} " else "")
    elif name in ("LaTeX", "TeX"):
        reader.paragraph.append(name)
    elif name in ("ldots", "dots", "textellipsis"):
        reader.paragraph.append("…")
    else:
        for arg in args[-1:]:  # an unknown macro with arguments pylatexenc knows: keep its last one's text
            _walk(reader, [arg])


def _math(reader: _Reader, node: LatexMathNode) -> None:
    inner = "".join(n.latex_verbatim() for n in node.nodelist or ())
    inner = _clean_math(inner)
    if not inner:
        return
    if node.displaytype == "display":
        reader.paragraph.append(f" $${inner}$$ ")
    else:
        reader.paragraph.append(f"${inner}$")


_MATH_LABEL = re.compile(r"\\(?:label|tag)\s*\{[^{}]*\}|\\(?:nonumber|notag)\b")


# links, colours and icons inside an equation (a paper's "see the code" buttons) are no part of it
_MATH_FURNITURE = re.compile(r"\\href\s*\{[^{}]*\}|\{\s*https?://[^{}]*\}|\\(?:color|colorbox)\s*\{[^{}]*\}|\\fa[A-Z]\w*")


_EMPTY_GROUP = re.compile(r"(?<![\\^_])\{\s*\}")


def _clean_math(tex: str) -> str:
    tex = _MATH_FURNITURE.sub("", _MATH_LABEL.sub("", tex)).replace("$", "")
    while (emptied := _EMPTY_GROUP.sub("", tex)) != tex:  # "{{}}" left where an icon stood
        tex = emptied
    return " ".join(tex.split())


def _environment(reader: _Reader, node: LatexEnvironmentNode) -> None:
    env = node.environmentname
    base = env.rstrip("*")
    if env == "document":
        _walk(reader, node.nodelist)
    elif env == "abstract":
        reader.flush()
        saved = reader.target
        reader.target = reader.doc.abstract
        _walk(reader, node.nodelist)
        reader.flush()
        reader.target = saved
    elif env in _DISPLAY_MATH:
        body = "".join(n.latex_verbatim() for n in node.nodelist or ())
        if base in _NUMBERED_MATH and not env.endswith("*"):
            number = reader.next_equation()
            for key in re.findall(r"\\label\s*\{([^{}]*)\}", body):
                reader.labels.setdefault(key.strip(), ("Equation", f"({number})"))
        lines = [_clean_math(line) for line in re.split(r"\\\\", body)] if base != "equation" else [_clean_math(body)]
        tex = " \\\\ ".join(line for line in lines if line)
        if tex:
            reader.paragraph.append(f" $${tex}$$ ")
    elif env in _FLOATS:
        kind = _FLOATS[env]
        number = reader.next_float(kind)
        captions = [n for n in _descend(node.nodelist) if isinstance(n, LatexMacroNode) and n.macroname == "caption"]
        for key in _labels_in(node.nodelist):
            reader.labels.setdefault(key, (kind, number))
        if captions:
            caption = _text_of(_args(captions[0])[-1]) if _args(captions[0]) else ""
            if caption:
                reader.flush()
                reader.target.append(f"{kind} {number}: {caption}")
    elif base in reader.theorems or env == "proof":
        _theorem(reader, node, env)
    elif env in _LISTS:
        reader.flush()
        _walk(reader, node.nodelist)
        reader.flush()
    elif env in _SKIPPED_ENVS:
        return
    else:  # center, quote, minipage and the like: their contents are the paper's text
        _walk(reader, node.nodelist)


def _theorem(reader: _Reader, node: LatexEnvironmentNode, env: str) -> None:
    reader.flush()
    args = _args(node)
    note = _text_of(args[0]) if args else ""
    if env == "proof":
        lead = "Proof"
    else:
        printed, counter = reader.theorems[env.rstrip("*")]
        shared = reader.theorems.get(counter, (printed, counter))[1]
        reader.count.theorems[shared] = reader.count.theorems.get(shared, 0) + 1
        number = "" if env.endswith("*") else reader._prefixed(reader.count.theorems[shared])
        for key in _labels_in(node.nodelist):
            reader.labels.setdefault(key, (printed, number))
        lead = f"{printed} {number}".strip()
    reader.paragraph.append(f"{lead} ({note}). " if note else f"{lead}. ")
    _walk(reader, node.nodelist)
    reader.flush()


def _descend(nodes):
    for node in nodes or ():
        yield node
        children = getattr(node, "nodelist", None)
        if children:
            yield from _descend(children)
        if isinstance(node, LatexMacroNode):
            yield from _descend(_args(node))


def _labels_in(nodes) -> list[str]:
    return [_text_of(_args(n)[-1]).strip() for n in _descend(nodes)
            if isinstance(n, LatexMacroNode) and n.macroname == "label" and _args(n)]


# --------------------------------------------------------------------------- front matter

_TITLE = re.compile(r"\\title\s*(?:\[[^\]]*\])?\s*\{")
_AUTHOR = re.compile(r"\\author\s*(?:\[[^\]]*\])?\s*\{")


def _braced(text: str, start: int) -> str:
    """The contents of the brace group that opens just before ``start``."""
    depth, i = 1, start
    while i < len(text) and depth:
        depth += {"{": 1, "}": -1}.get(text[i], 0) if text[i - 1] != "\\" else 0
        i += 1
    return text[start : i - 1]


def _title(source: str) -> str | None:
    match = _TITLE.search(source)
    if not match:
        return None
    return _text_of(_nodes(_braced(source, match.end()))) or None


_AUTHOR_SPLIT = re.compile(r"\\and\b|\\AND\b|,\s*(?:and\s+)?|\s+and\s+")


def _authors(source: str) -> list[str]:
    names: list[str] = []
    for match in _AUTHOR.finditer(source):
        raw = _braced(source, match.end())
        raw = re.sub(r"\\(?:thanks|footnote|affil|inst|orcidlink|email)\s*\{[^{}]*\}", "", raw)
        raw = re.sub(r"\$[^$]*\$|\\textsuperscript\s*\{[^{}]*\}|\^\{?[\w,*]*\}?", "", raw)
        for part in _AUTHOR_SPLIT.split(raw.replace("\\\\", "\n").split("\n")[0] if "\\and" not in raw else raw):
            name = _text_of(_nodes(part)).strip(" ,;")
            if 2 <= len(name) <= 80 and any(ch.isalpha() for ch in name) and "@" not in name:
                names.append(name)
    return names
