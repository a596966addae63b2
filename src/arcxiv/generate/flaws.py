"""Rule-based item-writing-flaw checks (after Haladyna's guidelines), run on every quiz item.

A flawed item is dropped and counted in the quiz report; ``find_flaws`` returns
the reasons, most serious first.
"""
from __future__ import annotations

import re

from ..models import QuizItem
from .statements import occurs

_NEGATIVE = re.compile(r"(?i)\b(?:not|no|never|none|except|cannot|without|neither|nor)\b")
_ALL_NONE = re.compile(r"(?i)\b(?:all|none|both|neither) of (?:the )?(?:above|these|them)\b")
_WORD = re.compile(r"[^\W_]+")


def find_flaws(item: QuizItem, source: str, kinds: dict[str, str]) -> list[str]:
    flaws: list[str] = []
    choices = item.choices
    if len({c.strip().lower() for c in choices}) != len(choices):
        flaws.append("repeated options")
    if any(_ALL_NONE.search(c) for c in choices):
        flaws.append("an 'all/none of the above' option")
    if _NEGATIVE.search(item.prompt.text) and item.kind != "true_false":
        flaws.append("a negative stem")
    if item.kind in ("mcq", "fill_blank"):
        key = choices[item.answer] if item.kind == "mcq" else str(item.answer)
        if _contains(item.prompt.text, key):
            flaws.append("the stem gives the answer away")
    if item.kind == "mcq":
        key = choices[item.answer]
        others = [c for i, c in enumerate(choices) if i != item.answer]
        if kinds and sum(kinds.get(c) == kinds.get(key) for c in others) == 0:
            flaws.append("the key is the only option of its kind")
        if len(key) > 2 * max(len(c) for c in others) and len(key.split()) > 3:
            flaws.append("the key is by far the longest option")
        article = re.search(r"\b(a|an)\s+_{3,}", item.prompt.text)
        if article and _fits(article.group(1), key) and not any(_fits(article.group(1), c) for c in others):
            flaws.append("only the key fits the grammar of the stem")
        cited = " ".join(source[a:b] for a, b in item.explanation.spans)
        if any(_contains(cited, c) for c in others):
            flaws.append("two options are both true by the source")
    return flaws


def _contains(text: str, phrase: str) -> bool:
    return occurs(phrase, text)


def _fits(article: str, word: str) -> bool:
    vowel = word[:1].lower() in "aeiou"
    return vowel if article.lower() == "an" else not vowel
