"""Ingest: bytes -> Paper, for every format, and a clear InputError for bad input."""
from __future__ import annotations

import hashlib
import json
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from arcxiv.errors import InputError
from arcxiv.ingest import FORMATS, MAX_BYTES, count_papers, detect_format, ingest
from arcxiv.ingest.latex import bibtex_to_text, split_math
from arcxiv.ingest.normalize import normalize_text

from .conftest import CORPUS, SEED

ABSTRACT = "We prove that the method converges. It is fast and simple."


def error_of(data: bytes, **kwargs) -> str:
    with pytest.raises(InputError) as info:
        ingest(data, **kwargs)
    return str(info.value)


# --------------------------------------------------------------------------- page (the seed)
def test_seed_page():
    paper = ingest(SEED.read_bytes(), name=SEED.name)
    assert paper.format == "page"
    assert paper.title.startswith("Feature Learning in Wide Neural Networks under μP")
    assert paper.title.endswith("Decomposition of the Mean-Field Limit")
    assert paper.text.startswith("We establish four structural results")
    assert paper.text.endswith("mean-field Langevin theory.")
    assert "Turn this paper" not in paper.text
    assert "ArcXiv compiles" not in paper.text
    assert "w*" in paper.text and "D*orb" in paper.text and "(σ, ρ)" in paper.text
    assert paper.sha256 == hashlib.sha256(paper.text.encode()).hexdigest()
    assert paper.sections == () and paper.paper_id is None


def test_page_authors_colon_and_blank_lines():
    data = (
        "A Study of Things\nAda Lovelace, Alan Turing and Grace Hopper\n\nabstract:\n\n"
        "We study things. They matter.\n\nSecond paragraph of it here.\n\nDownload PDF\nCite as: 1234\n"
    ).encode()
    paper = ingest(data)
    assert paper.format == "page"
    assert paper.authors == ("Ada Lovelace", "Alan Turing", "Grace Hopper")
    assert paper.text == "We study things. They matter.\n\nSecond paragraph of it here."


def test_page_hard_wrapped_abstract_is_not_cut_at_each_line():
    wrapped = (
        "We establish four structural results for feature learning in wide\n"
        "two-layer networks under the maximal update parametrization. First, we\n"
        "prove global existence of the limit. The finite-particle approximation\n"
        "has a uniform-in-time rate. The proofs are self-contained.\n"
    )
    data = f"Title Line\nAbstract\n{wrapped}Turn this into a lesson\nFurniture text.\n".encode()
    paper = ingest(data)
    assert paper.text == normalize_text(wrapped)
    assert "Turn this" not in paper.text


def test_page_without_abstract_line_when_forced():
    assert "Abstract" in error_of(b"Just a title\nSome text here that goes on.", fmt="page")


# --------------------------------------------------------------------------- arxiv-json
def test_corpus_counts_and_selection():
    data = CORPUS.read_bytes()
    records = [json.loads(line) for line in CORPUS.read_text().splitlines() if line.strip()]
    assert count_papers(data) == 30
    assert detect_format(data) == "arxiv-json"
    second = records[1]
    by_id = ingest(data, paper_id=second["id"])
    assert by_id.paper_id == second["id"]
    assert by_id.title == " ".join(second["title"].split())
    assert by_id.text == normalize_text(second["abstract"])
    assert by_id.categories == (second["category"],)
    by_position = ingest(data, paper_id="2")
    assert by_position == by_id
    assert ingest(data, paper_id="6").paper_id is None  # a record with "id": null, picked by position
    message = error_of(data)
    assert "30" in message and "--id" in message and records[0]["id"] in message
    assert "no paper with id" in error_of(data, paper_id="9999.99999")
    assert "no paper with id" in error_of(data, paper_id="31")


def test_every_corpus_paper_ingests():
    data = CORPUS.read_bytes()
    for position in range(1, count_papers(data) + 1):
        paper = ingest(data, paper_id=str(position))
        assert paper.text and paper.title and "\n\n\n" not in paper.text


def test_json_single_object_array_and_fields():
    record = {
        "id": "2101.00001v2",
        "title": "  A   Title\n spanning lines ",
        "abstract": ABSTRACT,
        "authors": "Ada Lovelace, Alan Turing, and Grace Hopper",
        "categories": "cs.LG stat.ML",
        "unknown": [1, 2],
    }
    pretty = json.dumps(record, indent=2).encode()  # one object over several lines
    paper = ingest(pretty)
    assert paper.format == "arxiv-json" and paper.paper_id == "2101.00001v2"
    assert paper.title == "A Title spanning lines"
    assert paper.authors == ("Ada Lovelace", "Alan Turing", "Grace Hopper")
    assert paper.categories == ("cs.LG", "stat.ML")
    other = dict(record, id="2101.00002", authors=["X Y", "Z W"], categories=["math.ST"])
    array = json.dumps([record, other]).encode()
    assert count_papers(array) == 2
    chosen = ingest(array, paper_id="2101.00002")
    assert chosen.authors == ("X Y", "Z W") and chosen.categories == ("math.ST",)
    assert ingest(array, paper_id="2101.00001").paper_id == "2101.00001v2"  # version-less id
    assert "2 papers" in error_of(array)


def test_json_latex_accents_in_author_names():
    record = {"id": "x", "title": "T", "abstract": ABSTRACT, "authors": "Kurt G\\\"odel and Paul Erd\\H{o}s"}
    assert ingest(json.dumps(record).encode()).authors == ("Kurt Gödel", "Paul Erdős")


def test_json_errors():
    assert "line 2" in error_of(b'{"id": "a", "abstract": "One two three four."}\n{"id": "b", "abstract": \n')
    assert "line 3" in error_of(b'{\n  "id": "a",\n  "abstract" "x"\n}', fmt="arxiv-json")
    assert "no abstract found" in error_of(b'{"id": "a", "title": "T", "abstract": null}')
    assert "no abstract found" in error_of(b'{"id": "a", "title": "T", "abstract": "   "}')
    assert "no papers" in error_of(b"[]")
    assert "not an object" in error_of(b"[1, 2]", fmt="arxiv-json")
    assert "should be text" in error_of(b'{"id": "a", "abstract": {"x": 1}}')
    assert "too deeply" in error_of(b'{"a": ' * 100_000 + b"1" + b"}" * 100_000)


# --------------------------------------------------------------------------- atom
ATOM = """<?xml version="1.0" encoding="UTF-8"?>
<feed xmlns="http://www.w3.org/2005/Atom" xmlns:arxiv="http://arxiv.org/schemas/atom">
  <title>ArXiv Query</title>
  <entry>
    <id>http://arxiv.org/abs/2101.00001v1</id>
    <title>First   Paper
      on Things</title>
    <summary>  We prove that things converge.
      The proof is short.  </summary>
    <author><name>Ada Lovelace</name></author>
    <author><name>Alan Turing</name></author>
    <arxiv:primary_category term="cs.LG"/>
    <category term="cs.LG" scheme="http://arxiv.org/schemas/atom"/>
    <category term="stat.ML" scheme="http://arxiv.org/schemas/atom"/>
  </entry>
  <entry>
    <id>http://arxiv.org/abs/hep-th/9901001v2</id>
    <title>Second Paper</title>
    <summary>Strings are studied here in detail &amp; depth.</summary>
    <author><name>Grace Hopper</name></author>
  </entry>
</feed>
"""


def test_atom_two_entries():
    data = ATOM.encode()
    assert detect_format(data) == "atom" and count_papers(data) == 2
    assert "2 papers" in error_of(data) and "2101.00001v1" in error_of(data)
    first = ingest(data, paper_id="2101.00001v1")
    assert first.format == "atom" and first.title == "First Paper on Things"
    assert first.text == "We prove that things converge. The proof is short."
    assert first.authors == ("Ada Lovelace", "Alan Turing")
    assert first.categories == ("cs.LG", "stat.ML")
    second = ingest(data, paper_id="2")
    assert second.paper_id == "hep-th/9901001v2" and second.text.endswith("detail & depth.")


def test_atom_errors():
    assert "well-formed" in error_of(b'<?xml version="1.0"?><feed xmlns="http://www.w3.org/2005/Atom"><entry>')
    assert "not an Atom feed" in error_of(b"<?xml version='1.0'?><rss><item/></rss>")
    assert "no <entry>" in error_of(b'<feed xmlns="http://www.w3.org/2005/Atom"><title>x</title></feed>')


BILLION_LAUGHS = b"""<?xml version="1.0"?>
<!DOCTYPE lolz [
 <!ENTITY lol "lol">
 <!ENTITY lol2 "&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;">
 <!ENTITY lol3 "&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;">
]>
<feed xmlns="http://www.w3.org/2005/Atom"><entry><summary>&lol3;</summary></entry></feed>
"""
EXTERNAL_ENTITY = b"""<?xml version="1.0"?>
<!DOCTYPE feed [<!ENTITY xxe SYSTEM "file:///etc/passwd">]>
<feed xmlns="http://www.w3.org/2005/Atom"><entry><summary>&xxe;</summary></entry></feed>
"""


@pytest.mark.parametrize("data", [BILLION_LAUGHS, EXTERNAL_ENTITY])
def test_atom_refuses_entities(data):
    message = error_of(data)
    assert "DTD" in message and "refuses" in message


# --------------------------------------------------------------------------- bibtex
BIB = r"""% Encoding: UTF-8
@article{goedel2024,
  title = {On {GAN} Training \emph{without} Tears},
  author = {G{\"o}del, Kurt and Erd\H{o}s, Paul and {\AA}str\"{o}m, Karl and {Barnes and Noble}},
  abstract = {We study {\"o}ptimisation in $\mathcal{O}(n)$ time, costing 5\% less with \textbf{no} {\'e}clat.
    Stra\ss e, \c{c}a, \v{s}um, \^{o}te, \~na, \`a, \o, \aa{} and {\L}\'od\'z. Keep $\{x \mid x_{\"o}\}$ and \$3.},
  primaryClass = {cs.LG},
}

@misc(second,
  title = "Second",
  abstract = "Another abstract with several words."
)
"""


def test_bibtex_entries_accents_and_math():
    data = BIB.encode()
    assert detect_format(data) == "bibtex" and count_papers(data) == 2
    paper = ingest(data, paper_id="goedel2024")
    assert paper.format == "bibtex" and paper.paper_id == "goedel2024"
    assert paper.title == "On GAN Training without Tears"
    assert paper.authors == ("Kurt Gödel", "Paul Erdős", "Karl Åström", "Barnes and Noble")
    assert paper.categories == ("cs.LG",)
    assert "We study öptimisation in $\\mathcal{O}(n)$ time, costing 5% less with no éclat." in paper.text
    assert "Straße, ça, šum, ôte, ña, à, ø, å and Łódź." in paper.text
    assert "$\\{x \\mid x_{\\\"o}\\}$" in paper.text  # math is verbatim, accents and all
    assert paper.text.endswith("and $3.")
    assert ingest(data, paper_id="2").title == "Second"
    assert "2 papers" in error_of(data) and "goedel2024" in error_of(data)


def test_bibtex_errors():
    assert "unbalanced braces" in error_of(b"@article{k, title={A {GAN} test, abstract={x y z}}")
    assert "unbalanced braces" in error_of(b"@article{k, title={x}}}")
    assert "could not be parsed" in error_of(b"@article{k title={x}}")
    assert "two entries" in error_of(b"@article{k, abstract={a b c d}}\n@article{k, abstract={e f g h}}")
    assert "no abstract found" in error_of(b"@article{k, title={Only a title}}")
    assert "no BibTeX entries" in error_of(b"% nothing here\n", fmt="bibtex")


def test_bibtex_never_executes_commands():
    paper = ingest(rb"@article{k, abstract={We read \input{/etc/passwd} as plain words here.}}")
    assert "\\input/etc/passwd" in paper.text  # left as literal text, braces dropped


def test_latex_helpers():
    assert bibtex_to_text(r"{\"o} \"{o} \"o \'e \`a \^o \~n \c{c} \v{s} \ss{} \o{} \aa") == "ö ö ö é à ô ñ ç š ß ø å"
    assert bibtex_to_text(r"\'{\i}") == "í"
    assert bibtex_to_text(r"a $b_{\"o}$ c") == r"a $b_{\"o}$ c"
    pieces = split_math(r"cost \$5 and $x$ and $$y$$ and \(z\) and $unclosed")
    assert "".join(p for _, p in pieces) == r"cost \$5 and $x$ and $$y$$ and \(z\) and $unclosed"
    assert [p for is_math, p in pieces if is_math] == ["$x$", "$$y$$", r"\(z\)"]


# --------------------------------------------------------------------------- markdown
MARKDOWN = """<!-- draft -->
# A **Bold** Title

Intro text before any section, with w* and D*orb and $a_i * b_j$ kept.

## Abstract

We show *emphasis* and __strong__ and `code` and [a link](http://x.org) ![img](a.png) here.
The weight w* and S* atoms survive, as does snake_case_name.

## Results

- first item without a full stop
* second item.
1. numbered item

### Empty

## Discussion
Final words of the paper here.
"""


def test_markdown_sections_and_spans():
    paper = ingest(MARKDOWN.encode())
    assert paper.format == "markdown"
    assert paper.title == "A Bold Title"
    titles = [s.title for s in paper.sections]
    assert titles == ["A Bold Title", "Abstract", "Results", "Discussion"]
    text_of = {s.title: paper.text[s.span[0] : s.span[1]] for s in paper.sections}
    assert text_of["A Bold Title"] == "Intro text before any section, with w* and D*orb and $a_i * b_j$ kept."
    assert text_of["Abstract"] == (
        "We show emphasis and strong and code and a link here. "
        "The weight w* and S* atoms survive, as does snake_case_name."
    )
    assert text_of["Results"] == "first item without a full stop\n\nsecond item.\n\nnumbered item"
    assert text_of["Discussion"] == "Final words of the paper here."
    assert "draft" not in paper.text and "#" not in paper.text
    # headings stay in the text as their own paragraphs (their words are the paper's), outside every section
    assert "\n\nResults\n\n" in paper.text and "\n\nAbstract\n\n" in paper.text
    spans = [s.span for s in paper.sections]
    assert spans == sorted(spans) and spans[-1][1] == len(paper.text)


def test_markdown_without_title_uses_first_words():
    paper = ingest(b"## Only\n\none two three four five six seven eight nine ten eleven twelve thirteen.\n")
    assert paper.title == "one two three four five six seven eight nine ten eleven twelve…"
    assert [s.title for s in paper.sections] == ["Only"]


def test_markdown_year_at_line_start_is_not_a_list():
    paper = ingest(b"# T\n\nThis was shown in\n2021. We extend it to more cases.\n")
    assert paper.text == "This was shown in 2021. We extend it to more cases."


# --------------------------------------------------------------------------- text
def test_text_with_title_line():
    paper = ingest(f"A Short Title\n\n{ABSTRACT}\n".encode(), paper_id="mine")
    assert paper.format == "text" and paper.title == "A Short Title" and paper.text == ABSTRACT
    assert paper.paper_id == "mine"


def test_text_without_title_line():
    body = "We prove that the method converges quickly in all of the cases that we consider here. It is simple."
    paper = ingest(body.encode())
    assert paper.title == "We prove that the method converges quickly in all of the cases…"
    assert paper.text == body


def test_normalisation_nfc_whitespace_and_crlf():
    data = "Title\r\n\r\nCafe\u0301   au\tlait\r\nis  hot.\r\n\r\n\r\n  Second   para. ".encode()
    paper = ingest(data)
    assert paper.text == "Café au lait is hot.\n\nSecond para."
    assert ingest("\ufeff".encode() + data) == paper  # a byte-order mark changes nothing


@settings(max_examples=200, deadline=None)
@given(st.text(alphabet=st.characters(blacklist_categories=("Cs",)), max_size=200))
def test_normalisation_is_idempotent(s):
    once = normalize_text(s)
    assert normalize_text(once) == once
    assert "\n\n\n" not in once and once == once.strip()


# --------------------------------------------------------------------------- detection and bad input
@pytest.mark.parametrize(
    ("data", "fmt"),
    [
        (b'  {"abstract": "a b c"}', "arxiv-json"),
        (b'[{"abstract": "a b c"}]', "arxiv-json"),
        (b"\n<?xml version='1.0'?><feed/>", "atom"),
        (b"<feed xmlns='x'/>", "atom"),
        (b"@article{k, abstract={a b c}}", "bibtex"),
        (b"@Misc (k, abstract={a b c})", "bibtex"),
        (b"Title\nAbstract:\nText of it.", "page"),
        (b"# Title\n\nText of it.", "markdown"),
        (b"[1] Not JSON, just text.", "text"),
        (b"Plain words only.", "text"),
    ],
)
def test_detection(data, fmt):
    assert detect_format(data) == fmt


def test_fmt_overrides_detection_and_unknown_fmt_lists_formats():
    paper = ingest(b"# Not a heading here\nWe prove a thing about another thing.", fmt="text")
    assert paper.format == "text" and paper.title == "# Not a heading here"
    message = error_of(b"some text here", fmt="docx")
    assert all(name in message for name in FORMATS)


@pytest.mark.parametrize(
    ("data", "expected"),
    [
        (b"", "empty"),
        (b"  \n\t \r\n ", "whitespace"),
        ("\u00a0\u2003\n".encode(), "whitespace"),
        (b"abc\x00def ghi jkl", "binary"),
        (bytes(range(1, 9)) * 100, "binary"),
        (b"\xff\xfeT\x00i\x00", "UTF-16"),
        (b"%PDF-1.7\n%\xe2\xe3\xcf\xd3", "PDF"),
        (b"Title\n\nCaf\xe9 is a word in many papers.", "offset 10"),
        (b"x" * (MAX_BYTES + 1), "the limit is 5 MB"),
        (b"Title\n\n12 34 56.", "no abstract found"),
        (b"Title\n\nTwo words", "no abstract found"),
    ],
)
def test_bad_input(data, expected):
    assert expected in error_of(data)


def test_size_is_checked_before_anything_else():
    assert "5.0 MB" in error_of(b"\x00" * (MAX_BYTES + 1))
    assert count_papers(b"x" * MAX_BYTES) == 1  # exactly the limit is fine to read


def test_invalid_utf8_names_offset_and_line():
    message = error_of(b"Title\nline two\n\x80abc")
    assert "offset 15" in message and "line 3" in message and "UTF-8" in message


def test_only_input_error_escapes_for_junk():
    junk = [b"{", b"[{", b"<?xml", b"<feed", b"@article{", b"@a{k,}", b"#", b"Abstract", b"}{", b"$$$"]
    for data in junk:
        with pytest.raises(InputError):
            ingest(data)


_JUNK_PIECES = [
    "{", "}", "[", "]", '"', ":", ",", "\n", "\n\n", " ", "@article", "@misc(", "<?xml ", "<feed>", "</feed>",
    "<entry>", "<summary>", "</summary>", "<!DOCTYPE x [", "&a;", "Abstract", "Abstract:\n", "# ", "## ", "- ",
    "1. ", "**", "__", "*", "_", "`", "$", "$$", "\\(", "\\)", '\\"', "{\\\"o}", "\\emph", "word", "We prove it.",
    '"abstract"', '"id"', "null", "\\", "<!--", "-->", "[x](y)", "![i](j)", "é", "\u0301", "---\n", "title:", "~",
]


@settings(max_examples=300, deadline=None)
@given(
    st.lists(st.sampled_from(_JUNK_PIECES), max_size=25).map("".join),
    st.sampled_from([None, *FORMATS]),
    st.sampled_from([None, "1", "2", "x"]),
)
def test_any_input_gives_a_paper_or_an_input_error(source, fmt, paper_id):
    try:
        paper = ingest(source.encode(), fmt=fmt, paper_id=paper_id)
    except InputError as err:
        assert str(err)
        return
    assert paper.title and len(paper.text.split()) >= 3
    assert normalize_text(paper.text) == paper.text
    assert paper.sha256 == hashlib.sha256(paper.text.encode()).hexdigest()
    for section in paper.sections:
        assert 0 <= section.span[0] < section.span[1] <= len(paper.text)
