"""The whole compile: golden output for the example, the contract on every corpus abstract."""
from __future__ import annotations

import json
import os

import pytest

from arcxiv import wording as W

from arcxiv.wording import TEMPLATE_WORDS
from arcxiv.ingest import ingest
from arcxiv.models import Statement
from arcxiv.pipeline import compile_paper, render_files
from arcxiv.render.json_out import to_json
from arcxiv.schema import build_schema, shipped_schema, validate
from arcxiv.verify import FACT_WORDS, Verifier

from .conftest import ROOT, SEED, compiled, corpus_lines, run_checker

GOLDEN = ROOT / "tests" / "golden"


def test_golden_example(example):
    """Any change to the example's output is deliberate: ARCXIV_UPDATE_GOLDEN=1 rewrites the files."""
    files = render_files(example)
    for name in ("curriculum.json", "curriculum.md"):
        text = files[name]
        path = GOLDEN / f"example.{name}"
        if os.environ.get("ARCXIV_UPDATE_GOLDEN"):
            path.write_text(text, encoding="utf-8")
        assert text == path.read_text(encoding="utf-8"), f"{name} differs from {path}"


def test_same_input_same_bytes():
    data = SEED.read_bytes()
    assert to_json(compile_paper(ingest(data))) == to_json(compile_paper(ingest(data)))


def test_schema_is_shipped_and_output_validates(example):
    assert shipped_schema() == build_schema()
    data = json.loads(to_json(example))
    assert validate(data) == []
    data["lessons"][0]["level"] = "expert"
    assert validate(data)  # the schema does reject a wrong level


def test_example_lessons_are_staged_and_grounded(example, checker):
    c = run_checker(checker, example, SEED)
    assert c.errors == []
    lessons = example.lessons
    assert 8 <= len(lessons) <= 12
    order = {"beginner": 0, "intermediate": 1, "advanced": 2}
    assert [order[l.level] for l in lessons] == sorted(order[l.level] for l in lessons)
    assert {l.level for l in lessons} == set(order)
    assert example.grounding.dropped == [] and example.grounding.passed == example.grounding.checked


def test_example_content_is_the_sources(example):
    titles = [l.title for l in example.lessons]
    # the key terms' lesson is gone: every sentence it quoted is read in a part (issue 13: read once)
    assert titles[:2] == ["What the paper sets out to do", "Notation and short forms"]
    results = [s for s in example.sections if s.kind == "part"]
    assert [s.title.split(":")[0] for s in results] == ["Result 1", "Result 2", "Result 3", "Result 4"]
    assert any(s.kind == "synthesis" for s in example.sections)
    notation = example.lessons[1]
    said = {s.text for b in notation.blocks for s in b.statements}
    for line in ["w* is the maximal admissible weight.", "D*orb is the orbit depth.",
                 "D*var is the moment-variety depth.", "μP stands for Maximal Update Parametrization.",
                 "(σ, ρ) is the architecture-data pair.", "The abstract leaves the meaning of N unstated."]:
        assert line in said
    open_lesson = example.lessons[-1]
    gaps = {s.text for b in open_lesson.blocks for s in b.statements if s.kind == "scaffold"}
    assert "The abstract names the Barron-Hermite target condition but leaves what it requires unstated." in gaps
    assert "The abstract leaves the value of the explicit coefficient-threshold number unstated." in gaps


def test_each_lesson_reads_a_sentence_once_and_every_sentence_is_read(example):
    for l in example.lessons:
        quoted = [s.text for b in l.blocks for s in b.statements if s.kind == "quote"]
        assert len(quoted) == len(set(quoted)), f"lesson {l.number} repeats a sentence whole"
    read = [sp for l in example.lessons for b in l.blocks if b.heading == W.H_READING and b.prose
            for s in b.statements for sp in s.spans]
    sentences = [sp for sec in example.sections for sp in sec.spans]
    assert len(sentences) == 9
    for a, b in sentences:  # every sentence of the source is read in some lesson, whole or restated
        assert any(a <= x < b for x, _ in read), example.source.text[a:b][:60]


def test_prerequisites_point_back_and_ids_are_content_derived(example):
    ids = [l.id for l in example.lessons]
    for i, l in enumerate(example.lessons):
        assert set(l.prerequisites) <= set(ids[:i])
    assert all(l.prerequisites for l in example.lessons[1:])
    again = compile_paper(ingest(SEED.read_bytes()))
    assert [l.id for l in again.lessons] == ids and [t.id for t in again.terms] == [t.id for t in example.terms]


def test_page_furniture_is_never_taught(example):
    assert "Turn this paper" not in example.source.text and "ArcXiv compiles" not in example.source.text
    assert "Turn this paper" not in to_json(example).replace(example.source.title, "")


@pytest.mark.parametrize("index", range(len(corpus_lines())))
def test_every_corpus_abstract_compiles_grounded_and_staged(index, checker, tmp_path):
    line = corpus_lines()[index]
    source = tmp_path / "paper.jsonl"
    source.write_text(line + "\n", encoding="utf-8")
    cur = compiled(line.encode("utf-8"))
    c = run_checker(checker, cur, source)
    assert c.errors == []
    assert cur.grounding.dropped == []
    n = len(cur.lessons)
    if cur.note is None:
        assert 8 <= n <= 12
    else:
        assert 3 <= n < 8 and "fewer than 5" in cur.note
    assert to_json(cur) == to_json(compile_paper(ingest(line.encode("utf-8"))))


def test_template_words_fit_the_contract(checker):
    allowed = checker.COMMON | checker.PEDAGOGY | checker.STOPWORDS
    stems = checker.COMMON_STEMS | checker.PEDAGOGY_STEMS
    outside = sorted(w for w in TEMPLATE_WORDS if w not in allowed and checker.stem(w) not in stems)
    assert outside == []
    assert not (TEMPLATE_WORDS & FACT_WORDS)


@pytest.mark.parametrize("st,reason", [
    (Statement(text="We establish five structural results", kind="quote", spans=[[0, 36]]), "quote"),
    (Statement(text="We establish results", kind="extract", spans=[[0, 36]]), "extract"),
    (Statement(text="w* is the largest weight.", kind="rephrase", spans=[[0, 36]]), "adds"),
    (Statement(text="The paper proves all results.", kind="scaffold", spans=[]), "scaffold"),
    (Statement(text="We establish", kind="quote", spans=[[0, 99999]]), "outside"),
])
def test_verifier_catches_planted_violations(example, st, reason):
    assert reason in (Verifier(example.source.text).problem(st) or "")


def test_markdown_cites_every_line(example):
    md = render_files(example)["curriculum.md"]
    assert md.startswith("# Feature Learning in Wide Neural Networks under μP")
    assert "## Lesson 9: What the abstract leaves open" in md
    # a reading is one paragraph; each sentence carries its mark: the paper's words, a cut, a restatement
    assert "The orbit depth D*orb is separated from the moment-variety depth D*var. [s5]" in md
    assert "The authors characterize identifiability of the mean-field limit. [s4, restated]" in md
    assert ", cut]" in md and md.count("[s") > 80
    assert "[s4] is sentence 4 in the paper's own words, [s4, cut] a cut from it, [s4, restated]" in md


def test_a_part_that_defines_a_term_comes_before_the_part_that_uses_it():
    md = ("# Kernels\n\n## Intro\n\nWe study kernels in detail here.\n\n"
          "## Uses\n\nThe bound of K holds for large inputs. The bound is tight in practice.\n\n"
          "## Defines\n\nThe kernel size K is small. The kernel is fixed in advance.\n")
    cur = compile_paper(ingest(md.encode("utf-8"), fmt="markdown"))
    parts = [l.title.split(":")[0].split(" (")[0] for l in cur.lessons if l.level == "intermediate"]
    assert parts.index("Defines") < parts.index("Uses")
