"""Whole papers from LaTeX source: real papers (tests/data/fulltext/latex, licences in its SOURCES.md)
read as a folder, a .tar.gz, a .zip and a gzipped single file; hostile sources stay inert."""
from __future__ import annotations

import gzip
import io
import re
import tarfile
import zipfile
from pathlib import Path

import pytest

from arcxiv.errors import InputError
from arcxiv.ingest import detect_format, ingest
from arcxiv.ingest.archive import MAX_MEMBERS, pack_folder
from arcxiv.ingest.macros import expand_macros, read_macros

LATEX = Path(__file__).parent / "data" / "fulltext" / "latex"

# the paper's own title and some of its own section headings, as it prints them
PAPERS = {
    "legwork-paper": ("LEGWORK: A python package for computing the evolution and detectability of stellar-origin "
                      "gravitational-wave sources with space-based detectors",
                      ["1 Introduction", "2 Package Overview", "3.2.1 Circular binaries", "4 Use cases",
                       "5 Conclusion & Summary"]),
    "sympy-paper": ("SymPy: symbolic computing in Python",
                    ["1 Introduction", "2.1 Basic Usage", "2.3 Assumptions", "5.1 The Core",
                     "7 Conclusion and Future Work"]),
    "scipy-1.0-paper": ("SciPy 1.0—Fundamental Algorithms for Scientific Computing in Python",
                        ["Introduction", "Background", "SciPy Begins", "Discussion"]),
    "rqtl2-paper": ("R/qtl2: software for mapping quantitative trait loci with high-dimensional data and "
                    "multi-parent populations", ["Introduction", "Features", "Implementation", "Discussion"]),
    "pysr-paper": ("Interpretable Machine Learning for Science with PySR and SymbolicRegression.jl",
                   ["1 Introduction", "2 Methods", "2.1 Algorithm", "3 Evaluation", "4 Conclusion"]),
    "chembench-paper": ("Are large language models superhuman chemists?",
                        ["1 Introduction", "2.1 Benchmark corpus", "3 Conclusions"]),
    "raft-dissertation": ("Consensus: Bridging Theory and Practice",
                          ["1 Introduction", "2 Motivation", "3.4 Leader election", "3.6.1 Election restriction"]),
}


def read(name: str):
    return ingest(pack_folder(LATEX / name, name), name=name)


@pytest.mark.parametrize("name", sorted(PAPERS))
def test_each_paper_is_read_with_its_title_abstract_and_own_sections(name):
    title, headings = PAPERS[name]
    paper = read(name)
    assert paper.format == "latex" and paper.title == title
    titles = [s.title for s in paper.sections]
    assert titles[0] == "Abstract" and len(paper.text[slice(*paper.sections[0].span)].split()) > 60
    for heading in headings:
        assert heading in titles, (heading, titles[:30])
    prose = re.sub(r"\$\$.*?\$\$|\$[^$]*\$", " ", paper.text, flags=re.S)  # TeX stays TeX inside math
    assert not re.search(r"\\(?:begin|end|section|cite|ref|label|emph|textbf)\b", prose)
    assert not re.search(r"\n\n(?:aasjournal|unsrt|plain|acm)\w*$", paper.text)  # \bibliographystyle's argument
    assert "\ue010" not in paper.text and "??" not in paper.text[:2000]


def test_references_citations_and_numbers_are_resolved():
    paper = read("legwork-paper")
    assert "stellar-origin sources with LISA has been studied in the past by various groups [12, 13, 14, 15, 16, " \
           "17, 18]" in paper.text
    assert paper.references[0].startswith("[1] Wagg, Tom and Breivik, Katelyn and de Mink, Selma (2022). LEGWORK")
    assert not any(r.startswith(f"[{n}] ") for r in paper.references for n in ("0",))
    pysr = read("pysr-paper")
    assert "In Section 1, we discussed practical issues" in pysr.text  # \cref{sec:intro}
    chem = read("chembench-paper")
    assert "LLMs are ML models trained on massive amounts of text" in chem.text  # \gls{llm}, \glspl, \gls{ml}
    assert "shown in Figure 18" in chem.text


def test_theorem_environments_are_numbered_and_referenced():
    source = (r"\documentclass{article}\newtheorem{thm}{Theorem}\newtheorem{lem}[thm]{Lemma}"
              r"\newcommand{\R}{\mathbb{R}}\newcommand{\norm}[1]{\lVert #1 \rVert}"
              r"\begin{document}\title{Bounds}\maketitle\begin{abstract}We prove two bounds on norms. "
              r"They are sharp.\end{abstract}\section{Setting}\label{sec:set}We work in $\R^n$ with $\norm{x}$. "
              r"\begin{lem}[Small]\label{l}Every $x$ has $\norm{x} \ge 0$.\end{lem}"
              r"\begin{thm}\label{t}The bound of Lemma~\ref{l} is sharp, see Section~\ref{sec:set} and "
              r"\eqref{e}.\end{thm}\begin{equation}\label{e} a = b \end{equation}\end{document}")
    paper = ingest(source.encode(), name="t.tex")
    body = paper.text[slice(*paper.sections[1].span)]
    assert "Lemma 1 (Small). Every $x$ has $\\lVert x \\rVert ≥ 0$." in body
    assert "Theorem 2. The bound of Lemma 1 is sharp, see Section 1 and (1)." in body
    assert "$\\mathbb{R}^n$" in body and "$$a = b$$" in body
    assert [s.title for s in paper.sections] == ["Abstract", "1 Setting"]


@pytest.mark.parametrize("form", ["tar.gz", "zip", "tar", "gz"])
def test_archives_of_every_kind_are_read(form, tmp_path):
    folder = LATEX / "rqtl2-paper"
    files = {p.name: p.read_bytes() for p in folder.iterdir() if p.suffix in (".tex", ".bib")}
    if form == "gz":
        data = gzip.compress(files["rqtl2_paper.tex"])
    elif form == "zip":
        buffer = io.BytesIO()
        with zipfile.ZipFile(buffer, "w") as z:
            for name, content in files.items():
                z.writestr(f"src/{name}", content)
        data = buffer.getvalue()
    else:
        buffer = io.BytesIO()
        with tarfile.open(fileobj=buffer, mode="w:gz" if form == "tar.gz" else "w") as tar:
            for name, content in files.items():
                info = tarfile.TarInfo(f"paper/{name}")
                info.size = len(content)
                tar.addfile(info, io.BytesIO(content))
        data = buffer.getvalue()
    assert detect_format(data) == "latex"
    paper = ingest(data, name=f"paper.{form}")
    assert paper.title.startswith("R/qtl2: software for mapping") and "Discussion" in [s.title for s in paper.sections]


def _tar(members) -> bytes:
    buffer = io.BytesIO()
    with tarfile.open(fileobj=buffer, mode="w:gz") as tar:
        for info, content in members:
            tar.addfile(info, io.BytesIO(content) if content is not None else None)
    return buffer.getvalue()


def _file(name: str, content: bytes):
    info = tarfile.TarInfo(name)
    info.size = len(content)
    return info, content


MAIN = (rb"\documentclass{article}\begin{document}\title{Safe}\maketitle\begin{abstract}We show that the "
        rb"source is read safely. Nothing outside it is read.\end{abstract}\section{Body}\input{%s}"
        rb" The body has a sentence of its own.\end{document}")


@pytest.mark.parametrize("target", [b"/etc/passwd", b"../../../../etc/passwd", b"../secret", b"link"])
def test_inputs_never_leave_the_archive(target, tmp_path):
    secret = tmp_path / "secret.tex"
    secret.write_text("TOPSECRET words", encoding="utf-8")
    link = tarfile.TarInfo("link.tex")
    link.type, link.linkname = tarfile.SYMTYPE, str(secret)
    escape = tarfile.TarInfo("../secret.tex")
    escape.size = 6
    data = _tar([_file("main.tex", MAIN % target), (link, None), (escape, b"ESCAPE")])
    paper = ingest(data, name="hostile.tar.gz")
    assert "TOPSECRET" not in paper.text and "ESCAPE" not in paper.text and "root:" not in paper.text
    assert "The body has a sentence of its own." in paper.text
    assert any("not in it" in note for note in paper.notes)


def test_write18_and_other_primitives_are_never_run(tmp_path):
    pwned = tmp_path / "pwned"
    source = (rb"\documentclass{article}\immediate\write18{touch " + str(pwned).encode() + rb"}"
              rb"\begin{document}\begin{abstract}We show a thing. It holds.\end{abstract}"
              rb"\write18{touch " + str(pwned).encode() + rb"}\openin5=/etc/passwd\read5 to\x\end{document}")
    paper = ingest(source, name="w.tex")
    assert not pwned.exists() and "root:" not in paper.text


def test_a_zip_bomb_is_refused_in_one_sentence():
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", compression=zipfile.ZIP_DEFLATED) as z:
        z.writestr("main.tex", MAIN % b"x")
        for n in range(30):  # 300 MB of blanks in 300 KB
            z.writestr(f"part{n}.tex", b" " * (10 * 2**20))
    with pytest.raises(InputError, match="expands to more than"):
        ingest(buffer.getvalue(), name="bomb.zip")


def test_too_many_members_are_refused():
    data = _tar([_file(f"f{n}.tex", b"x") for n in range(MAX_MEMBERS + 1)])
    with pytest.raises(InputError, match="holds more than|expands to more than"):
        ingest(data, name="many.tar.gz")


def test_a_damaged_archive_and_one_without_a_main_file_get_a_sentence():
    with pytest.raises(InputError, match="damaged"):
        ingest(b"\x1f\x8b" + b"\x00" * 40, name="broken.tar.gz")
    with pytest.raises(InputError, match="no main LaTeX file"):
        ingest(_tar([_file("notes.tex", b"Just some notes.")]), name="nomain.tar.gz")


def test_macro_expansion_is_bounded():
    macros = read_macros(r"\def\a{\a\a}\newcommand{\b}[1]{#1#1}")
    text = expand_macros(r"x \a y \b{\b{\b{z}}}", macros)
    assert len(text) < 200 and "zzzzzzzz" in text
    with pytest.raises(InputError):  # a self-inputting file ends, with nothing to teach
        ingest(_tar([_file("main.tex", rb"\documentclass{article}\begin{document}\input{main}\end{document}")]),
               name="loop.tar.gz")


def test_cli_compiles_a_latex_folder(tmp_path):
    import subprocess
    import sys

    out = tmp_path / "out"
    result = subprocess.run([str(Path(sys.executable).parent / "arcxiv"), "compile", str(LATEX / "rqtl2-paper"), "-o", str(out)],
                            capture_output=True, text=True, timeout=300)
    assert result.returncode == 0, result.stderr
    assert "R/qtl2" in (out / "curriculum.md").read_text(encoding="utf-8")


def test_the_dependencies_visual_shows_which_result_uses_which_definition():
    from arcxiv.analyse import analyse
    from arcxiv.generate.visuals import block_dependencies
    from arcxiv.pipeline import compile_paper

    # a synthetic paper: a definition, a lemma that cites it by number, a theorem that uses the lemma
    # by number and the defined term by name, and a remark that uses nothing
    source = (r"\documentclass{article}\newtheorem{thm}{Theorem}\newtheorem{lem}[thm]{Lemma}"
              r"\newtheorem{defn}[thm]{Definition}\begin{document}\title{Tight Frames}\maketitle"
              r"\begin{abstract}We study tight frames of vectors. We prove that every tight frame is balanced. "
              r"The proof is short.\end{abstract}\section{Setting}We work with finite sets of unit vectors in the plane. "
              r"\begin{defn}\label{d}A finite set of unit vectors is a tight frame if its frame operator is a multiple "
              r"of the identity.\end{defn}"
              r"\begin{lem}\label{l}By Definition~\ref{d}, the frame operator of a set of unit vectors is symmetric."
              r"\end{lem}\section{Results}\begin{thm}Every tight frame is balanced, by Lemma~\ref{l}.\end{thm}"
              r"We checked the bound on many examples. The examples agree with the theorem. Balanced sets are common "
              r"in coding theory. They also appear in signal processing. Each example was small.\end{document}")
    paper = ingest(source.encode(), name="frames.tex")
    nodes, links = block_dependencies(analyse(paper))
    assert [n for n, _ in nodes] == ["Definition 1", "Lemma 2", "Theorem 3"]
    assert ("Definition 1", "Lemma 2") in links and ("Lemma 2", "Theorem 3") in links
    assert ("Definition 1", "Theorem 3") in links  # by the term the definition defines: "tight frame"
    # a real paper: the Raft dissertation's safety proof, drawn and described
    cur = compile_paper(read("raft-dissertation"))
    dep = next(v for v in cur.visuals if v.kind == "dependencies")
    # its proof cites three lemmas by number and uses "immediately committed", which Definition 2.2 defines
    assert "Theorem 2.1 uses Definition 2.2, Lemma 2.1, Lemma 2.3, Lemma 2.5;" in dep.alt and "<svg" in dep.svg
    from .test_visuals import overlapping, text_boxes

    assert overlapping(text_boxes(dep.svg)) == []
