"""JATS/NLM whole papers: the real ones in tests/data/fulltext/jats read as their journals print
them, and hostile XML (entity bombs, external entities, remote DTDs, broken or foreign XML) is
refused or left inert, always as one InputError sentence."""
from __future__ import annotations

import re
import threading
import time
from functools import lru_cache
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import pytest

from arcxiv.errors import InputError
from arcxiv.ingest.jats import FORMAT, looks_like, parse, read

JATS = Path(__file__).resolve().parent / "data" / "fulltext" / "jats"
FILES = sorted(p.name for p in JATS.glob("*.xml"))


@lru_cache(maxsize=None)
def paper(name: str):
    return parse((JATS / name).read_text(encoding="utf-8"), name=name)


def headings(p) -> list[str]:
    return [s.title for s in p.sections]


def section_text(p, title: str) -> str:
    s = next(s for s in p.sections if s.title == title)
    return p.text[s.span[0]:s.span[1]]


def paragraphs(p) -> list[str]:
    return p.text.split("\n\n")


def one_sentence(msg: str) -> bool:
    return "\n" not in msg and msg.endswith(".") and len(re.findall(r"[.!?](?:\s+[A-Z]|$)", msg)) == 1


def article(body: str, head: str = "", front: str = "") -> str:
    """A small article with a real abstract, so only the part under test varies."""
    return (f"{head}<article><front><article-meta><title-group><article-title>A Test Paper</article-title>"
            f"</title-group><abstract><p>We study widgets and find that they work well.</p></abstract>{front}"
            f"</article-meta></front><body>{body}</body></article>")


# --------------------------------------------------------------------------- every real paper
def test_the_corpus_is_there():
    assert len(FILES) >= 9


@pytest.mark.parametrize("name", FILES)
def test_real_paper_reads_whole(name):
    text = (JATS / name).read_text(encoding="utf-8")
    assert looks_like(text)
    p = paper(name)
    assert p.format == FORMAT == "jats"
    assert p.title and p.authors
    assert headings(p)[0] == "Abstract" and len(section_text(p, "Abstract")) > 300
    assert len(headings(p)) >= 5
    assert not re.search(r"</?[a-z][\w.:-]*(?:\s[^<>]*)?/?>", p.text), "XML tag text in the paper's text"
    assert not re.search(r"&(?:[A-Za-z]+|#\d+|#x[0-9a-fA-F]+);", p.text), "a raw entity in the paper's text"
    assert "DOI:" not in p.text and "References" not in headings(p) and "REFERENCES" not in headings(p)
    # References are collected, one string each, and none is in the text.
    assert len(p.references) >= 20
    assert all(r and r not in p.text for r in p.references)
    # Figure captions stand as paragraphs of their own: "Figure 1. ..." / "Fig 1. ...".
    assert any(re.match(r"(?:Figure|Fig\.?) 1\.? \S", para) for para in paragraphs(p))
    assert not [para for para in paragraphs(p) if re.fullmatch(r"(?:Figure|Fig|Table) \d+\.?", para)]


EXACT_TITLES = {
    "plosone-2015-kramers-moyal-noise.xml":
        "A Kramers-Moyal Approach to the Analysis of Third-Order Noise with Applications in Option Valuation",
    "bmcmicrobiol-2011-phage-lambda-lysis.xml":
        "Factors influencing lysis time stochasticity in bacteriophage λ",
    "ehp-2008-pbde47-thyroid.xml":
        "Dietary Exposure to 2,2′,4,4′-Tetrabromodiphenyl Ether (PBDE-47) Alters Thyroid Status and Thyroid "
        "Hormone–Regulated Gene Transcription in the Pituitary and Brain",
    "plosone-2013-dangerous-climate-change.xml":
        "Assessing “Dangerous Climate Change”: Required Reduction of Carbon Emissions to Protect Young People, "
        "Future Generations and Nature",
    "elife-2014-somatic-mtdna-mutations.xml":
        "Origins and functional consequences of somatic mitochondrial DNA mutations in human cancer",
    "pmc5828200-curcuminoid-alzheimers.xml": "Curcuminoid submicron particle ameliorates cognitive deficits and "
                                             "decreases amyloid pathology in Alzheimer’s disease mouse model",
}


@pytest.mark.parametrize("name", sorted(EXACT_TITLES))
def test_exact_titles(name):
    assert paper(name).title == EXACT_TITLES[name]


# The sections as each paper prints them (capitals, numbering and all), in order.
HEADINGS = {
    "plosone-2012-mmppox-mycobacterium.xml": ["Introduction", "Chemicals", "Targets selection", "Discussion"],
    "plosone-2015-kramers-moyal-noise.xml": ["Introduction", "Results", "Model", "Delta-hedged portfolio method",
                                             "Numerical example", "Conclusion"],
    "plosone-2015-onion-routing-aib-or.xml": ["Introduction", "Identity-Based Cryptography", "Notations",
                                              "The AIB-OR Protocol", "Performance Test", "Conclusion"],
    "plosone-2013-dangerous-climate-change.xml": ["Introduction", "Global Temperature and Earth’s Energy Balance",
                                                  "Sea Level", "Policy Implications", "Discussion"],
    "behavecol-2018-counting-crows.xml": ["INTRODUCTION", "Study site and population", "DISCUSSION", "FUNDING"],
    "bmcmicrobiol-2011-phage-lambda-lysis.xml": ["Background", "Discussion", "Conclusions", "Appendix A",
                                                 "Bacterial strains", "Authors' contributions", "Acknowledgements"],
    "ehp-2008-pbde47-thyroid.xml": ["Introduction", "Animals and housing", "Plasma thyroid hormones", "Discussion"],
    "elife-2014-somatic-mtdna-mutations.xml": ["Introduction", "The catalog of mtDNA somatic mutations",
                                               "Discussion", "dN/dS ratio", "Acknowledgements"],
    "pmc5828200-curcuminoid-alzheimers.xml": ["INTRODUCTION", "Genotoxicity and biosafety of CSP", "DISCUSSION",
                                              "Morris water maze", "ACKNOWLEDGMENTS AND FUNDING"],
}


@pytest.mark.parametrize("name", sorted(HEADINGS))
def test_headings_are_the_papers_own(name):
    found = headings(paper(name))
    expected = HEADINGS[name]
    assert all(h in found for h in expected), (expected, found)
    assert [h for h in found if h in expected] == expected  # in the paper's order
    levels = {s.title: s.level for s in paper(name).sections}
    assert levels[expected[0]] == 1


def test_headings_with_only_subsections_are_read():
    # "Materials and Methods" holds only subsections: the reader keeps it (level 1, no paragraphs of its
    # own); to_paper then lays out only sections with text, so it is not one of paper.sections.
    doc = read((JATS / "plosone-2012-mmppox-mycobacterium.xml").read_text(encoding="utf-8"))
    tree = [(s.title, s.level, bool(s.paragraphs)) for s in doc.sections]
    assert tree[:3] == [("Introduction", 1, True), ("Materials and Methods", 1, False), ("Chemicals", 2, True)]
    assert ("Results", 1, False) in tree and ("Discussion", 1, True) in tree
    crows = [s.title for s in read((JATS / "behavecol-2018-counting-crows.xml").read_text(encoding="utf-8")).sections]
    assert crows[:3] == ["INTRODUCTION", "METHODS", "Study site and population"]


def test_plos_papers_have_the_usual_headings():
    for name in FILES:
        if name.startswith("plosone-"):
            found = headings(paper(name))
            assert "Introduction" in found
            assert {"Discussion", "Conclusion", "Conclusions"} & set(found)


def test_authors_in_order_and_full():
    assert paper("bmcmicrobiol-2011-phage-lambda-lysis.xml").authors == ("John J Dennehy", "Ing-Nang Wang")
    assert paper("ehp-2008-pbde47-thyroid.xml").authors == ("Sean C. Lema", "Jon T. Dickey", "Irvin R. Schultz",
                                                            "Penny Swanson")
    assert paper("plosone-2012-mmppox-mycobacterium.xml").authors[:2] == ("Vincent Delorme", "Sadia V. Diomandé")
    elife = paper("elife-2014-somatic-mtdna-mutations.xml").authors
    assert len(elife) == 53 and elife[0] == "Young Seok Ju"  # the byline, not the consortium member lists


def test_the_main_abstract_not_a_teaser_or_digest():
    crows = section_text(paper("behavecol-2018-counting-crows.xml"), "Abstract")
    assert crows.startswith("Social complexity arises from the formation of social relationships")
    assert "With data collected over a 1-year period" not in paper("behavecol-2018-counting-crows.xml").text
    elife = paper("elife-2014-somatic-mtdna-mutations.xml")
    assert section_text(elife, "Abstract").startswith("Recent sequencing studies have extensively explored")
    assert "eLife digest" not in elife.text and "passenger mutations" not in section_text(elife, "Abstract")


def test_structured_abstracts_keep_their_headings_as_leads():
    bmc = section_text(paper("bmcmicrobiol-2011-phage-lambda-lysis.xml"), "Abstract").split("\n\n")
    assert bmc[0].startswith("Background: Despite identical genotypes and seemingly uniform environments")
    assert [para.split(":")[0] for para in bmc] == ["Background", "Results", "Conclusions"]
    ehp = section_text(paper("ehp-2008-pbde47-thyroid.xml"), "Abstract")
    assert "Objective: We examined the effects of dietary exposure" in ehp


def test_elife_sub_articles_and_doi_lines_are_not_the_paper():
    text = paper("elife-2014-somatic-mtdna-mutations.xml").text
    assert "decision letter" not in text and "Author response" not in text
    assert "dx.doi.org/10.7554/eLife.02935.001" not in text


def test_untitled_opening_text_and_floats_group_figures():
    # EHP prints its introduction without a heading and keeps its figures in <floats-group>:
    # each caption goes after the paragraph that first cites it.
    ehp = paper("ehp-2008-pbde47-thyroid.xml")
    assert headings(ehp)[1] == "Introduction"
    assert section_text(ehp, "Introduction").startswith("Polybrominated diphenyl ethers")
    fig1 = "Figure 1. Exposure to PBDE-47 depressed circulating concentrations of total T4 in males and females (A)"
    assert fig1 in section_text(ehp, "Plasma thyroid hormones")
    fig3 = "Figure 3. Dietary PBDE-47 exposure elevated mRNA levels"
    assert fig3 in section_text(ehp, "TR and BTEB mRNAs in the brain")


def test_figure_and_table_captions_where_they_stand():
    kramers = paper("plosone-2015-kramers-moyal-noise.xml")
    assert "Figure 1. ORP replication accuracy region. Approximation for the accuracy region" in kramers.text
    assert "Table 1. Option price (USD) comparison for different maturities." in kramers.text
    onion = paper("plosone-2015-onion-routing-aib-or.xml")
    assert "Fig 1. System Model of Onion Routing." in paragraphs(onion)
    elife = paper("elife-2014-somatic-mtdna-mutations.xml").text
    assert "Figure 1. Mitochondrial somatic substitutions identified from 1675 Tumor–Normal pairs. mtDNA" in elife
    assert "Figure 1—figure supplement 1. Correlation in amount of mtDNA reads" in elife
    alz = paper("pmc5828200-curcuminoid-alzheimers.xml")
    assert ("Figure 1. CSP had better protective effect against oligomeric Aβ (oAβ) than un-nanosized curcuminoid "
            "in vitro. SH-SY5Y cells were pre-treated") in section_text(alz, "CSP had better protective effect "
                                                                         "against oligomeric Aβ in vitro")


def test_table_bodies_footnotes_and_supplements_are_not_text():
    crows = paper("behavecol-2018-counting-crows.xml").text
    assert "387.92" not in crows  # a table cell
    assert "Table 1. Pairwise comparisons of the presence categories’ proportions between seasons" in crows
    alz = paper("pmc5828200-curcuminoid-alzheimers.xml").text
    assert "The authors declare no conflicts of interest" not in alz  # a back-matter footnote
    assert "Supporting Information" not in headings(paper("plosone-2012-mmppox-mycobacterium.xml"))


def test_references_as_label_authors_year_title_source():
    kramers = paper("plosone-2015-kramers-moyal-noise.xml")
    assert kramers.references[0] == ("[1] Black F, Scholes M (1973). The Pricing of Options and Corporate "
                                     "Liabilities. Journal of Political Economy.")
    assert "Corporate Liabilities" not in kramers.text and "[1, 2]" in kramers.text  # the markers stay
    crows = paper("behavecol-2018-counting-crows.xml")
    assert crows.references[0] == ("Albert DM, Bowyer RT (1991). Factors related to grizzly bear: human "
                                   "interactions in Denali National Park. Wildl Soc Bull.")
    climate = paper("plosone-2013-dangerous-climate-change.xml")  # plain-text citations are kept whole
    assert len(climate.references) == 259
    assert climate.references[1].startswith("[2] Hansen J, Sato M, Ruedy R, Nazarenko L, Lacis A, et al.")
    assert "Ju Young Seok" not in paper("elife-2014-somatic-mtdna-mutations.xml").references[0]


def test_citations_keep_their_printed_text():
    elife = paper("elife-2014-somatic-mtdna-mutations.xml").text
    assert "according to The 1000 Genomes Project (1000 Genomes Project Consortium et al., 2010)" in elife
    bmc = paper("bmcmicrobiol-2011-phage-lambda-lysis.xml").text
    assert "A previous model (open arrows) [28,39] hypothesized" in bmc


def test_inline_markup_reads_as_printed():
    ehp = paper("ehp-2008-pbde47-thyroid.xml").text
    assert "depressed plasma thyroxine (T4), but not 3,5,3′-triiodothyronine (T3)" in ehp  # <sub>
    mm = paper("plosone-2012-mmppox-mycobacterium.xml").text
    assert "mc2155" in mm and "Ni2+-NTA" in mm  # a strain name and a charge stay as printed
    elife = paper("elife-2014-somatic-mtdna-mutations.xml").text
    assert "10^−10" in elife  # an exponent is not "10−10"
    assert "The Cancer Genome Atlas TCGA DNA sequencing data" in elife  # parts never run together
    crows = paper("behavecol-2018-counting-crows.xml").text
    assert "(Corvus corone ssp.)" in crows


def test_lists_are_paragraphs():
    onion = paragraphs(paper("plosone-2015-onion-routing-aib-or.xml"))
    assert "Failure tolerance is relatively poor. The palsy of any one of the intermediate onion router will " \
           "result in the palsy of the entire onion routing process." in onion
    elife = paragraphs(paper("elife-2014-somatic-mtdna-mutations.xml"))
    assert "1. Major sample swaps" in elife


def test_mathml_becomes_tex():
    kramers = paper("plosone-2015-kramers-moyal-noise.xml")
    assert "$$τ = T − t.$$ (2b)" in kramers.text
    assert "$$x = ln(\\frac{s}{K}) + (r − \\frac{1}{2}σ^2 + \\frac{1}{3}γ^3)τ,$$ (2a)" in kramers.text
    assert "$M^{(n)}(z, t, ϵ) = ϵn!D^{(n)}(z, t) + O(ϵ^2)$" in kramers.text
    assert kramers.notes == ()
    crows = paper("behavecol-2018-counting-crows.xml").text
    assert "$$CF = \\frac{C M_t − C M_{ind}}{C M_t}$$ (1)" in crows
    onion = paper("plosone-2015-onion-routing-aib-or.xml").text
    # A "$" inside a formula (x ←$ S: picked at random) would close it for every later reader.
    assert "For $a, b\\overset{＄}{←}Z_q^*$, we have ê(aP, bP) = e(P, P)^(ab)." in onion
    assert "\\$" not in onion


def test_compiles_through_the_pipeline():
    from arcxiv.pipeline import compile_paper

    p = paper("plosone-2015-kramers-moyal-noise.xml")
    cur = compile_paper(p)
    titles = [s.title for s in cur.sections]
    for h in ("Introduction", "Model", "Delta-hedged portfolio method", "Numerical example", "Conclusion"):
        assert h in titles


# --------------------------------------------------------------------------- small built inputs
def test_tex_math_keeps_only_the_math():
    wrapped = (r"<tex-math id='M1'><![CDATA[\documentclass[12pt]{minimal}\usepackage{amsmath}\usepackage{wasysym}"
               r"\begin{document}$$E = mc^2$$\end{document}]]></tex-math>")
    p = parse(article(f"<sec><title>Energy</title><p>The energy is</p><disp-formula>{wrapped}<label>(1)</label>"
                      "</disp-formula><p>and the rate is <inline-formula><tex-math>$r_0$</tex-math>"
                      "</inline-formula> per second.</p></sec>"))
    body = section_text(p, "Energy")
    assert "$$E = mc^2$$ (1)" in body and "$r_0$ per second." in body
    assert "documentclass" not in p.text and "usepackage" not in p.text


def test_unreadable_mathml_is_left_out_with_one_note():
    table = ("<mml:math xmlns:mml='http://www.w3.org/1998/Math/MathML'><mml:mtable><mml:mtr><mml:mtd><mml:mi>a"
             "</mml:mi></mml:mtd><mml:mtd><mml:mi>b</mml:mi></mml:mtd></mml:mtr><mml:mtr><mml:mtd><mml:mi>c</mml:mi>"
             "</mml:mtd></mml:mtr></mml:mtable></mml:math>")
    p = parse(article(f"<sec><title>Matrices</title><p>Take the matrix <disp-formula>{table}</disp-formula> "
                      f"and its twin <inline-formula>{table}</inline-formula> here.</p></sec>"))
    body = section_text(p, "Matrices")
    assert body == "Take the matrix and its twin here."
    assert "formula" not in p.text
    assert [n for n in p.notes if "MathML" in n] == [
        "2 formulas held only as MathML or as a picture could not be read as text and are left out of the text."]


def test_labels_numbered_sections_and_untitled_sections():
    p = parse(article("<sec><label>2</label><title>Data</title><p>We took data.</p><sec><label>2.1</label>"
                      "<title>Sources</title><p>From two places.</p></sec></sec><sec><title/><p>More words here."
                      "</p></sec><sec><title>Methods</title><p>We measured it.</p></sec>"))
    assert [(s.title, s.level) for s in p.sections] == [("Abstract", 1), ("2 Data", 1), ("2.1 Sources", 2),
                                                        ("Methods", 1)]
    assert "More words here." in section_text(p, "2.1 Sources")  # an untitled sec drops no words


def test_html_entities_without_the_dtd():
    head = '<!DOCTYPE article PUBLIC "-//NLM//DTD JATS (Z39.96) Journal Archiving" "JATS-archivearticle1.dtd">'
    body = ("<sec><title>Results</title><p>Widgets&nbsp;work&mdash;mostly at 5&deg;C &amp; above, &alpha; &lt; 1."
            "</p></sec>")
    for h in ("", head):  # without a DOCTYPE lxml would refuse &nbsp; outright
        p = parse(article(body, head=h))
        assert section_text(p, "Results") == "Widgets work—mostly at 5°C & above, α < 1."


def test_an_entity_only_a_dtd_defines_is_one_sentence():
    with pytest.raises(InputError) as err:
        parse(article("<sec><title>R</title><p>See &journalname; now.</p></sec>"), name="paper.xml")
    msg = str(err.value)
    assert "&journalname;" in msg and "paper.xml" in msg and one_sentence(msg)


def bomb(depth: int) -> str:
    decl = '<!ENTITY lol "lol">' + "".join(
        f'<!ENTITY lol{i} "{("&lol" + (str(i - 1) if i > 1 else "") + ";") * 10}">' for i in range(1, depth + 1))
    return article(f"<sec><title>Results</title><p>Before &lol{depth}; after.</p></sec>",
                   head=f"<!DOCTYPE article [{decl}]>")


def test_a_small_entity_tree_is_inert():
    p = parse(bomb(3))  # 1,000 "lol"s if it were expanded: it is not
    assert "lol" not in p.text and section_text(p, "Results") == "Before after."
    assert "1 entity reference, which ArcXiv never expands, is left out of the text." in p.notes


def test_billion_laughs_is_refused_at_once():
    start = time.perf_counter()
    with pytest.raises(InputError) as err:
        parse(bomb(9), name="bomb.xml")
    assert time.perf_counter() - start < 2
    msg = str(err.value)
    assert msg.startswith("bomb.xml declares entities that expand out of all proportion") and one_sentence(msg)


def test_external_entities_are_never_read(tmp_path):
    secret = tmp_path / "secret.txt"
    secret.write_text("TOP-SECRET-CONTENT", encoding="utf-8")
    dtd = tmp_path / "evil.dtd"
    dtd.write_text(f'<!ENTITY leak SYSTEM "{secret.as_uri()}">', encoding="utf-8")
    for head, use in ((f'<!DOCTYPE article [<!ENTITY x SYSTEM "{secret.as_uri()}">]>', "&x;"),
                      ('<!DOCTYPE article [<!ENTITY x SYSTEM "file:///etc/passwd">]>', "&x;"),
                      (f'<!DOCTYPE article [<!ENTITY % ext SYSTEM "{dtd.as_uri()}"> %ext;]>', "&leak;"),
                      (f'<!DOCTYPE article SYSTEM "{dtd.as_uri()}">', "&leak;")):
        p = parse(article(f"<sec><title>Results</title><p>Value {use} here.</p></sec>", head=head))
        assert "TOP-SECRET" not in p.text and "root:" not in p.text
        assert section_text(p, "Results") == "Value here."


class _Counter(BaseHTTPRequestHandler):
    hits = 0

    def do_GET(self):  # noqa: N802 (the http.server name)
        type(self).hits += 1
        body = b'<!ENTITY leak "LEAKED-OVER-HTTP">'
        self.send_response(200)
        self.send_header("Content-Type", "application/xml-dtd")
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def log_message(self, *args):
        pass


def test_a_remote_dtd_is_never_fetched():
    server = ThreadingHTTPServer(("127.0.0.1", 0), _Counter)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        url = f"http://127.0.0.1:{server.server_address[1]}/journalpublishing3.dtd"
        heads = (f'<!DOCTYPE article PUBLIC "-//NLM//DTD Journal Publishing DTD v3.0 20080202//EN" "{url}">',
                 f'<!DOCTYPE article [<!ENTITY % remote SYSTEM "{url}"> %remote;]>',
                 f'<!DOCTYPE article [<!ENTITY leak SYSTEM "{url}">]>')
        for head in heads:
            p = parse(article("<sec><title>Results</title><p>Value &leak; here.</p></sec>", head=head))
            assert "LEAKED" not in p.text and section_text(p, "Results") == "Value here."
        assert _Counter.hits == 0
    finally:
        server.shutdown()
        server.server_close()


@pytest.mark.parametrize("bad,line", [
    ("<article>\n<front>\n<p>unclosed</front></article>", 3),
    ("<article><front/>\n<body><p>fish & chips</p></body></article>", 2),
    ("<article><body><p>cut off", 1),
])
def test_not_well_formed_is_one_sentence_with_the_line(bad, line):
    with pytest.raises(InputError) as err:
        parse(bad, name="broken.xml")
    msg = str(err.value)
    assert msg.startswith("broken.xml is not well-formed XML") and f"line {line}" in msg
    assert "xmlParse" not in msg  # libxml2's own jargon is put in words
    assert one_sentence(msg), msg


@pytest.mark.parametrize("xml,root", [
    ("<html><body><article><p>A web page.</p></article></body></html>", "html"),
    ('<?xml version="1.0"?><feed xmlns="http://www.w3.org/2005/Atom"><entry/></feed>', "feed"),
    ("<TEI><text><body><p>A TEI file.</p></body></text></TEI>", "TEI"),
])
def test_xml_that_is_not_jats_is_one_sentence(xml, root):
    assert not looks_like(xml)
    with pytest.raises(InputError) as err:
        parse(xml, name="other.xml")
    msg = str(err.value)
    assert "not a JATS/NLM article" in msg and f"<{root}>" in msg and one_sentence(msg), msg


def test_looks_like():
    assert looks_like('<?xml version="1.0"?>\n<!-- made by hand -->\n<article><front><article-meta>')
    assert looks_like('<!DOCTYPE article PUBLIC "-//NLM//DTD JATS (Z39.96) Journal Archiving" "x.dtd"><article>')
    assert not looks_like("<!DOCTYPE html><html><body><article><p>Blog post</p></article></body></html>")
    assert not looks_like("An article about the front of a ship.")
    assert not looks_like("<article><p>No front matter at all</p></article>")


def test_a_large_paper_is_read_in_linear_time():
    # About 9 MB of XML (mostly table cells and references, which are no text) and one wide paragraph.
    cells = "<tr>" + "<td>1.5</td>" * 50 + "</tr>"
    table = f"<table-wrap><label>Table 1</label><caption><p>Big.</p></caption><table>{cells * 8000}</table>"
    refs = "".join(f"<ref><label>{i}</label><mixed-citation>Author A ({1900 + i % 100}) Title {i}. J."
                   "</mixed-citation></ref>" for i in range(40000))
    wide = "<p>" + "<italic>word</italic> and " * 20000 + "end.</p>"
    xml = article(f"<sec><title>Results</title>{wide}{table}</table-wrap></sec>").replace(
        "</body>", f"</body><back><ref-list>{refs}</ref-list></back>")
    assert len(xml) > 5_000_000
    start = time.perf_counter()
    p = parse(xml)
    assert time.perf_counter() - start < 20
    assert len(p.references) == 40000 and "Table 1. Big." in p.text and "1.5" not in p.text
