"""What the source leaves open: terms, symbols and conditions no sentence defines.

A gap is claimed only after checking that nothing states it: no definition in any written form,
no gloss or example where the term stands, no long form in brackets, not notation the field
knows, not a decoration of a defined symbol. The plan asks whether there is anything to teach
as open; lessons, exercises and deep dives state each gap with the words that use its term.
"""
from __future__ import annotations

import re

from ..models import Analysis, TermInfo
from .. import wording as W

STANDARD_NOTATION = re.compile(r"^\$?(?:(?:L|ℓ|H|W|C)(?:\^?\{?[0-9pqk∞,]+\}?|_\{?[0-9pqk∞]+\}?)(?:\([^()]*\))?|"
                               r"\\mathbb\{?[NZQRC]\}?(?:\^\{?\w+\}?)?|[ℕℤℚℝℂ](?:\^\{?\w+\}?)?)\$?$")
_CONDITION_HEADS = {"condition", "conditions", "assumption", "assumptions", "constraint", "constraints", "regime"}
_VALUE_HEADS = {"number", "constant", "threshold", "bound", "rate", "value", "parameter"}


def plain(label: str) -> str:
    """A label without its math markup, spacing and punctuation, to compare written forms."""
    return "".join(ch for ch in label.casefold() if ch.isalnum())


class Gaps:
    def __init__(self, an: Analysis):
        self.an = an
        self.src = an.paper.text
        # what any sentence defines, however it is written ("$(α_1,α_2)$" and "(α_1,α_2)" are one)
        self.defined_forms = {plain(t.label) for t in an.terms.values() if t.definitions}

    def notation_terms(self) -> list[TermInfo]:
        members_of_defined_tuples = set()
        for span, members in self.an.tuples:
            tup = next(t for t in self.an.terms.values() if t.mentions and t.mentions[0] == span)
            if tup.definitions:
                members_of_defined_tuples.update(k for k in members if not self.an.terms[k].definitions)
        return [t for t in self.an.terms.values() if t.kind in ("symbol", "acronym", "quantity")
                and t.key not in members_of_defined_tuples]

    def undefined(self, t: TermInfo) -> bool:
        """No sentence of the source defines the term, in any of its written forms, and it is not
        notation every reader of the field knows (L2, ℓ_p, H^1, ℝ^n): no gap is claimed for those."""
        return not t.definitions and not t.named and plain(t.label) not in self.defined_forms \
            and not STANDARD_NOTATION.match(t.label) and not self.decorates_defined(t)

    def decorates_defined(self, t: TermInfo) -> bool:
        """"P^x", "P_1", "P'" beside a defined P: the field's convention for a decorated symbol (a
        conjugate, an index, a variant) reads from the base, so no gap is claimed for it."""
        base = re.match(r"^\$?(\\?[A-Za-z]+)(?=[\^_'′{])", t.label) if t.kind == "symbol" else None
        return bool(base) and base.group(1) != t.label and plain(base.group(1)) in self.defined_forms

    def meaning_open(self, t: TermInfo) -> bool:
        """No sentence says what the term means: not defined, not glossed where it stands, not
        introduced in brackets after its long form ("Sun-as-an-X-ray-star" (SaXS))."""
        return self.undefined(t) and not self.listed(t) and f"({t.label})" not in self.src

    def used_as_condition(self, t: TermInfo) -> bool:
        """Does a claim hold under this term ("under the Barron-Hermite target condition")?"""
        return any(c.span[0] <= a and b <= c.span[1] for c in self.an.conditions for a, b in t.mentions)

    def listed(self, t: TermInfo) -> bool:
        """Is the term glossed or exemplified right where it appears ("X such as A and B",
        "X (e.g., A)", "X, a … metric", "X: A, B"), or named as the means of a step ("structural
        analysis via AlphaFold3")? Then the source does say what it is, or what it is for."""
        return any(re.match(r"\s*(?:\(|:|,\s+(?:a|an|the|such as|including|e\.g\.|i\.e\.|namely)\b|\s+(?:such as|including|like)\b)",
                            self.src[b:b + 16]) or re.search(r"(?i)\b(?:via|using|through)\s+$", self.src[max(0, a - 10):a])
                   for a, b in t.mentions)

    def found(self, sentences=None) -> list[tuple[str, TermInfo]]:
        """Each gap as (the template that states it, its term). With ``sentences``, only terms
        mentioned there."""
        def here(t: TermInfo) -> bool:
            return sentences is None or any(self.an.sentence_at(m[0]) in sentences for m in t.mentions)

        out = []
        for t in self.notation_terms():
            # a word in capitals may be a name ("MATCH", "ScanNet"); only notation or a bare
            # all-capitals abbreviation with no gloss counts as unexplained
            bare_acronym = t.kind == "acronym" and re.fullmatch(r"[A-Z0-9]+s?", t.label) and not t.expansion \
                and f"({t.label})" not in self.src
            if self.undefined(t) and (t.kind == "symbol" or bare_acronym) and here(t) and not self.listed(t):
                out.append((W.S_MEANING_OPEN, t))
        for t in self.an.terms.values():
            if t.kind != "concept" or not self.undefined(t) or not here(t) or self.listed(t):
                continue
            head = t.label.split()[-1].lower()
            if head in _CONDITION_HEADS and self.used_as_condition(t):
                out.append((W.S_REQUIRE_OPEN if head.endswith("s") else W.S_REQUIRES_OPEN, t))
            elif head in _VALUE_HEADS and re.match(r"(?i)explicit|certain|some|a\b", t.label):
                out.append((W.S_VALUE_OPEN, t))
        return out
