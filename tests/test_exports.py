"""Exports: each format is read back by the tool it is for (Anki's own library, the csv module,
a GIFT parser written from Moodle's grammar, the IMS QTI 2.1 XSD) and must say what the
curriculum says."""
from __future__ import annotations

import csv
import html
import io
import json
import re
from pathlib import Path

import genanki
import pytest
from lxml import etree

from arcxiv.ingest import ingest
from arcxiv.models import Curriculum
from arcxiv.pipeline import compile_paper
from arcxiv.render.anki import deck_name, tag
from arcxiv.render.exports import BLANK, EXPORTERS, Sentences, one_line

from .conftest import QTI_XSD, SEED, corpus_lines

ROOT = Path(__file__).resolve().parents[1]
QTI = "{http://www.imsglobal.org/xsd/imsqti_v2p1}"

# A plain-text paper whose sentences are full of the characters GIFT, Anki and Markdown treat specially.
SPECIAL_PAPER = b"""Special Sets {a, b} = S: a Study of ~ and # Marks

We define the set {a, b} = S: a ~ b holds for #1 items. The relation ~ is the equivalence relation (ER) on S. \
First, we prove that {a} = {b} when a ~ b. Second, we show that the map f: S -> T preserves the # counts of every finite partition. \
These results hold only when S is finite.
"""
NASTY = '<b>x</b> & "q" {{c2::y}} a}}b::c \\ ~=#{}: [[Home]] #tag $x$ *em* ->'


def _compile(data: bytes) -> Curriculum:
    return compile_paper(ingest(data))


@pytest.fixture(scope="module")
def seed() -> Curriculum:
    return _compile(SEED.read_bytes())


@pytest.fixture(scope="module")
def golden() -> Curriculum:
    """The published example curriculum, as a user would export it from its JSON."""
    return Curriculum.model_validate_json((ROOT / "tests" / "golden" / "example.curriculum.json").read_text("utf-8"))


@pytest.fixture(scope="module")
def corpus() -> list[Curriculum]:
    return [_compile(line.encode()) for line in corpus_lines()]


@pytest.fixture(scope="module")
def special() -> Curriculum:
    return _compile(SPECIAL_PAPER)


def make_nasty(seed: Curriculum) -> Curriculum:
    """The seed with hostile text injected into every field an exporter writes, every quiz kind included."""
    cur = seed.model_copy(deep=True)
    cur.source.title = "A {title} = with :: and # / \\ " + NASTY
    for i, c in enumerate(cur.flashcards):
        c.back.text = f"{NASTY} {i}"
        if c.kind != "cloze":
            c.front.text = f"{NASTY} front {i}?"
        c.tags = c.tags + ["has space"]
    seen: dict[str, int] = {}
    for q in cur.quiz:
        seen[q.kind] = seen.get(q.kind, 0) + 1
        if seen[q.kind] > 2:
            continue
        q.prompt.text = f"{NASTY} {q.prompt.text}"
        q.explanation.text = f"{NASTY} because"
        if q.kind in ("mcq", "ordering", "matching"):
            q.choices = [f"{NASTY} {c}" for c in q.choices]
        if q.kind == "matching":
            q.left = [f"{l} ~ {{x}}" for l in q.left]
        if q.kind == "fill_blank":  # the second one cannot be said in GIFT: Moodle would read it as matching
            q.answer = "w* = {a: b} ~ #1" if seen[q.kind] == 1 else "S -> T"
    cur.terms[0].label = "a/b: c*?|[x]"
    cur.terms[1].label = "A/B: C*?|[X]"  # same safe name up to case: the vault must not collide
    return cur


@pytest.fixture(scope="module")
def nasty(seed) -> Curriculum:
    return make_nasty(seed)


@pytest.fixture(scope="module")
def all_curricula(golden, seed, corpus, special, nasty) -> list[Curriculum]:
    return [golden, seed, special, nasty, *corpus]


def _export(cur: Curriculum, fmt: str) -> dict[str, bytes]:
    out = EXPORTERS[fmt](cur)
    assert out and all(isinstance(v, bytes) for v in out.values())
    assert all(not p.startswith("/") and ".." not in Path(p).parts for p in out)
    return out


def test_registry_has_every_format(seed):
    assert set(EXPORTERS) == {"anki", "csv", "gift", "qti", "markdown", "html"}
    for fmt in EXPORTERS:
        _export(seed, fmt)


def test_special_paper_really_contains_the_special_characters(special):
    texts = [c.front.text + c.back.text for c in special.flashcards] + [q.prompt.text for q in special.quiz]
    for ch in "{}=~#:":
        assert any(ch in t for t in texts), ch


# ----------------------------------------------------------------------------- Anki (.apkg)
try:  # Anki's own library reads what we write; without it only the Anki checks are skipped
    from anki.collection import Collection
    from anki.import_export_pb2 import ImportAnkiPackageOptions, ImportAnkiPackageRequest, ImportCsvRequest
except ImportError:  # pragma: no cover
    Collection = None
needs_anki = pytest.mark.skipif(Collection is None, reason="Anki's Python library is not installed")


def _rendered(card_html: str) -> str:
    """What a reviewer reads: the card's HTML without its style sheet and tags."""
    return html.unescape(re.sub(r"<[^>]+>", "", re.sub(r"<style>.*?</style>", "", card_html, flags=re.S)))


def _import_apkg(col, path: Path):
    req = ImportAnkiPackageRequest(package_path=str(path),
                                   options=ImportAnkiPackageOptions(merge_notetypes=True, with_scheduling=False))
    return col.import_anki_package(req).log


def _write_apkg(cur: Curriculum, where: Path) -> Path:
    (name, data), = _export(cur, "anki").items()
    assert name.endswith(".apkg") and "/" not in name
    path = where / name
    path.write_bytes(data)
    return path


@needs_anki
@pytest.mark.parametrize("which", ["seed", "special", "nasty", "corpus0", "corpus1", "corpus2"])
def test_apkg_imports_into_anki_and_says_what_the_curriculum_says(which, request, tmp_path):
    cur = (request.getfixturevalue("corpus")[int(which[-1])] if which.startswith("corpus")
           else request.getfixturevalue(which))
    assert cur.flashcards
    col = Collection(str(tmp_path / "collection.anki2"))
    try:
        log = _import_apkg(col, _write_apkg(cur, tmp_path))
        assert len(log.new) == len(cur.flashcards)
        assert col.note_count() == len(cur.flashcards)
        decks = {d.name for d in col.decks.all_names_and_ids()}
        assert deck_name(cur) in decks
        lessons = {l.id: l for l in cur.lessons}
        for card in cur.flashcards:
            nid = col.db.scalar("select id from notes where guid = ?", genanki.guid_for(card.id))
            note = col.get_note(nid)
            fields = {k: html.unescape(v) for k, v in note.items()}
            assert fields["Back"] == card.back.text
            for a, b in card.back.spans:  # the source field quotes the sentences the back is cut from
                assert one_line(cur.source.text[a:b]) in one_line(fields["Source"])
            lesson = lessons[card.lesson_id]
            assert fields["Lesson"] == f"{lesson.number:02d} {lesson.title}"
            assert {tag(t).lower() for t in card.tags} <= {t.lower() for t in note.tags}
            assert all(" " not in t for t in note.tags)
            anki_cards = note.cards()
            assert len(anki_cards) == 1
            assert col.decks.name(anki_cards[0].did) == deck_name(cur, f"{lesson.number:02d} {lesson.title}")
            answer = _rendered(anki_cards[0].answer())
            if card.kind == "cloze":
                assert note.note_type()["name"] == "ArcXiv Cloze"
                assert "{{c1::" in note["Text"] and note["Text"].count("{{c") == 1
                # Anki renders the blank as [...] on the front and the back text in its place on the back
                assert _rendered(anki_cards[0].question()) == card.front.text.replace(BLANK, "[...]", 1)
                assert answer.startswith(card.front.text.replace(BLANK, card.back.text, 1))
            else:
                assert note.note_type()["name"] == "ArcXiv Basic"
                assert fields["Front"] == card.front.text
                assert card.front.text in answer and card.back.text in answer
            # untrusted text never reaches Anki as markup
            assert "<b>" not in note.joined_fields() and "<script" not in note.joined_fields()
    finally:
        col.close()


@needs_anki
def test_reimport_and_recompile_update_instead_of_duplicating(seed, tmp_path):
    col = Collection(str(tmp_path / "collection.anki2"))
    try:
        _import_apkg(col, _write_apkg(seed, tmp_path))
        n = col.note_count()
        assert n == len(seed.flashcards)
        log = _import_apkg(col, _write_apkg(seed, tmp_path))
        assert not log.new and col.note_count() == n
        again = _compile(SEED.read_bytes())  # a fresh compile of the same paper
        (tmp_path / "2").mkdir()
        log = _import_apkg(col, _write_apkg(again, tmp_path / "2"))
        assert not log.new and col.note_count() == n
    finally:
        col.close()


def test_note_type_and_deck_ids_are_stable(seed):
    from arcxiv.render import anki

    assert anki.BASIC.model_id == anki.stable_id("arcxiv.notetype.basic/1")
    assert anki.BASIC.model_id != anki.CLOZE.model_id
    assert all((1 << 30) <= i < (1 << 31) for i in (anki.BASIC.model_id, anki.CLOZE.model_id))
    assert anki.stable_id(deck_name(seed)) == anki.stable_id(deck_name(seed))


# ----------------------------------------------------------------------------- CSV / TSV
def _tsv_headers(text: str) -> tuple[dict[str, str], list[str]]:
    lines = text.split("\n")
    headers = {}
    while lines and lines[0].startswith("#"):
        key, _, value = lines.pop(0)[1:].partition(":")
        headers[key] = value
    return headers, [l for l in lines if l]


@pytest.mark.parametrize("which", ["seed", "special", "nasty"])
def test_cards_tsv_headers_and_rows(which, request):
    cur = request.getfixturevalue(which)
    text = _export(cur, "csv")["cards.tsv"].decode("utf-8")
    headers, rows = _tsv_headers(text)
    assert headers["separator"] == "tab" and headers["html"] == "false"
    assert headers["guid column"] == "1" and headers["tags column"] == "4" and headers["deck column"] == "5"
    assert headers["columns"].split("\t") == ["GUID", "Front", "Back", "Tags", "Deck"]
    parsed = list(csv.reader(io.StringIO("\n".join(rows)), delimiter="\t"))
    assert len(parsed) == len(cur.flashcards)
    titles = {l.id: f"{l.number:02d} {l.title}" for l in cur.lessons}
    for row, card in zip(parsed, cur.flashcards):
        assert row == [genanki.guid_for(card.id), one_line(card.front.text), one_line(card.back.text),
                       " ".join(tag(t) for t in card.tags), deck_name(cur, titles[card.lesson_id])]


@needs_anki
@pytest.mark.parametrize("which", ["seed", "nasty"])
def test_anki_reads_the_tsv_headers_and_imports_every_card(which, request, tmp_path):
    """Anki's own text importer agrees with the headers, and finds the same GUIDs as the .apkg."""
    cur = request.getfixturevalue(which)
    path = tmp_path / "cards.tsv"
    path.write_bytes(_export(cur, "csv")["cards.tsv"])
    col = Collection(str(tmp_path / "collection.anki2"))
    try:
        meta = col.get_csv_metadata(str(path), None)
        assert meta.delimiter == meta.Delimiter.TAB and meta.force_delimiter
        assert not meta.is_html and meta.force_is_html
        assert (meta.guid_column, meta.tags_column, meta.deck_column) == (1, 4, 5)
        assert list(meta.global_notetype.field_columns) == [2, 3]  # Front, Back of "Basic"
        log = col.import_csv(ImportCsvRequest(path=str(path), metadata=meta)).log
        assert len(log.new) == col.note_count() == len(cur.flashcards)
        for card in cur.flashcards:
            nid = col.db.scalar("select id from notes where guid = ?", genanki.guid_for(card.id))
            note = col.get_note(nid)
            assert html.unescape(note["Front"]) == one_line(card.front.text)
            assert html.unescape(note["Back"]) == one_line(card.back.text)
    finally:
        col.close()


@pytest.mark.parametrize("which", ["seed", "special", "nasty"])
def test_quizlet_and_quiz_csv(which, request):
    cur = request.getfixturevalue(which)
    out = _export(cur, "csv")
    lines = out["quizlet.tsv"].decode("utf-8").split("\n")
    assert lines[-1] == "" and len(lines) - 1 == len(cur.flashcards)
    for line, card in zip(lines, cur.flashcards):
        assert line.split("\t") == [one_line(card.front.text), one_line(card.back.text)]

    data = out["quiz.csv"].decode("utf-8")
    assert data.endswith("\r\n")
    rows = list(csv.DictReader(io.StringIO(data, newline="")))
    assert list(rows[0]) == ["id", "kind", "prompt", "choices", "answer", "explanation", "lesson"]
    assert len(rows) == len(cur.quiz)
    for row, q in zip(rows, cur.quiz):
        assert (row["id"], row["kind"], row["prompt"], row["explanation"]) == (q.id, q.kind, q.prompt.text,
                                                                               q.explanation.text)
        assert row["choices"] == " | ".join(q.choices)
        if q.kind == "mcq":
            assert row["answer"] == q.choices[q.answer]
        elif q.kind in ("true_false", "fill_blank"):
            assert row["answer"] == str(q.answer)
        elif q.kind == "ordering":
            assert row["answer"] == " | ".join(q.choices[i] for i in q.answer)
        else:
            assert row["answer"] == "; ".join(f"{l} -> {q.choices[i]}" for l, i in zip(q.left, q.answer))


# ----------------------------------------------------------------------------- GIFT
class GiftParser:
    """Recursive descent over Moodle's GIFT grammar (docs.moodle.org "GIFT format"):

        file      := block { blank-line block }
        block     := { comment-line } [ question ]
        question  := [ "::" name "::" ] [ "[" format "]" ] stem "{" answers "}" [ tail ]
        answers   := ( tf [ "#" text ] | { answer } ) [ "####" general-feedback ]
        tf        := "TRUE" | "FALSE" | "T" | "F"
        answer    := ( "=" | "~" ) [ "%" weight "%" ] text [ "->" text ] [ "#" feedback ]

    A backslash escapes ``~ = # { } :`` and itself (Moodle also reads ``\\n`` as a newline);
    any other backslash is kept. The lexer turns the text into (character, escaped) pairs, so
    the rules below only ever see unescaped control characters as control characters.
    """

    ESCAPABLE = set("~=#{}:\\")

    def __init__(self, src: str):
        self.toks: list[tuple[str, bool]] = []
        i = 0
        while i < len(src):
            if src[i] == "\\" and i + 1 < len(src) and (src[i + 1] in self.ESCAPABLE or src[i + 1] == "n"):
                self.toks.append(("\n" if src[i + 1] == "n" else src[i + 1], True))
                i += 2
            else:
                self.toks.append((src[i], False))
                i += 1
        self.i = 0

    # -- token helpers
    def at(self, s: str) -> bool:
        seg = self.toks[self.i:self.i + len(s)]
        return len(seg) == len(s) and all(c == ch and not esc for (c, esc), ch in zip(seg, s))

    def expect(self, s: str) -> None:
        assert self.at(s), f"expected {s!r} at {self.rest()[:60]!r}"
        self.i += len(s)

    def until(self, *stops: str) -> str:
        out = []
        while self.i < len(self.toks) and not any(self.at(s) for s in stops):
            out.append(self.toks[self.i][0])
            self.i += 1
        return "".join(out)

    def rest(self) -> str:
        return "".join(c for c, _ in self.toks[self.i:])

    def ws(self) -> None:
        while self.i < len(self.toks) and self.toks[self.i][0].isspace() and not self.toks[self.i][1]:
            self.i += 1

    # -- grammar
    @classmethod
    def parse_file(cls, text: str) -> tuple[list[dict], list[str]]:
        questions, comments = [], []
        for block in re.split(r"\n[ \t]*\n", text):
            lines = block.split("\n")
            comments += [l.strip() for l in lines if l.strip().startswith("//")]
            body = "\n".join(l for l in lines if not l.strip().startswith("//")).strip()
            if body:
                questions.append(cls(body).question())
        return questions, comments

    def question(self) -> dict:
        q: dict = {"name": None, "format": None}
        self.ws()
        if self.at("::"):
            self.expect("::")
            q["name"] = self.until("::").strip()
            self.expect("::")
        self.ws()
        if self.at("["):
            self.expect("[")
            q["format"] = self.until("]")
            self.expect("]")
        q["stem"] = self.until("{").strip()
        self.expect("{")
        q.update(self.answers())
        self.expect("}")
        q["tail"] = self.rest().strip()
        return q

    def answers(self) -> dict:
        self.ws()
        out: dict = {"answers": [], "feedback": None}
        for word in ("TRUE", "FALSE", "T", "F"):
            if self.at(word):
                self.expect(word)
                out["kind"], out["tf"] = "true_false", word[0] == "T"
                self.ws()
                if self.at("#") and not self.at("####"):
                    self.expect("#")
                    self.until("####", "}")
                break
        else:
            while self.at("=") or self.at("~"):
                out["answers"].append(self.answer())
            kinds = {a["marker"] for a in out["answers"]}
            if "~" in kinds:
                out["kind"] = "mcq"
            elif out["answers"] and all(a["right"] is not None for a in out["answers"]):
                out["kind"] = "matching"
            else:
                out["kind"] = "short"
        if self.at("####"):
            self.expect("####")
            out["feedback"] = self.until("}").strip()
        self.ws()
        return out

    def answer(self) -> dict:
        marker = self.toks[self.i][0]
        self.i += 1
        weight = None
        if self.at("%"):
            self.expect("%")
            weight = self.until("%")
            self.expect("%")
        text = self.until("=", "~", "#", "}")
        left, sep, right = text.partition("->")
        a = {"marker": marker, "weight": weight, "text": text.strip(), "left": left.strip() if sep else None,
             "right": right.strip() if sep else None, "feedback": None}
        if self.at("#") and not self.at("####"):
            self.expect("#")
            a["feedback"] = self.until("=", "~", "####", "}").strip()
        return a


def test_gift_parser_reads_moodles_own_examples():
    text = ("// comment\n::Q1:: 1+1\\=2 {T}\n\n::Grant::Who's buried in Grant's tomb?{~Grant ~Jefferson =no one}\n\n"
            "Match.{=Canada -> Ottawa =Italy -> Rome ####capitals}\n\nWho\\: {=no one#right =nobody}")
    qs, comments = GiftParser.parse_file(text)
    assert comments == ["// comment"]
    assert (qs[0]["name"], qs[0]["stem"], qs[0]["kind"], qs[0]["tf"]) == ("Q1", "1+1=2", "true_false", True)
    assert qs[1]["kind"] == "mcq" and [a["text"] for a in qs[1]["answers"]] == ["Grant", "Jefferson", "no one"]
    assert qs[2]["kind"] == "matching" and qs[2]["answers"][1]["right"] == "Rome" and qs[2]["feedback"] == "capitals"
    assert qs[3]["stem"] == "Who:" and qs[3]["kind"] == "short" and qs[3]["answers"][0]["feedback"] == "right"


def _gift_expected(q) -> tuple[str, list]:
    if q.kind == "mcq":
        return "mcq", [("=" if i == q.answer else "~", one_line(c)) for i, c in enumerate(q.choices)]
    if q.kind == "true_false":
        return "true_false", [q.answer == "true"]
    if q.kind == "fill_blank":  # Moodle short answers read a bare "*" as a wildcard
        return "short", [one_line(str(q.answer)).replace("*", "\\*")]
    if q.kind == "matching":
        return "matching", [(one_line(l), one_line(q.choices[i])) for l, i in zip(q.left, q.answer)]
    return "matching", [(str(n), one_line(q.choices[i])) for n, i in enumerate(q.answer, 1)]


def _gift_got(p) -> tuple[str, list]:
    """What Moodle shows: question text, choices and matching items are HTML (short answers are not)."""
    u = html.unescape
    if p["kind"] == "mcq":
        return "mcq", [(a["marker"], u(a["text"])) for a in p["answers"]]
    if p["kind"] == "true_false":
        return "true_false", [p["tf"]]
    if p["kind"] == "short":
        return "short", [a["text"] for a in p["answers"]]
    return "matching", [(u(a["left"]), u(a["right"])) for a in p["answers"]]


def test_gift_round_trips_every_question(all_curricula):
    left_out = 0
    for cur in all_curricula:
        text = _export(cur, "gift")["quiz.gift"].decode("utf-8")
        questions, comments = GiftParser.parse_file(text)
        by_name = {q["name"]: q for q in questions}
        assert len(by_name) == len(questions)
        for q in cur.quiz:
            if q.id not in by_name:  # only items GIFT cannot express may be missing, and they are named
                assert any(c.startswith(f"// {q.id}:") for c in comments)
                assert any("left out" in c for c in comments)
                left_out += 1
                assert "->" in str(q.answer) or any("->" in l for l in q.left) or len(q.choices) < 2
                continue
            p = by_name.pop(q.id)
            assert html.unescape(p["stem"]) == one_line(q.prompt.text) and "<" not in p["stem"]
            assert html.unescape(p["feedback"]) == one_line(q.explanation.text) and "<" not in p["feedback"]
            assert p["tail"] == "" and p["format"] is None
            assert _gift_got(p) == _gift_expected(q), q.id
        assert not by_name  # nothing in the file that is not in the quiz
    assert left_out == 1  # the hostile fill-blank answer "S -> T", and nothing else


def test_gift_escapes_special_characters(special, nasty):
    for cur in (special, nasty):
        text = _export(cur, "gift")["quiz.gift"].decode("utf-8")
        for line in text.split("\n"):
            if not line or line.startswith("//"):
                continue
            bare = re.sub(r"\\.", "", line)  # what is left once escaped characters are removed
            assert bare.count("{") == bare.count("}") == 1, line
            assert bare.count("::") == 2 and bare.startswith("::"), line
    text = _export(special, "gift")["quiz.gift"].decode("utf-8")
    assert "\\{a, b\\} \\= S" in text and "a \\~ b" in text and "\\#" in text


# ----------------------------------------------------------------------------- QTI 2.1
@pytest.fixture(scope="module")
def qti_schema():
    if not QTI_XSD.exists():
        pytest.skip(f"QTI schemas not found at {QTI_XSD}")
    return etree.XMLSchema(etree.parse(str(QTI_XSD), etree.XMLParser(no_network=True)))


def test_qti_items_validate_against_the_ims_xsd(all_curricula, qti_schema):
    interaction = {"mcq": "choiceInteraction", "true_false": "choiceInteraction",
                   "fill_blank": "textEntryInteraction", "matching": "matchInteraction",
                   "ordering": "orderInteraction"}
    for cur in all_curricula:
        out = _export(cur, "qti")
        assert len(out) == len(cur.quiz) + 1
        manifest = etree.fromstring(out["qti/imsmanifest.xml"])
        hrefs = [r.get("href") for r in manifest.iter("{http://www.imsglobal.org/xsd/imscp_v1p1}resource")]
        assert sorted(f"qti/{h}" for h in hrefs) == sorted(p for p in out if p != "qti/imsmanifest.xml")
        for q in cur.quiz:
            doc = etree.fromstring(out[f"qti/items/{q.id}.xml"])
            qti_schema.assertValid(doc)
            assert doc.get("identifier") == q.id
            assert doc.find(f".//{QTI}{interaction[q.kind]}") is not None
            rp = doc.find(f"{QTI}responseProcessing")
            assert rp.get("template").endswith("/rptemplates/match_correct")
            values = [v.text for v in doc.iterfind(f"{QTI}responseDeclaration/{QTI}correctResponse/{QTI}value")]
            text_of = {c.get("identifier"): c.text
                       for c in doc.iter(f"{QTI}simpleChoice", f"{QTI}simpleAssociableChoice")}
            if q.kind == "mcq":
                assert [text_of[v] for v in values] == [q.choices[q.answer]]
            elif q.kind == "true_false":
                assert [text_of[v].lower() for v in values] == [q.answer]
            elif q.kind == "fill_blank":
                assert values == [str(q.answer)]
            elif q.kind == "ordering":
                assert [text_of[v] for v in values] == [q.choices[i] for i in q.answer]
            else:
                pairs = [tuple(text_of[x] for x in v.split()) for v in values]
                assert pairs == [(l, q.choices[i]) for l, i in zip(q.left, q.answer)]


# ----------------------------------------------------------------------------- Markdown vault
LINK = re.compile(r"(?<!\\)\[\[([^\]|#]+)(?:#[^\]|]*)?(?:\|[^\]]*)?\]\]")


def _vault(cur: Curriculum) -> dict[str, str]:
    out = _export(cur, "markdown")
    assert all(p.startswith("vault/") and p.endswith(".md") and p.count("/") == 1 for p in out)
    return {p[len("vault/"):-len(".md")]: v.decode("utf-8") for p, v in out.items()}


def test_vault_links_resolve_and_join_lessons_and_terms(all_curricula):
    for cur in all_curricula:
        notes = _vault(cur)
        assert "Home" in notes and len({n.lower() for n in notes}) == len(notes)  # no clash on any OS
        assert len(notes) == len(cur.lessons) + len(cur.terms) + 2  # + Home, Source
        for name, text in notes.items():
            assert not re.search(r'[\\/:*?"<>|#^\[\]]', name), name
            for target in LINK.findall(text):
                assert target in notes, f"{name}: [[{target}]] does not resolve"
        home_links = set(LINK.findall(notes["Home"]))
        lesson_notes = [n for n in notes if n.startswith("Lesson ")]
        assert set(lesson_notes) <= home_links
        by_title: dict[str, list[str]] = {}  # a term note's H1 is its label
        for n in notes:
            if n not in lesson_notes and n not in ("Home", "Source"):
                by_title.setdefault(_md_plain(notes[n].split("\n", 1)[0][2:]), []).append(n)
        term_note = {t.id: by_title[re.sub(r"\s+", " ", t.label).strip()].pop(0) for t in cur.terms}
        assert set(term_note.values()) <= home_links
        for l in cur.lessons:
            ln = next(n for n in lesson_notes if n.startswith(f"Lesson {l.number:02d} "))
            links = set(LINK.findall(notes[ln]))
            assert {term_note[t] for t in l.terms} <= links  # lesson -> the terms it teaches
            for t in l.terms:
                assert ln in set(LINK.findall(notes[term_note[t]]))  # term -> back to its lessons


def _md_plain(text: str) -> str:
    return re.sub(r"\\(.)", r"\1", text)


def test_vault_keeps_every_citation(seed, special, nasty, corpus):
    for cur in (seed, special, nasty, *corpus[:5]):
        notes = _vault(cur)
        sents = Sentences(cur)
        source = dict(re.findall(r"^\*\*s(\d+)\*\* (.*) \^s\1$", notes["Source"], re.M))
        assert len(source) == len(sents.spans)
        for l in cur.lessons:
            text = next(v for n, v in notes.items() if n.startswith(f"Lesson {l.number:02d} "))
            for b in l.blocks:
                for st in b.statements:
                    if not st.spans:
                        continue
                    nums = sents.numbers(st)
                    cite = "[" + ", ".join(f"s{n}" for n in nums) + "]"
                    emphasis = "*" if st.kind == "scaffold" else ""  # scaffolding is set in italics
                    line = next((x for x in text.split("\n")
                                 if _md_plain(x).endswith(f"{one_line(st.text)}{emphasis} {cite}")), None)
                    assert line is not None, (l.number, st.text, cite)
                    if st.kind == "quote":  # the cited sentence really holds the quote
                        assert one_line(st.text) in " ".join(_md_plain(source[str(n)]) for n in nums)


# ----------------------------------------------------------------------------- HTML
def test_html_export_is_utf8_bytes_of_the_course(seed):
    from arcxiv.render.html import to_html

    assert EXPORTERS["html"](seed) == {p: t.encode("utf-8") for p, t in to_html(seed).items()}


def test_exports_do_not_depend_on_the_json_round_trip(seed):
    """The CLI will export from CURRICULUM.json: a curriculum read back from JSON exports the same text files."""
    from arcxiv.render.json_out import to_json

    back = Curriculum.model_validate(json.loads(to_json(seed)))
    for fmt in ("csv", "gift", "qti", "markdown"):
        assert EXPORTERS[fmt](back) == EXPORTERS[fmt](seed), fmt
