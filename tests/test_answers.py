"""Typed quiz answers are compared with their key after math markup is normalised on both sides."""
from __future__ import annotations

import pytest

from arcxiv.answers import answer_form, check_answer, given_text, plain_math
from arcxiv.models import QuizItem, Statement

SAME = [  # (key, what a learner may type): the same answer
    ("$2^m$", "2^m"), ("$2^m$", "2^{m}"), ("$2^{m}$", " 2 ^ m "), ("$2^m$", "$2^m$"),
    ("$\\mathbb{R}^m$", "R^m"), ("$\\mathbb{R}^m$", "ℝ^m"), ("$\\mathbb{R}^{m}$", "\\mathbb R^m"),
    ("$χ^2_q$", "χ²_q"), ("$\\chi^2_q$", "χ^2_q"), ("$\\chi^{2}_{q}$", "χ^2_q"),
    ("$O(\\log m)$", "O(log m)"), ("$\\mathcal{O}(n)$", "O(n)"), ("$8πR$", "8π R"), ("$8\\pi R$", "8πR"),
    ("$k{=}2$", "k = 2"), ("$2^{mn}$", "2^(mn)"), ("$e^{(x)}$", "e^(x)"), ("$\\left( a \\right)$", "(a)"),
    ("$\\left. x \\right|$", "x|"), ("$x \\geq 1$", "x>=1"), ("$a \\neq b$", "a != b"), ("$5×5$", "5*5"),
    ("$a \\cdot b$", "a*b"), ("$x\\,y$", "x y"), ("$x y$", "xy"), ("$$a + b$$", "a+b"), ("$2^{10}$", "2^10"), ("$\\frac{1}{2}$", "\\frac{1}{2}"),
    ("$\\mathrm{D}^{*}_{\\mathrm{orb}}$", "D^*_(orb)"), ("$\\text{rank } r$", "rank r"),
    ("mean field", "Mean  Field"), ("mean-field limit", "mean - field limit"), ("$g$", "g"),
    ("μP", "muP"), ("$\\chi^2_q$", "chi^2_q"), ("$8πR$", "8piR"), ("Σ", "sigma"),  # a Greek letter by its name
]
DIFFERENT = [  # (key, typed): not the same answer
    ("$2^m$", "3^m"), ("$2^m$", "2m"), ("$2^m$", "m^2"), ("$2^{mn}$", "2^mn"), ("$x_{ij}$", "x_ij"),
    ("$\\frac{1}{2}$", "\\frac{2}{1}"), ("$O(\\log m)$", "O(logm)"), ("mean field", "meanfield"), ("$g$", "f"),
    ("$2^m$", ""), ("μP", "mP"),
]


@pytest.mark.parametrize("key,typed", SAME)
def test_markup_is_not_part_of_the_answer(key, typed):
    assert answer_form(key) == answer_form(typed), (answer_form(key), answer_form(typed))


@pytest.mark.parametrize("key,typed", DIFFERENT)
def test_what_the_markup_means_is(key, typed):
    assert answer_form(key) != answer_form(typed)


def test_plain_math_reads_markup_as_characters():
    assert plain_math("up to $2^{m}$ regimes") == "up to 2^m regimes"
    assert plain_math("vectors from $\\mathbb{R}^m$") == "vectors from ℝ^m"
    assert plain_math("rate $O(\\log m)$, $\\chi^2_q$ limit") == "rate O(log m), χ^2_q limit"
    assert plain_math("plain words stay") == "plain words stay"
    assert plain_math("<script>") == "<script>"  # text, for the template to escape


def item(kind: str, answer, choices=(), left=()) -> QuizItem:
    text = Statement(text="x", kind="scaffold", spans=[])
    return QuizItem(id="quiz-1", kind=kind, prompt=text, choices=list(choices), answer=answer, explanation=text,
                    lesson_id="lesson-1", difficulty="beginner", section_id="s", left=list(left))


def test_check_answer_and_given_text_for_every_kind():
    blank = item("fill_blank", "$2^m$")
    assert check_answer(blank, "2^m") and check_answer(blank, "$2^{m}$") and not check_answer(blank, "2m")
    mcq = item("mcq", 1, choices=["$m$", "$2^m$"])
    assert check_answer(mcq, "1") and not check_answer(mcq, "0") and not check_answer(mcq, "x")
    assert given_text(mcq, "1") == "$2^m$" and given_text(mcq, "9") == "9"
    order = item("ordering", [2, 0, 1], choices=["a", "b", "c"])  # the source's order: c, a, b
    assert check_answer(order, [1, 2, 0]) and given_text(order, [1, 2, 0]) == "c → a → b"
    match = item("matching", [1, 0], choices=["one", "two"], left=["L1", "L2"])
    assert check_answer(match, ["1", "0"]) and given_text(match, ["1", "0"]) == "L1 → two; L2 → one"
    assert given_text(match, ["x"]) == '["x"]'
