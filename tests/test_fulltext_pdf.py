"""Whole papers as born-digital PDFs (arcxiv.ingest.pdf): the seven real papers under
tests/data/fulltext/pdf read as their authors wrote them, and hostile files refused with one
sentence each (see tests/data/fulltext/SOURCES.md for the papers and their licences)."""
from __future__ import annotations

import hashlib
import io
import re
import time
from functools import lru_cache

import pypdfium2 as pdfium
import pytest

from arcxiv.errors import InputError
from arcxiv.ingest import pdf
from arcxiv.ingest.document import to_paper

from .conftest import DATA

PDFS = DATA / "fulltext" / "pdf"
NAMES = sorted(p.stem for p in PDFS.glob("*.pdf"))


@lru_cache(maxsize=None)
def document(stem: str):
    return pdf.document((PDFS / f"{stem}.pdf").read_bytes(), name=f"{stem}.pdf")


@lru_cache(maxsize=None)
def paper(stem: str):
    return to_paper(document(stem), pdf.FORMAT, f"{stem}.pdf")


def headings(stem: str) -> list[str]:
    """Every heading the reader found; the Paper keeps only those with text of their own."""
    return [s.title for s in document(stem).sections]


def flat(text: str) -> str:
    return " ".join(text.split())


def naive_text(stem: str) -> str:
    """What a reader that follows PDFium's own text order gets: the baseline these tests beat."""
    doc = pdfium.PdfDocument((PDFS / f"{stem}.pdf").read_bytes())
    try:
        return flat(" ".join(page.get_textpage().get_text_range() for page in doc))
    finally:
        doc.close()


def refuse(data: bytes, name: str = "paper.pdf") -> str:
    with pytest.raises(InputError) as err:
        pdf.parse(data, name=name)
    message = str(err.value)
    assert message.startswith(name) and message.endswith(".") and message.count(". ") == 0, message
    return message


# --------------------------------------------------------------------------- every paper
def test_all_seven_papers_are_here():
    assert len(NAMES) == 7


@pytest.mark.parametrize("stem", NAMES)
def test_each_paper_reads_as_a_paper(stem):
    p = paper(stem)
    assert p.format == "pdf"
    assert p.title and len(p.title.split()) >= 5
    assert p.text.startswith("Abstract\n\n")
    assert len(p.sections) >= 4  # the review is a 4-page excerpt: abstract and three sections
    assert len(p.references) >= 10
    for text in (p.text, p.title, *p.authors, *p.references):  # no unreadable glyph reaches the paper
        assert "\ufffd" not in text and not re.search(r"[\ue000-\uf8ff\U000f0000-\U0010ffff]", text)
    # No running header, footer or page number is left inside a paragraph.
    assert not re.search(r"\bPage \d+ of \d+\b|\b\d+ ?/ ?\d+\n", p.text)
    # No reference entry is taught as text.
    for ref in p.references[:20]:
        assert flat(ref.split("] ", 1)[-1])[:60] not in flat(p.text)


@pytest.mark.parametrize("stem", NAMES)
def test_each_paper_reads_fast(stem):
    data = (PDFS / f"{stem}.pdf").read_bytes()
    start = time.perf_counter()
    pdf.parse(data, name=f"{stem}.pdf")
    assert time.perf_counter() - start < 6.0  # about 0.2 to 0.6 s each on a quiet 2-core machine


# --------------------------------------------------------------------------- titles, authors, abstracts
TITLES = {
    "bmc-hsr-2014-quality-improvement": "Understanding the barriers to setting up a healthcare quality improvement "
    "process in resource-limited settings: a situational analysis at the Medical Department of Kamuzu Central "
    "Hospital in Lilongwe, Malawi",
    "clinsci-2014-ace-inhibitor-design": "Fragment-based design for the development of N-domain-selective "
    "angiotensin-1-converting enzyme inhibitors",
    "jtmo-2010-dvt-prophylaxis-review": "Complications related to deep venous thrombosis prophylaxis in trauma: a "
    "systematic review of the literature",
    "peerjcs-2017-vespa": "VESPA: Very large-scale Evolutionary and Selective Pressure Analyses",
    "plosone-2018-wheat-heat-stress": "Comparative physiological and metabolomics analysis of wheat (Triticum "
    "aestivum L.) following post-anthesis heat stress",
    "rescience-2020-essential-genes": "[Rp] Reproducibility report: Identifying essential genes by mutagenesis",
    "scipy-1.0-paper": "SciPy 1.0—Fundamental Algorithms for Scientific Computing in Python",
}


@pytest.mark.parametrize("stem", NAMES)
def test_title_is_the_papers_own(stem):
    assert paper(stem).title == TITLES[stem]


ABSTRACT_STARTS = {
    "bmc-hsr-2014-quality-improvement": "Background: Knowledge regarding the best approaches to improving the "
    "quality of healthcare",
    "clinsci-2014-ace-inhibitor-design": "ACE (angiotensin-1-converting enzyme) is a zinc metallopeptidase",
    "jtmo-2010-dvt-prophylaxis-review": "Deep venous thrombosis prophylaxis is essential to the appropriate",
    "peerjcs-2017-vespa": "Background. Large-scale molecular evolutionary analyses of protein coding sequences",
    "plosone-2018-wheat-heat-stress": "Genetic improvement for stress tolerance requires a solid understanding of "
    "biochemical processes",
    "rescience-2020-essential-genes": "As part of the ReScience Ten Years Reproducibility Challenge, I sought",
    "scipy-1.0-paper": "SciPy is an open source scientific computing library for the Python programming language.",
}


@pytest.mark.parametrize("stem", NAMES)
def test_abstract_is_the_papers_own(stem):
    p = paper(stem)
    abstract = p.sections[0]
    assert abstract.title == "Abstract"
    body = p.text[abstract.span[0]: abstract.span[1]]
    assert body.startswith(ABSTRACT_STARTS[stem])
    assert not re.search(r"(?i)\bkey ?words\b", body)  # keywords are not abstract prose


def test_structured_abstract_keeps_one_paragraph_per_label():
    p = paper("peerjcs-2017-vespa")
    abstract = p.text[p.sections[0].span[0]: p.sections[0].span[1]]
    assert [para.split(".")[0] for para in abstract.split("\n\n")] == ["Background", "Methods", "Results",
                                                                        "Discussion"]


def test_authors_are_names_only():
    assert paper("bmc-hsr-2014-quality-improvement").authors == (
        "Josephine Nana Afrakoma Agyeman-Duah", "Antje Theurer", "Charles Munthali", "Noor Alide", "Florian Neuhann")
    assert paper("clinsci-2014-ace-inhibitor-design").authors[:2] == ("Ross G. Douglas", "Rajni K. Sharma")
    assert paper("rescience-2020-essential-genes").authors == ("Karl W. Broman",)
    scipy = paper("scipy-1.0-paper").authors
    assert scipy[:3] == ("Pauli Virtanen", "Ralf Gommers", "Travis E. Oliphant") and "Stéfan J. van der Walt" in scipy
    for stem in NAMES:
        for author in paper(stem).authors:
            assert not re.search(r"@|\d|Universit|Department|Institute", author), author


# --------------------------------------------------------------------------- headings
@pytest.mark.parametrize("stem, wanted", [
    ("bmc-hsr-2014-quality-improvement", ["Background", "Methods", "Results", "Discussion", "Conclusions"]),
    ("clinsci-2014-ace-inhibitor-design", ["INTRODUCTION", "MATERIALS AND METHODS", "RESULTS", "DISCUSSION"]),
    ("jtmo-2010-dvt-prophylaxis-review", ["Introduction", "Methods", "Conclusion"]),
    ("peerjcs-2017-vespa", ["INTRODUCTION", "METHODS", "RESULTS", "DISCUSSION", "CONCLUSION"]),
    ("plosone-2018-wheat-heat-stress", ["Introduction", "Materials and methods", "Results", "Discussion",
                                        "Conclusion"]),
    ("rescience-2020-essential-genes", ["1 Introduction", "2 Challenges", "3 Code modifications",
                                        "4 The R/negenes package", "5 Results", "6 Lessons"]),
    ("scipy-1.0-paper", ["Introduction", "Background", "SciPy Begins", "SciPy Matures", "SciPy Today",
                         "Architecture and implementation choices", "Key technical improvements",
                         "Project organization and community", "Discussion"]),
])
def test_section_headings_are_the_papers_own_in_order(stem, wanted):
    found = iter(headings(stem))
    assert all(heading in found for heading in wanted), headings(stem)  # in this order, others between


def test_heading_levels_follow_numbering_and_type_size():
    bmc = {s.title: s.level for s in document("bmc-hsr-2014-quality-improvement").sections}
    assert bmc["Methods"] == 1 and bmc["Setting"] == 2 and bmc["Ethical considerations"] == 2
    scipy = {s.title: s.level for s in document("scipy-1.0-paper").sections}
    assert scipy["Background"] == 1 and scipy["SciPy Begins"] == 2 and scipy["Sparse matrices"] == 3


def test_declarations_and_adverts_are_not_sections():
    for stem in NAMES:
        for title in headings(stem):
            assert not re.search(r"(?i)competing interests|author.? contributions|funding|biomed central", title)


def test_unnumbered_references_heading_ends_the_text():
    for stem in NAMES:
        assert not any(re.fullmatch(r"(?i)references?|bibliography", h) for h in headings(stem))


# --------------------------------------------------------------------------- layout
def test_two_column_reading_order_joins_a_sentence_across_the_column_break():
    # Clinical Science, page 1: the left column ends "...appears to be the prominent", the right
    # column goes on "site for the production..."; footnotes sit between them in the file.
    sentence = "the C-domain appears to be the prominent site for the production of vasoactive peptide angiotensin II"
    assert sentence in flat(paper("clinsci-2014-ace-inhibitor-design").text)
    assert sentence not in naive_text("clinsci-2014-ace-inhibitor-design")


def test_paragraph_cut_by_a_page_break_is_one_paragraph():
    # BMC page 2 -> 3: "...which provides the hospital's" | "budget. Even though ..."
    text = paper("bmc-hsr-2014-quality-improvement").text
    assert "which provides the hospital’s budget. Even though the hospital generates" in text


def test_running_headers_footers_and_side_bars_are_left_out():
    cases = {
        "bmc-hsr-2014-quality-improvement": ["Agyeman-Duah et al. BMC Health Services Research",
                                             "http://www.biomedcentral.com/1472-6963/14/1", "Page 2 of 10"],
        "clinsci-2014-ace-inhibitor-design": ["R. G. Douglas and others", "© 2014 The Author(s)",
                                              "Clinical Science (2014) 126"],
        "jtmo-2010-dvt-prophylaxis-review": ["Datta et al. Journal of Trauma Management"],
        "peerjcs-2017-vespa": ["Webb et al. (2017), PeerJ Comput. Sci.", "Academic editor", "How to cite this"],
        "plosone-2018-wheat-heat-stress": ["PLOS ONE | https://doi.org", "Editor: Aimin Zhang",
                                           "Competing interests: The authors have read",
                                           "Metabolomics in wheat following post-anthesis heat stress"],
        "rescience-2020-essential-genes": ["ReScience C 6.1 (#12)", "Edited by", "Karthik Ram"],
    }
    for stem, strings in cases.items():
        text = paper(stem).text
        for string in strings:
            assert string not in text, (stem, string)


def test_small_print_tables_and_figure_labels_stay_out_of_paragraphs():
    plos = paper("plosone-2018-wheat-heat-stress").text
    assert "Genotype 13.7 Replication" not in plos  # a table's cells
    rescience = paper("rescience-2020-essential-genes").text
    assert "Phenolphthiocerol synthesis* 84 84" not in rescience
    assert "● ●" not in rescience and "Number of TAs in proximal portion" not in rescience  # plot marks, axis title


def test_captions_are_kept_as_paragraphs():
    text = paper("plosone-2018-wheat-heat-stress").text
    assert ("Fig 1. Damage to SPAD chlorophyll content (averaged across years) presented as percent (±SE) of control "
            "plants at 7-, 10-, 14-day after heat treatment.") in text
    assert "\n\nTable 1. Fixed effects ANOVA results for relative damage to SPAD chlorophyll content" in text
    assert "\n\nFigure 1. Project directory for the work" in paper("rescience-2020-essential-genes").text


# --------------------------------------------------------------------------- words
def test_hyphenation_at_line_ends_is_joined():
    bmc = paper("bmc-hsr-2014-quality-improvement").text
    assert "At the same time, expectations are high" in bmc  # "expec-" | "tations"
    assert "appropriate diagnostic procedures" in bmc  # "diagnos-" | "tic"
    rescience = paper("rescience-2020-essential-genes").text
    assert "was discovered in a separate directory" in rescience  # "dis‐" | "covered", with U+2010
    assert "biochemical processes involved" in paper("plosone-2018-wheat-heat-stress").text  # "pro-" | "cesses"
    for stem in NAMES:  # no "expec- tations" left: a hyphen, a space and the word's tail
        leftovers = re.findall(r"\b[a-z]{2,}- (?!and\b|or\b|to\b)[a-z]{2,}", paper(stem).text)
        assert not leftovers, (stem, leftovers)


def test_real_hyphens_are_kept():
    assert "indicated to be non-essential" in paper("rescience-2020-essential-genes").text  # "non‐" | "essential"
    assert "non-synonymous substitutions" in paper("peerjcs-2017-vespa").text
    assert "Ac-SDKP" in paper("clinsci-2014-ace-inhibitor-design").text  # "Ac-" | "SDKP": a capital follows


def test_citation_marks_and_accents():
    scipy = paper("scipy-1.0-paper").text
    assert "SciPy is built on top of NumPy, which provides array data structures" in scipy  # superscript 1, 2 gone
    rescience = paper("rescience-2020-essential-genes").text
    assert "Lamichhane et al. described a Bayesian statistical method" in rescience
    assert "et al.." not in rescience and " ," not in rescience
    assert "Vallès" not in paper("clinsci-2014-ace-inhibitor-design").text  # affiliations are not text
    assert "Stéfan J. van der Walt" in paper("scipy-1.0-paper").authors  # TeX's separate accent glyph put back
    assert "heat stress (35:28 ± 0.08°C) was initiated" in paper("plosone-2018-wheat-heat-stress").text  # "˚" alone


def test_ligatures_are_letters():
    text = paper("clinsci-2014-ace-inhibitor-design").text
    assert "using a fluorogenic ACE assay" in text and "\ufb02" not in text and "\ufb01" not in text


# --------------------------------------------------------------------------- references
def test_numbered_references_are_one_entry_each_in_order():
    refs = paper("jtmo-2010-dvt-prophylaxis-review").references
    assert refs[0].startswith("[1] Kudsk KA, Fabian TC, Baum S, Gold RE, Mangiante E, Voeller G: Silent deep vein")
    numbers = [int(r[1: r.index("]")]) for r in refs]
    assert numbers == sorted(numbers) and len(refs) >= 75
    scipy = paper("scipy-1.0-paper").references
    assert scipy[0].startswith("[1] Oliphant, T. E. Guide to NumPy") and len(scipy) >= 130
    bmc = paper("bmc-hsr-2014-quality-improvement").references
    assert bmc[0].startswith("[1] Ovretveit J, Serouri A: Hospital quality management system in a low income "
                             "Arabic country") and len(bmc) == 31


def test_author_year_references_are_split_by_hanging_indent():
    refs = paper("peerjcs-2017-vespa").references
    assert len(refs) == 24
    assert refs[1].startswith("Altschul SF, Madden TL, Schaffer AA, Zhang J, Zhang Z, Miller W, Lipman DJ. 1997.")
    assert refs[-1].startswith("Yates A, Akanni W")


def test_reference_lists_are_not_text():
    assert "Kudsk KA" not in paper("jtmo-2010-dvt-prophylaxis-review").text
    assert "Guide to NumPy (Trelgol Publishing" not in paper("scipy-1.0-paper").text
    assert "Altschul SF, Madden TL" not in paper("peerjcs-2017-vespa").text


def test_sections_after_the_references_are_kept():
    # Clinical Science prints its supplementary methods after the reference list.
    assert "SHOP search" in headings("clinsci-2014-ace-inhibitor-design")


# --------------------------------------------------------------------------- notes
def test_unreadable_formulas_are_counted_in_one_note():
    notes = paper("clinsci-2014-ace-inhibitor-design").notes
    formula_notes = [n for n in notes if "display formula" in n]
    assert len(formula_notes) == 1
    assert re.fullmatch(r"\d+ display formulas? in the PDF could not be read as text and (were|was) left out\.",
                        formula_notes[0])
    assert not any("display formula" in n for n in paper("peerjcs-2017-vespa").notes)


# --------------------------------------------------------------------------- hostile files
def _blank_pdf(pages: int = 1) -> bytes:
    doc = pdfium.PdfDocument.new()
    for _ in range(pages):
        doc.new_page(612, 792)
    out = io.BytesIO()
    doc.save(out)
    doc.close()
    return out.getvalue()


_PAD = bytes.fromhex("28BF4E5E4E758A4164004E56FFFA01082E2E00B6D0683E802F0CA9FE6453697A")


def _rc4(key: bytes, data: bytes) -> bytes:
    box = list(range(256))
    j = 0
    for i in range(256):
        j = (j + box[i] + key[i % len(key)]) % 256
        box[i], box[j] = box[j], box[i]
    out, i, j = bytearray(), 0, 0
    for byte in data:
        i = (i + 1) % 256
        j = (j + box[i]) % 256
        box[i], box[j] = box[j], box[i]
        out.append(byte ^ box[(box[i] + box[j]) % 256])
    return bytes(out)


def _encrypted_pdf(user: bytes = b"secret", owner: bytes = b"owner") -> bytes:
    """A one-page PDF locked with the standard security handler (RC4, 40-bit, revision 2) and a user
    password, built by hand: PDFium has no API to encrypt."""
    pad = lambda password: (password + _PAD)[:32]  # noqa: E731
    file_id = b"0123456789abcdef"
    owner_entry = _rc4(hashlib.md5(pad(owner)).digest()[:5], pad(user))
    key = hashlib.md5(pad(user) + owner_entry + (-44).to_bytes(4, "little", signed=True) + file_id).digest()[:5]
    user_entry = _rc4(key, _PAD)
    objects = [b"<< /Type /Catalog /Pages 2 0 R >>", b"<< /Type /Pages /Kids [3 0 R] /Count 1 >>",
               b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 612 792] >>",
               b"<< /Filter /Standard /V 1 /R 2 /O <%s> /U <%s> /P -44 >>" % (owner_entry.hex().encode(),
                                                                           user_entry.hex().encode())]
    out, offsets = bytearray(b"%PDF-1.4\n"), []
    for number, body in enumerate(objects, 1):
        offsets.append(len(out))
        out += b"%d 0 obj\n%s\nendobj\n" % (number, body)
    xref = len(out)
    out += b"xref\n0 %d\n0000000000 65535 f \n" % (len(objects) + 1)
    out += b"".join(b"%010d 00000 n \n" % offset for offset in offsets)
    ident = file_id.hex().encode()
    out += b"trailer\n<< /Size %d /Root 1 0 R /Encrypt 4 0 R /ID [<%s> <%s>] >>\nstartxref\n%d\n%%%%EOF\n" % (
        len(objects) + 1, ident, ident, xref)
    return bytes(out)


def test_truncated_pdf_is_refused():
    data = (PDFS / "rescience-2020-essential-genes.pdf").read_bytes()
    assert "truncated" in refuse(data[: len(data) // 2])


def test_random_bytes_after_a_pdf_header_are_refused():
    noise = bytes(hashlib.sha256(str(i).encode()).digest()[k] for i in range(400) for k in range(16))
    assert "damaged" in refuse(b"%PDF-1.7\n" + noise)
    assert "damaged" in refuse(b"%PDF-1.7\n" + noise + b"\n%%EOF\n")  # PDFium itself cannot open it


def test_encrypted_pdf_is_refused():
    message = refuse(_encrypted_pdf())
    assert "encrypted" in message and "password" in message


def test_pdf_without_a_text_layer_is_refused():
    message = refuse(_blank_pdf(2))
    assert "no text layer" in message and "OCR" in message


def test_pdf_over_the_page_bound_is_refused():
    assert f"at most {pdf.MAX_PAGES} pages" in refuse(_blank_pdf(pdf.MAX_PAGES + 1))


def test_not_a_pdf_is_refused():
    assert "not a PDF" in refuse(b"just some text, not a PDF at all")


# --------------------------------------------------------------------------- the whole pipeline
def test_ingest_reads_a_pdf_by_its_header():
    from arcxiv.ingest import ingest

    data = (PDFS / "rescience-2020-essential-genes.pdf").read_bytes()
    assert ingest(data, name="rescience.pdf").title == TITLES["rescience-2020-essential-genes"]


def test_pipeline_compiles_a_pdf_paper():
    from arcxiv.pipeline import compile_paper

    cur = compile_paper(paper("rescience-2020-essential-genes"))
    titles = [s.title for s in cur.sections]
    for heading in ["1 Introduction", "2 Challenges", "5 Results", "6 Lessons"]:
        assert heading in titles
