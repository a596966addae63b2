"""Relations between terms, read off the parse: who does what to whom in one clause.

"The orbit depth D*orb is separated from the moment-variety depth D*var" gives
(D*orb, "is separated from", D*var); "a … tail replacing any initialization-only
residual" gives (tail, "replacing", residual). Members of a stated whole give
(member, "<head noun> of", whole).
"""
from __future__ import annotations

from bisect import bisect_left

from ..models import Enumeration, Relation, Span, TermInfo


def _index(terms: dict[str, TermInfo]) -> list[tuple[int, int, str, int]]:
    """(start, end, key, rank) of all mentions; notation ranks before words."""
    rank = {"symbol": 0, "acronym": 1, "quantity": 2, "concept": 3}
    wrappers = [m for t in terms.values() if t.kind == "quantity" or t.label.startswith("(") for m in t.mentions]
    return sorted((a, b, t.key, rank[t.kind]) for t in terms.values() for a, b in t.mentions
                  if not t.label.startswith("(")
                  and not (t.kind == "symbol" and any(x <= a and b <= y and (x, y) != (a, b) for x, y in wrappers)))


def _term_in(index, a: int, b: int) -> tuple[str, Span] | None:
    best = None
    for k in range(bisect_left(index, (a,)), len(index)):  # the index is sorted by start
        x, y, key, r = index[k]
        if x >= b:
            break
        if a <= x and y <= b and (best is None or (r, -(y - x)) < best[0]):
            best = ((r, -(y - x)), key, (x, y))
    return (best[1], best[2]) if best else None


def find_relations(text: str, doc, terms: dict[str, TermInfo], enums: list[Enumeration],
                   sentence_at) -> list[Relation]:
    index = _index(terms)
    out: list[Relation] = []
    for verb in doc:
        if verb.pos_ not in ("VERB", "AUX") or verb.dep_ in ("aux", "auxpass"):
            continue
        subj = next((c for c in verb.children if c.dep_ in ("nsubj", "nsubjpass")), None)
        if subj is None and verb.dep_ in ("acl", "relcl") and verb.head.pos_ in ("NOUN", "PROPN"):
            subj = verb.head  # "a tail replacing any residual": the noun does the verb
        if subj is None or subj.lower_ in ("we", "it", "they", "which", "that", "this"):
            continue
        s = _term_in(index, *_np(subj))
        if s is None:
            continue
        for obj, label in _objects(verb):
            o = _term_in(index, *_np(obj))
            if o is None or o[0] == s[0]:
                continue
            # the evidence runs to the end of the object phrase, "neither X nor Y" included
            right = obj.right_edge
            a, b = min(s[1][0], verb.idx), max(o[1][1], verb.idx + len(verb.text), right.idx + len(right.text))
            if b - a > 200:
                continue
            out.append(Relation(s[0], o[0], label, (a, b), sentence_at(a)))
    out += _members(text, terms, enums, index, sentence_at)
    seen, unique = set(), []
    for r in out:
        k = (r.source_key, r.target_key, r.label)
        if k not in seen:
            seen.add(k)
            unique.append(r)
    return unique


def _np(tok) -> Span:
    """The noun phrase a token heads, without clauses hanging off it."""
    toks = [t for t in tok.subtree if t.i <= tok.i or t.dep_ in ("compound", "amod", "appos", "nummod")]
    return min(t.idx for t in toks), max(t.idx + len(t.text) for t in toks)


# prepositions that relate two things; "under", "in", "for", "despite" set a scene instead
_RELATING_PREPOSITIONS = {"from", "by", "into", "to", "as", "between", "against", "than", "onto", "toward",
                          "towards", "through", "with"}
_COPULAS = {"is", "are", "was", "were", "be", "been"}


def _objects(verb):
    aux = " ".join(c.text for c in verb.children if c.dep_ in ("auxpass",) and c.i < verb.i)
    base = f"{aux} {verb.text}".strip()
    if verb.lower_ in _COPULAS:
        return  # "X is Y" is a definition, found elsewhere
    for c in verb.children:
        if c.dep_ in ("dobj", "attr", "oprd"):
            yield c, base
        elif c.dep_ == "agent" or (c.dep_ == "prep" and c.lower_ in _RELATING_PREPOSITIONS):
            for p in c.children:
                if p.dep_ == "pobj":
                    yield p, f"{base} {c.text}"


def _members(text, terms, enums, index, sentence_at) -> list[Relation]:
    out = []
    for e in enums:
        if e.kind != "members" or e.whole is None:
            continue
        whole = _term_in(index, *e.whole)
        if whole is None:
            continue
        after = text[e.items[-1][1]:e.items[-1][1] + 40].split()
        head = after[0].rstrip(",.;:") if after else ""
        end = e.items[-1][1] + (text.find(head, e.items[-1][1]) - e.items[-1][1] + len(head) if head else 0)
        label = (head[:-1] if head.endswith("s") and not head.endswith("ss") else head) or "member"
        for item in e.items:
            m = _term_in(index, *item)
            if m and m[0] != whole[0]:
                # the one contiguous statement of the whole list: "decomposition into A, B, and C components"
                out.append(Relation(m[0], whole[0], f"{label} of", (e.whole[0], max(end, e.items[-1][1])),
                                    sentence_at(item[0])))
    return out
