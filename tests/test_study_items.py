"""Flashcards, quiz, exercises and deep dives: grounded, atomic, and testing understanding."""
from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

from arcxiv.generate.facts import BLANK
from arcxiv.generate.flaws import find_flaws
from arcxiv.ingest import ingest
from arcxiv.models import QuizItem, Statement
from arcxiv.pipeline import deep_dive_for
from arcxiv.verify import STOPWORDS, stem, tokens

from .conftest import SEED, compiled, corpus_lines

ARCXIV = Path(sys.executable).parent / "arcxiv"


def cited(cur, st) -> str:
    return " ".join(cur.source.text[a:b] for a, b in st.spans)


def occurs(phrase: str, text: str) -> bool:
    import re

    return re.search(rf"(?<![\w*]){re.escape(phrase.lower())}(?![\w*])", text.lower()) is not None


def term_kind(cur, label: str) -> str | None:
    return next((t.kind for t in cur.terms if t.label == label), None)


# ----------------------------------------------------------------------------- flashcards
def test_example_cards_cover_every_defined_symbol_and_acronym(example):
    cards = example.flashcards
    assert len(cards) >= 15
    fronts = [c.front.text.lower() for c in cards]
    assert len(fronts) == len(set(fronts))
    backs = {c.front.text: c.back.text for c in cards}
    assert backs["What is w*?"] == "w* is the maximal admissible weight."
    assert backs["What is D*orb?"] == "D*orb is the orbit depth."
    assert backs["What is D*var?"] == "D*var is the moment-variety depth."
    assert backs["What is S*?"] == "S* is the sparse-dictionary depth at which the target is realizable."
    assert backs["What is (σ, ρ)?"] == "(σ, ρ) is the architecture-data pair."
    assert backs["What does μP stand for?"] == "μP stands for Maximal Update Parametrization."
    defined = [t.label for t in example.terms if t.kind in ("symbol", "acronym") and t.definition]
    assert all(any(c.front.text.startswith(("What is " + l + "?", "What does " + l)) for c in cards) for l in defined)


def test_card_kinds_and_the_facts_they_carry(example):
    by_kind = {}
    for c in example.flashcards:
        by_kind.setdefault(c.kind, []).append(c)
    assert {"symbol", "acronym", "cloze", "relation", "members", "condition"} <= set(by_kind)
    cond = {c.front.text: c.back.text for c in by_kind["condition"]}
    assert cond["Under which condition does this hold: the active support of the long-time limit measure admits a "
                "sparse-dictionary decomposition?"] == "under the Barron-Hermite target condition"
    assert any(c.back.text == "The orbit depth D*orb is separated from the moment-variety depth D*var" for c in by_kind["relation"])
    cloze = {c.front.text: c.back.text for c in by_kind["cloze"]}
    assert cloze[f"The {BLANK} has uniform-in-time squared-Wasserstein rate O(N-1)"] == "finite-particle approximation"
    # one item per (claim, answer): the condition card asks the Barron-Hermite condition, no cloze again,
    # and a blank the quiz asks to fill in ("O(N-1)", which has no look-alikes) is no card
    assert "Barron-Hermite target condition" not in cloze.values() and "O(N-1)" not in cloze.values()
    assert any(q.kind == "fill_blank" and q.answer == "O(N-1)" for q in example.quiz)


def test_cloze_gaps_are_salient_terms_never_function_words(example):
    labels = {t.label.lower() for t in example.terms}
    for c in example.flashcards:
        if c.kind == "cloze":
            assert c.back.text.lower() in labels or c.back.text.lower().rstrip("s") in labels
            assert c.front.text.replace(BLANK, c.back.text) in example.source.text


def test_cards_are_tagged_and_ids_stable(example):
    again = compiled(SEED.read_bytes())
    assert [c.id for c in again.flashcards] == [c.id for c in example.flashcards]
    lessons = {l.id: l for l in example.lessons}
    for c in example.flashcards:
        parts = {t.split("::")[1] for t in c.tags}
        assert {"paper", "lesson", "level", "card"} <= parts
        assert f"arcxiv::level::{lessons[c.lesson_id].level}" in c.tags
        assert f"arcxiv::lesson::{lessons[c.lesson_id].number:02d}" in c.tags
    assert all(c.section_id for c in example.flashcards)


# ----------------------------------------------------------------------------- quiz
def _check_quiz(cur):
    src = cur.source.text
    for q in cur.quiz:
        support = cited(cur, q.explanation)
        if q.kind == "mcq":
            key = q.choices[q.answer]
            assert occurs(key, support), (q.prompt.text, key)
            assert len(q.choices) == 4 and len({c.lower() for c in q.choices}) == 4
            for c in q.choices:  # every distractor of the key's kind, and none also true by the cited text
                if c != key:
                    assert not occurs(c, support), (q.prompt.text, c)
            kinds = {term_kind(cur, c) for c in q.choices}
            if None not in kinds:
                assert len(kinds) == 1, (q.prompt.text, q.choices)
        elif q.kind == "fill_blank":
            assert str(q.answer) in support and BLANK in q.prompt.text
        elif q.kind == "true_false":
            stated = q.prompt.text.split(": ", 1)[1].rstrip(".")
            if q.answer == "true":
                said = {stem(t) for t in tokens(stated) if t not in STOPWORDS} - {"stand"}  # "X stands for Y"
                assert said <= {stem(t) for t in tokens(support)}, stated
            else:
                assert stated not in src  # a false statement is never in the source
        elif q.kind == "matching":
            assert sorted(q.answer) == list(range(len(q.left)))
        elif q.kind == "ordering":
            spans = q.explanation.spans
            order = [src[a:b] for a, b in spans]
            for choice_index, text in zip(q.answer, order):
                assert q.choices[choice_index] in text
        assert q.lesson_id in {l.id for l in cur.lessons}
        assert q.difficulty == next(l.level for l in cur.lessons if l.id == q.lesson_id)


def test_example_quiz(example):
    kinds = {q.kind for q in example.quiz}
    assert len(example.quiz) >= 12 and {"mcq", "true_false", "fill_blank", "matching", "ordering"} <= kinds
    _check_quiz(example)
    order = next(q for q in example.quiz if q.kind == "ordering")
    assert [order.choices[i] for i in order.answer] == [
        "global existence and uniqueness of the mean-field limit", "identifiability of the mean-field limit",
        "sparse-dictionary decomposition", "the total feature-learning-error decomposition"]
    member = next(q for q in example.quiz if q.prompt.text.startswith("Which of these is one of the components"))
    assert member.choices[member.answer] in {"statistical", "optimization", "propagation-of-chaos", "sparse-residual"}
    matching = next(q for q in example.quiz if q.kind == "matching")
    pairs = dict(zip(matching.left, (matching.choices[i] for i in matching.answer)))
    assert pairs["w*"] == "maximal admissible weight" and pairs["D*var"] == "moment-variety depth"
    assert example.quiz_report.kept == len(example.quiz)


@pytest.mark.parametrize("index", range(len(corpus_lines())))
def test_corpus_quiz_and_exercises(index):
    cur = compiled(corpus_lines()[index].encode("utf-8"))
    _check_quiz(cur)
    from arcxiv.analyse.sentences import split_sentences

    if len(split_sentences(cur.source.text)) >= 6:
        # at least 8 items of 3 kinds: an item that would be cut, repeated, given away or falsely false
        # is not made (a group-theory abstract whose symbols have no unique meanings keeps 9)
        # (a source sentence is no longer asked as true: some abstracts keep blanks and choices only)
        # (every blank is a choice among look-alikes: an abstract without definitions asks only those)
        assert len(cur.quiz) >= 6
    _check_exercises(cur)


def _item(**kw):
    base = dict(id="q", kind="mcq", prompt=Statement(text="Which symbol is the orbit depth?", kind="scaffold"),
                choices=["D*orb", "S*", "w*", "D*var"], answer=0,
                explanation=Statement(text="x", kind="extract", spans=[[0, 10]]), lesson_id="l", difficulty="beginner")
    base.update(kw)
    return QuizItem(**base)


@pytest.mark.parametrize("item,kinds,flaw", [
    (_item(choices=["D*orb", "S*", "S*", "D*var"]), {}, "repeated options"),
    (_item(choices=["D*orb", "S*", "w*", "all of the above"]), {}, "all/none of the above"),
    (_item(prompt=Statement(text="Which symbol is not the orbit depth?", kind="scaffold")), {}, "negative stem"),
    (_item(prompt=Statement(text="Which symbol, D*orb, is the orbit depth?", kind="scaffold")), {}, "gives the answer away"),
    (_item(), {"D*orb": "symbol", "S*": "concept", "w*": "concept", "D*var": "concept"}, "only option of its kind"),
    (_item(choices=["the orbit depth of the moment variety in wide networks", "S*", "w*", "L2"]), {}, "longest"),
    (_item(prompt=Statement(text="The four results are tied together by an _____", kind="extract", spans=[[0, 5]]),
           choices=["architectural identity", "natural cell", "triple", "pair"]), {}, "grammar"),
    (_item(explanation=Statement(text="x", kind="extract", spans=[[0, 200]])), {}, "both true"),
])
def test_flaw_checks_catch_planted_flawed_items(item, kinds, flaw):
    source = "The orbit depth D*orb is separated from the moment-variety depth D*var. " * 3
    if flaw == "both true":
        source = "The orbit depth D*orb and S* are depths. " + source
    elif flaw != "both true":
        source = "x" * 300
    assert any(flaw in f for f in find_flaws(item, source, kinds)), find_flaws(item, source, kinds)


def test_a_clean_item_has_no_flaw():
    assert find_flaws(_item(), "x" * 300, {"D*orb": "symbol", "S*": "symbol", "w*": "symbol", "D*var": "symbol"}) == []


# ----------------------------------------------------------------------------- exercises
def _check_exercises(cur):
    by_lesson = {}
    for e in cur.exercises:
        by_lesson.setdefault(e.lesson_id, []).append(e)
        solution = e.solution.text.lower()
        assert all(r.lower() in solution or r.lower() in e.prompt.text.lower() for r in e.rubric), (e.rubric, solution)
    readings = {" ".join(st.text for b in l.blocks if b.heading == "The reading" for st in b.statements
                         if st.kind != "scaffold") for l in cur.lessons}
    for e in cur.exercises:
        # a model answer is never a lesson's reading pasted back (issue 13: it answers its own prompt)
        assert e.solution.text not in readings, e.prompt.text
        if e.kind == "unpack":  # the claim and each part the source attaches to it, labelled
            assert e.solution.text.startswith("Claim: ") and e.solution.text.count(": ") >= 2


def test_example_exercises(example):
    _check_exercises(example)
    kinds = {e.kind for e in example.exercises}
    assert {"unpack", "argument", "compare", "connect", "concept_map"} <= kinds
    compare = next(e for e in example.exercises if e.kind == "compare")
    assert compare.prompt.text == "How does the paper relate D*orb and D*var? Answer in one sentence."
    assert compare.solution.text == "The orbit depth D*orb is separated from the moment-variety depth D*var"
    # model answers answer their prompt: a sentence taken apart, not the source pasted back
    unpack = next(e for e in example.exercises if e.kind == "unpack" and "sentence 2" in e.prompt.text)
    assert unpack.prompt.text == ("Take sentence 2 apart: what does it claim, under which condition and with "
                                  "which consequence?")
    assert unpack.solution.text.startswith("Claim: The authors prove global existence and uniqueness of the "
                                           "mean-field limit of noisy gradient descent. Condition: Under μP. "
                                           "Consequence: Identifying the maximal admissible weight w*")
    argument = next(e for e in example.exercises if e.kind == "argument")
    assert argument.solution.text.startswith("The authors establish four structural results")
    # the opening claim of each part, in order: a few sentences, not every sentence again
    assert 4 <= argument.solution.text.count(". ") + 1 <= len(example.sections) + 1
    assert {"D*orb", "D*var", "separated"} <= set(compare.rubric)


# ----------------------------------------------------------------------------- deep dives
def test_deep_dive_result_3(tmp_path):
    paper = ingest(SEED.read_bytes())
    dive = deep_dive_for(paper, "part-3", cache=tmp_path)
    headings = [b.heading for b in dive.blocks]
    assert "Sentence 6: a condition" in headings and "Sentence 6: the claim" in headings
    said = {s.text for b in dive.blocks for s in b.statements}
    assert "under the Barron-Hermite target condition" in said
    assert "S* is the sparse-dictionary depth at which the target is realizable." in said  # its mention elsewhere
    assert "The abstract leaves the value of the explicit coefficient-threshold number unstated." in said
    assert "Uses finite-rank realization symmetry from the section Result 2." in said
    # a source sentence is never asked as true: the swaps and blanks of the section are left
    assert len(dive.self_check) >= 2 and all(q.section_id == dive.section_id for q in dive.self_check)
    files = list((tmp_path / "deep-dives").glob("*.json"))
    assert len(files) == 1
    files[0].write_text("{broken", encoding="utf-8")  # a damaged cache entry is rebuilt, not trusted
    assert deep_dive_for(paper, "part-3", cache=tmp_path) == dive
    assert json.loads(files[0].read_text(encoding="utf-8"))["section_id"] == dive.section_id


def test_compile_builds_deep_dives_only_when_asked(example):
    assert example.deep_dives == []
    from arcxiv.pipeline import compile_paper

    cur = compile_paper(ingest(SEED.read_bytes()), deep_dives=True)
    assert len(cur.deep_dives) == len(cur.sections) and cur.grounding.dropped == []


def test_deep_dive_command(tmp_path):
    env = {"PATH": "/usr/bin:/bin", "ARCXIV_CACHE": str(tmp_path)}
    r = subprocess.run([str(ARCXIV), "deep-dive", str(SEED), "--section", "part-3"], capture_output=True, text=True, env=env)
    assert r.returncode == 0 and r.stdout.startswith("## Deep dive: Result 3")
    r = subprocess.run([str(ARCXIV), "deep-dive", str(SEED), "--section", "nine"], capture_output=True, text=True, env=env)
    assert r.returncode == 2 and "part-3" in r.stderr and "Traceback" not in r.stderr
