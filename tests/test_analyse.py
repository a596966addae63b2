"""The analysis of the example paper finds what the source says, by general rules."""
from __future__ import annotations

import pytest

from arcxiv.analyse import analyse
from arcxiv.analyse.sentences import split_sentences
from arcxiv.analyse.symbols import find_defined_acronyms, find_expansion, find_quantities, find_symbols
from arcxiv.ingest import ingest

from .conftest import SEED


@pytest.fixture(scope="module")
def an():
    return analyse(ingest(SEED.read_bytes()))


def _text(an, span):
    return an.paper.text[span[0]:span[1]]


def test_sentences_survive_math_and_abbreviations():
    text = "We use e.g. the method of Smith et al. in Fig. 2 here. The rate is O(N-1). Then i.e. w* holds. It works!"
    got = [text[a:b] for a, b in split_sentences(text)]
    assert got == ["We use e.g. the method of Smith et al. in Fig. 2 here.", "The rate is O(N-1).",
                   "Then i.e. w* holds.", "It works!"]


def test_example_has_nine_sentences_and_clauses(an):
    assert len(an.sentences) == 9
    s8 = an.sentences[7]
    roles = [c.role for c in s8.clauses]
    assert "elaboration" in roles
    # the dashed aside is cut out, and the clause around it is rejoined
    joined = [" … ".join(_text(an, sp) for sp in c.spans) for c in s8.clauses]
    assert "the triple (w*, D*orb, S*) … is the natural learning cell of the architecture-data pair (σ, ρ)" in joined


def test_symbols_and_quantities_by_shape():
    labels = [l for l, _ in find_symbols("weight w* and D*orb, the pair (σ, ρ) in L2 at rate O(N-1).")]
    assert {"w*", "D*orb", "(σ, ρ)", "L2", "N"} <= set(labels)
    assert [q for q, _ in find_quantities("gains of 14.2% on 300K examples in 2022")] == ["14.2%", "300K"]


def test_acronym_expansion_schwartz_hearst_with_greek():
    assert find_expansion("μP", "under the Maximal Update Parametrization") == "Maximal Update Parametrization"
    got = find_defined_acronyms("We introduce ENTP (Enhancing low-quality SFT data via Neural-symbolic Text Purge-Mix), a")
    assert got and got[0][0] == "ENTP"


def test_terms_with_all_mentions_and_variants_merged(an):
    t = an.terms
    assert len(t["sym:S*"].mentions) == 3  # result 3 twice, and in the triple
    assert len(t["sym:w*"].mentions) == 2
    assert t["acr:μP"].expansion == "Maximal Update Parametrization"
    assert len(t["acr:μP"].mentions) == 4  # the expansion and three "μP"
    limit = [x for x in t.values() if x.label == "mean-field limit"]
    assert len(limit) == 1 and len(limit[0].mentions) == 2  # "the mean-field limit" twice
    assert any(x.label == "finite-rank realization symmetry" and len(x.mentions) == 2 for x in t.values())
    assert "qty:O(N-1)" in t and "sym:N" in t and "sym:(σ, ρ)" in t and "sym:L2" in t


@pytest.mark.parametrize("symbol,meaning,pattern", [
    ("w*", "maximal admissible weight", "appositive"),
    ("w*", "reciprocal parameter-moment-growth boundary", "identified-as"),
    ("D*orb", "orbit depth", "appositive"),
    ("D*orb", "orbit identifiability depth", "tuple"),
    ("D*var", "moment-variety depth", "appositive"),
    ("S*", "sparse-dictionary depth at which the target is realizable", "tuple"),
    ("(σ, ρ)", "architecture-data pair", "appositive"),
])
def test_symbols_tied_to_their_meaning(an, symbol, meaning, pattern):
    defs = [(d.meaning, d.pattern) for d in an.terms["sym:" + symbol].definitions]
    assert (meaning, pattern) in defs


def test_roles_enumeration_and_sections(an):
    roles = [c.role for c in an.claims]
    assert roles[0] == "aim" and roles[-1] == "scope" and roles[7] == "implication"
    assert [c.item for c in an.claims if c.item] == [1, 2, 3, 4]
    members = [e for e in an.enumerations if e.kind == "members" and e.whole]
    assert members
    e = members[0]
    assert [_text(an, s) for s in e.items] == ["statistical", "optimization", "propagation-of-chaos", "sparse-residual"]
    assert _text(an, e.whole) == "total feature-learning-error decomposition"
    comps = [r for r in an.relations if r.label == "component of"]
    assert {an.terms[r.source_key].label for r in comps} == {"statistical", "optimization", "propagation-of-chaos",
                                                               "sparse-residual"}


def test_conditions_and_relations(an):
    conds = {_text(an, c.span) for c in an.conditions}
    assert conds == {"under the Barron-Hermite target condition", "under μP"}
    # "exactly when …" is what the identifiability result says, not a precondition of it
    p = next(p for p in an.propositions if "exactly when" in _text(an, p.span))
    assert [_text(an, q.span) for q in p.of("criterion")] == [
        "exactly when their active components agree modulo the finite-rank realization symmetry of the architecture"]
    assert not p.of("condition")
    rel = {(an.terms[r.source_key].label, r.label, an.terms[r.target_key].label) for r in an.relations}
    assert ("D*orb", "is separated from", "D*var") in rel
