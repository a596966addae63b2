"""What the blind panel and the item audit of 2026-12-04 found misleading or broken, each held.

Corpus abstracts by index: 4 (private two-sample testing), 13 (the Sun as an X-ray star), 26 (empirical
Bayes for adaptive experiments)."""
from __future__ import annotations

import re

from arcxiv.analyse import analyse
from arcxiv.analyse.symbols import find_symbols
from arcxiv.ingest import ingest
from arcxiv.pipeline import render_files

from .conftest import compiled, corpus_lines

EB, SUN, PRIVATE = 26, 13, 4


def _md(cur) -> str:
    return render_files(cur)["curriculum.md"]


def test_a_symbol_that_heads_a_name_is_no_notation():
    """"$g$-modeling, which estimates the prior …": the pack said the abstract left $g$ unstated and built
    a lesson on that gap. A symbol before a hyphen and a word is part of a name."""
    assert [label for label, _ in find_symbols("$g$-modeling and L2-regularized fits, then $g$ and L2 alone")] == ["$g$", "L2"]
    assert [label for label, _ in find_symbols(r"$\mathbb{Z}_2$-pseudomanifolds whose $k$ faces")] == ["$k$"]  # no "$-p…$"
    cur = compiled(corpus_lines()[EB].encode())
    md = _md(cur)
    assert "meaning of $g$" not in md and "meaning of $f$" not in md
    assert not any(t.label in ("$g$", "$f$") for t in cur.terms)


def test_what_the_authors_show_is_a_finding_even_where_it_says_what_it_does_not_depend_on():
    an = analyse(ingest(corpus_lines()[EB].encode()))
    roles = [c.role for c in an.claims]
    assert roles[1] == "background"  # "There are two main EB strategies: …": the field, not the paper's own step
    assert roles[2] == "result"  # "We show that … ; its validity does not depend on …"
    assert roles[5] == "result"  # "By contrast, naively applying … can produce biased rules"
    assert roles[6] == "result"  # "We corroborate the robustness … through simulations"
    an = analyse(ingest(corpus_lines()[SUN].encode()))
    assert an.claims[9].role == "scope"  # "Limitations include the DAXSS low-energy cutoff …"
    an = analyse(ingest(corpus_lines()[17].encode()))
    assert an.claims[0].role != "scope"  # "their native serotypes face limitations": the problem, no limit of the claims


def test_an_objective_promises_only_what_the_lesson_gives():
    md = _md(compiled(corpus_lines()[PRIVATE].encode()))
    assert "what local differential privacy constraint mean" not in md  # a meaning the abstract never gives
    assert "Say in your own words what the paper says of the local differential privacy constraint." in md
    assert "## Glossary" not in md  # nothing defined: no heading over nothing


def test_a_phrase_built_on_a_short_form_the_paper_introduces_is_not_left_unstated():
    md = _md(compiled(corpus_lines()[SUN].encode()))
    brings = " ".join(re.findall(r"Bring what you know of ([^*]+) to this lesson", md))
    assert "SaXS implementations" not in brings and "the filling factors" in brings  # a concept with its article


def test_no_acronym_is_asked_as_true_and_the_retold_argument_covers_every_part():
    for line in corpus_lines():
        cur = compiled(line.encode())
        for q in cur.quiz:
            assert not (q.kind == "true_false" and q.answer == "true" and " stands for " in q.prompt.text), q.prompt.text
        an = analyse(ingest(line.encode()))
        firsts = {an.sentence_at(s.spans[0][0]) for s in cur.sections if s.spans}
        for e in (e for e in cur.exercises if e.kind == "argument"):
            said = {an.sentence_at(a) for a, _ in e.solution.spans}
            assert firsts <= said, (cur.source.title, sorted(firsts - said))  # the prompt asks for each part


def test_a_reading_group_step_of_one_lesson_says_lesson():
    for line in corpus_lines()[:12]:
        group = compiled(line.encode()).reading_group
        for step in group.steps if group else []:
            assert not re.search(r"\blessons \d+ (?!and|to)", step.what.text), step.what.text


def test_a_term_used_inside_a_longer_one_is_listed_where_it_comes_up():
    """Both panels' one fault of fact: "EMDs comes up in sentences 3 and 4", though "the Yohkoh/SXT EMDs"
    (7) and "the Yohkoh EMD sample" (10) use it; a mention belongs to the longest term that holds it."""
    md = _md(compiled(corpus_lines()[SUN].encode()))
    assert "EMDs comes up in sentences 3, 4, 7 and 10." in md
    assert "use the active regions" in md and "Sentences 4, 7 and 8 use the active regions." in md
