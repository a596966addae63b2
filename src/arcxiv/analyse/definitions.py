"""Definitions from the source's own grammar.

Patterns: an appositive ("the maximal admissible weight w*"), an acronym
("Maximal Update Parametrization (μP)"), "identifying X as Y", tuple alignment
("(w*, D*orb, S*) -- the A, the B, and the C"), "X is Y", "X, i.e., Y" and
"Y, denoted X". Each definition keeps the spans of the words that carry it.
"""
from __future__ import annotations

import re

from ..models import Definition, Span, TermInfo
from .nlp import noun_chunks
from .sentences import balanced, reads_whole

_DET = re.compile(r"^(?:(?:the|a|an|our|its|their|this|these|every|each|all|some|any|two|three|four|both)\s+)+", re.I)


def trim_span(text: str, a: int, b: int) -> Span:
    while a < b and text[a].isspace():
        a += 1
    return a, b


def _strip_det(text: str, a: int, b: int) -> Span:
    seg = text[a:b]
    m = _DET.match(seg)
    if m:
        a += m.end()
    seg = text[a:b].rstrip(" ,;:")
    b = a + len(seg)
    while text[a:b].count("(") > text[a:b].count(")") and b < len(text) and ")" in text[b:b + 40]:
        b = text.index(")", b) + 1  # keep brackets balanced: "(σ, ρ)"
    return a, b


def _term_at(terms: dict[str, TermInfo], span: Span, kinds=("symbol", "acronym", "concept")) -> TermInfo | None:
    """The term with a mention inside ``span``, notation first."""
    best = None
    for t in terms.values():
        if t.kind not in kinds:
            continue
        for a, b in t.mentions:
            if span[0] <= a and b <= span[1]:
                rank = (t.kind != "symbol", t.kind != "acronym", a)
                if best is None or rank < best[0]:
                    best = (rank, t)
    return best[1] if best else None


_JOINER = re.compile(r"(?:,?\s+(?:and|or))+$")


def _without_trailing_joiner(text: str, d: Definition) -> Definition:
    """"… that decays to zero at infinity, and": the "and" joins the next clause, not this meaning."""
    ev = list(d.evidence)
    m = _JOINER.search(text, ev[-1][0], ev[-1][1])
    if not m:
        return d
    ev[-1] = (ev[-1][0], m.start())
    ma, mb = d.meaning_span
    mb = min(mb, m.start())
    return Definition(d.term_key, text[ma:mb], (ma, mb), tuple(ev), d.pattern)


def find_definitions(text: str, doc, terms: dict[str, TermInfo]) -> list[Definition]:
    found: list[Definition] = []
    found += _acronyms(terms, text)
    found += _appositives(text, doc, terms)
    found += _tuples(text, terms)
    found += _identified_as(text, terms)
    found += _copulas(text, doc, terms)
    found += _ie_and_denoted(text, terms)
    # one definition per (term, meaning); keep the earliest evidence
    seen: set[tuple[str, str]] = set()
    out = []
    for d in sorted(found, key=lambda d: (d.evidence[0][0], d.term_key)):
        k = (d.term_key, d.meaning.lower())
        # a definition is read as a whole phrase: one cut inside a bracket says nothing whole
        d = _without_trailing_joiner(text, d)
        whole = reads_whole(text, [(d.meaning_span[0], d.meaning_span[1])]) and \
            all(reads_whole(text, [e]) or balanced(text[e[0]:e[1]]) and e is not d.evidence[-1] for e in d.evidence)
        if k not in seen and whole and d.meaning.lower() != terms[d.term_key].label.lower() and _names(d, terms):
            seen.add(k)
            out.append(d)
    # a symbol written after several different words ("plasma T4", "reduced T4", "total T4") is a name
    # those words modify, not one they define
    meanings: dict[str, set[str]] = {}
    for d in out:
        if d.pattern == "appositive":
            meanings.setdefault(d.term_key, set()).add(d.meaning.lower())
    for key, said in meanings.items():  # "a finite group G" … "a profinite group G": G means two things
        said |= {m.group(1).lower() for a, _ in terms[key].mentions
                 for m in [_NAMED_BEFORE.search(text[max(0, a - 60):a])] if m}
    return [d for d in out if not (d.pattern == "appositive" and len(meanings[d.term_key]) > 1)]


_NAMED_BEFORE = re.compile(r"\b(?:a|an)\s+((?:[\w-]+\s+){0,2}[\w-]+)\s+$")
_NUMBER_LABEL = re.compile(r"^\$?[\d.,\s×^{}()\-−]+\$?$")


def _names(d: Definition, terms: dict[str, TermInfo]) -> bool:
    """A meaning that names something: words, not TeX, a number or a value ("$0.5$ is the eccentricity",
    "m_2 is the \\frac{64}{5} …", "the extraction efficiency is 90–95%" are no definitions)."""
    meaning = d.meaning.strip()
    if "\\" in meaning or "$" in meaning or meaning[:1].isdigit() or not re.search(r"[^\W\d_]{3}", meaning):
        return False
    return not _NUMBER_LABEL.match(terms[d.term_key].label)


def _acronyms(terms: dict[str, TermInfo], text: str) -> list[Definition]:
    out = []
    for t in terms.values():
        if t.kind != "acronym" or not t.expansion:
            continue
        (a, b), short = t.expansion_span, t.short_span
        ev = (min(a, short[0]), max(b, short[1]))
        if text.count("(", *ev) > text.count(")", *ev) and text[ev[1]:ev[1] + 1] == ")":
            ev = (ev[0], ev[1] + 1)  # "Long Form (LF)" with its closing bracket: a whole phrase
        out.append(Definition(t.key, t.expansion, (a, b), (ev,), "acronym"))
    return out


def _appositives(text: str, doc, terms: dict[str, TermInfo]) -> list[Definition]:
    """A noun phrase directly followed by a symbol names it: "the orbit depth D*orb"."""
    out = []
    # symbol start -> start of the noun phrase just before it ("the orbit depth" D*orb),
    # whether the parser put the symbol inside that chunk or just after it
    np_before: dict[int, int] = {}
    for ch in noun_chunks(doc):
        np_before.setdefault(ch.end_char + 1, ch.start_char)
        last = ch[-1]
        if last.i > ch.start:
            np_before[last.idx] = ch.start_char
    for t in terms.values():
        if t.kind != "symbol" or t.label.startswith("("):
            continue
        for a, b in t.mentions:
            start = np_before.get(a)
            if start is None or text[a - 1:a] != " ":
                continue
            if _inside_tuple(terms, a):
                continue
            ma, mb = _strip_det(text, start, a - 1)
            meaning = text[ma:mb]
            # mb > a: closing an open bracket ran past the symbol ("the triple (# w*, …)"): no name for it
            listed = re.match(r"\s*,\s*\S", text[b:b + 3]) is not None  # "subgroups H,K": H is one of them
            plural = re.search(r"[^s]s$", meaning) is not None and not meaning.endswith(("ss", "ics", "sis"))
            named = a >= mb > ma and re.search(r"[a-z]{3}", meaning) and \
                not re.search(r"\b(?:at|most|least|of|in|on|to|by|for|modulo|and|or)$", meaning)
            if named and (listed or plural):
                t.named = True  # one of several, or of a plural: named, but given no meaning of its own
                for other in _listed_after(text, terms, b):  # "subgroups H,K": K is named with H
                    other.named = True
            elif named:
                out.append(Definition(t.key, meaning, (ma, mb), ((ma, b),), "appositive"))
    # a tuple after a noun phrase: "the architecture-data pair (σ, ρ)"
    for t in terms.values():
        if t.kind == "symbol" and t.label.startswith("("):
            for a, b in t.mentions:
                m = re.search(r"(?:the|a|an)\s+((?:[\w-]+\s+){0,3}[\w-]+)\s+$", text[max(0, a - 80):a])
                if m:
                    ma = a - (len(text[max(0, a - 80):a]) - m.start(1))
                    mb = ma + len(m.group(1))
                    out.append(Definition(t.key, text[ma:mb], (ma, mb), ((ma, b),), "appositive"))
    return out


def _listed_after(text: str, terms: dict[str, TermInfo], end: int) -> list[TermInfo]:
    """The symbols listed right after one: "H,K", "P_1,P_2"."""
    starts = {a: t for t in terms.values() if t.kind == "symbol" for a, _ in t.mentions}
    out = []
    while True:
        m = re.match(r"\s*,\s*", text[end:end + 4])
        nxt = starts.get(end + m.end()) if m else None
        if nxt is None:
            return out
        out.append(nxt)
        end = next(b for a, b in nxt.mentions if a == end + m.end())


def _inside_tuple(terms: dict[str, TermInfo], pos: int) -> bool:
    return any(t.kind == "symbol" and t.label.startswith("(") and a < pos < b
               for t in terms.values() for a, b in t.mentions)


_LIST_ITEM = r"(?:the|a|an)\s+[^,;:()]+?"


def _tuples(text: str, terms: dict[str, TermInfo]) -> list[Definition]:
    """"(a, b, c) -- the A, the B, and the C": the i-th symbol is the i-th phrase."""
    out = []
    for t in terms.values():
        if t.kind != "symbol" or not t.label.startswith("("):
            continue
        members = [m.strip() for m in t.label[1:-1].split(",")]
        for a, b in t.mentions:
            m = re.match(r"\s*(--|—|–|:|,)?\s*(?:(?:which\s+)?(?:denote|are|is)\s+)?", text[b:])
            rest_start = b + m.end()
            # after a dash the list runs to the closing dash; otherwise to the clause's end
            stop_rx = r"\s+(?:--|—|–)\s+|[;:.](?:\s|$)" if m.group(1) in ("--", "—", "–") else r"[;:.](?:\s|$)|\s+(?:is|are)\s+"
            stop = re.search(stop_rx, text[rest_start:])
            seg_end = rest_start + (stop.start() if stop else len(text) - rest_start)
            items = _split_list(text, rest_start, seg_end)
            if len(items) != len(members) or not all(re.match(r"(?:the|a|an)\s", text[x:y], re.I) for x, y in items):
                continue
            for sym, (x, y) in zip(members, items):
                target = terms.get("sym:" + sym)
                if target:
                    ma, mb = _strip_det(text, x, y)
                    out.append(Definition(target.key, text[ma:mb], (ma, mb), ((a, b), (ma, mb)), "tuple"))
    return out


def _split_list(text: str, a: int, b: int) -> list[Span]:
    """Items of "A, B, and C" / "A and B" between a and b."""
    seg = text[a:b]
    parts, pos = [], 0
    for m in re.finditer(r",\s+(?:and\s+|or\s+)?|\s+and\s+", seg):
        parts.append((pos, m.start()))
        pos = m.end()
    parts.append((pos, len(seg)))
    return [(a + x, a + y) for x, y in parts if y > x]


def _identified_as(text: str, terms: dict[str, TermInfo]) -> list[Definition]:
    out = []
    rx = re.compile(r"\bidentif(?:y|ying|ies|ied)\s+(.{1,160}?)\s+as\s+((?:the|a|an)\s+[^,;:.()]{3,120}?)(?=,|;|:|\.|\s+and\s|$)")
    for m in rx.finditer(text):
        subject = _term_at(terms, m.span(1))
        if subject is None:
            continue
        ma, mb = _strip_det(text, *m.span(2))
        mention = next((x, y) for x, y in subject.mentions if m.start(1) <= x and y <= m.end(1))
        out.append(Definition(subject.key, text[ma:mb], (ma, mb), (mention, (m.start(2), m.end(2))), "identified-as"))
        # "identifying X as Y, and hence Z": Z characterises X too
        h = re.match(r",?\s+and\s+hence\s+((?:the|a|an)\s+[^,;:.()]{3,120}?)(?=,|;|:|\.|$)", text[m.end():])
        if h:
            ha, hb = m.end() + h.start(1), m.end() + h.end(1)
            za, zb = _strip_det(text, ha, hb)
            out.append(Definition(subject.key, text[za:zb], (za, zb), (mention, (m.end() + h.start(), hb)), "identified-as"))
    return out


def _copulas(text: str, doc, terms: dict[str, TermInfo]) -> list[Definition]:
    """"X is Y" where X names a term and Y is a noun phrase (not "is self-contained")."""
    out = []
    for tok in doc:
        if tok.lemma_ != "be" or tok.dep_ not in ("ROOT", "ccomp", "conj"):
            continue
        subj = next((c for c in tok.children if c.dep_ == "nsubj"), None)
        attr = next((c for c in tok.children if c.dep_ == "attr" and c.pos_ in ("NOUN", "PROPN")), None)
        if subj is None or attr is None or any(c.dep_ == "neg" for c in tok.children):
            continue
        s_a, s_b = subj.left_edge.idx, subj.right_edge.idx + len(subj.right_edge.text)
        a_a, a_b = attr.left_edge.idx, attr.right_edge.idx + len(attr.right_edge.text)
        term = _term_at(terms, (s_a, s_b))
        if term is None or a_b - a_a > 160:
            continue
        ma, mb = _strip_det(text, a_a, a_b)
        cut = re.search(r"\s+(?:--|—|–)\s+", text[s_a:s_b])  # drop a dashed aside inside the subject
        if cut:
            s_b = s_a + cut.start()
        out.append(Definition(term.key, text[ma:mb], (ma, mb), ((s_a, s_b), (tok.idx, max(a_b, mb))), "copula"))
    return out


def _ie_and_denoted(text: str, terms: dict[str, TermInfo]) -> list[Definition]:
    out = []
    low = text.lower()
    if not any(w in low for w in ("i.e.", "namely", "that is,", "denote")):
        return out  # the patterns below scan slowly; most abstracts have none of their cue words
    # "X, i.e., Y" / "X, namely Y" / "X, that is, Y"
    for cue in re.finditer(r",?\s+(?:i\.e\.,?|namely|that is,)\s+", text):
        # X: back to the previous comma, colon or bracket; Y: on to the next one
        x_start = max(text.rfind(c, 0, cue.start()) for c in ",;:()") + 1
        if cue.start() - x_start > 80:  # a long X: from the first whole word of its last 80 characters
            x_start = text.find(" ", cue.start() - 81, cue.start()) + 1 or cue.start()
        y = re.match(r"[^,;:()]{3,120}?(?=[,;:).]|$)", text[cue.end():])
        # the term X is what stands right before the cue ("tasks, i.e., …" defines tasks, not an earlier term)
        term = _term_at(terms, (x_start, cue.start()))
        term = term if term and any(b == cue.start() for _, b in term.mentions) else None
        if term and y:
            ma, mb = _strip_det(text, cue.end(), cue.end() + y.end())
            out.append(Definition(term.key, text[ma:mb], (ma, mb), (trim_span(text, x_start, cue.end() + y.end()),), "i.e."))
    # "Y, denoted (by) X" and "X denotes Y"
    for m in re.finditer(r"((?:the|a|an)\s+[^,;:()]{3,80}?),?\s+denoted\s+(?:by\s+)?(\S+?)(?=[\s,;:.)]|$)", text):
        term = _term_at(terms, m.span(2), ("symbol",))
        if term:
            ma, mb = _strip_det(text, *m.span(1))
            out.append(Definition(term.key, text[ma:mb], (ma, mb), (m.span(0),), "denoted"))
    for m in re.finditer(r"(\S+)\s+denotes\s+((?:the|a|an)\s+[^,;:()]{3,120}?)(?=[,;:.)]|$)", text):
        term = _term_at(terms, m.span(1), ("symbol",))
        if term:
            ma, mb = _strip_det(text, *m.span(2))
            out.append(Definition(term.key, text[ma:mb], (ma, mb), (m.span(0),), "denoted"))
    return out
