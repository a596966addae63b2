"""Rhetorical roles, enumerations and the topic of each sentence.

Roles come from cue phrases the genre uses ("we propose", "we prove",
"experiments show", "these results", "except for"), with the sentence's place in
the text as the tie-breaker. Enumerations are sentence-level ("First, … Fourth,
…"), inline ("(i) … (ii) …") or coordinated members of a whole ("a decomposition
into A, B, C, and D components").
"""
from __future__ import annotations

import re

from ..models import Claim, Enumeration, Sentence, Span
from .nlp import noun_chunks, text_of

# the paper's own limits: "except for", "beyond the scope", "Limitations include …", "limitations of this study";
# not "their native serotypes face limitations" (the problem the paper starts from)
_LIMITS = (r"\b(?:except (?:for)?|limited to|restricted to|self-contained|beyond the scope|we do not|caveat|limitation)\b"
           r"|^(?:(?:a|an|the|our|one|two|main|key)\s+){0,2}(?:caveats?|limitations?)\b"
           r"|\b(?:caveats?|limitations?) of (?:this|our|the present)\b")
_CUES: dict[str, re.Pattern] = {
    "aim": re.compile(r"(?i)\b(?:we|this (?:paper|work|article|study)|here we|in this (?:paper|work))\s+(?:\w+ly\s+)?"
                      r"(?:establish|propose|introduce|present|study|develop|investigate|consider|address|aim|seek|"
                      r"explore|examine|focus|tackle|revisit|formulate|design|report)\b|\b(?:our|the) (?:goal|aim|objective)\b|"
                      r"\bto address (?:this|these)\b"),
    "method": re.compile(r"(?i)\b(?:we|our (?:method|approach|framework|model))\s+(?:\w+ly\s+)?(?:use|employ|apply|train|"
                         r"build|construct|leverage|combine|adopt|implement|compute|simulate|measure|collect|analy[sz]e|"
                         r"differentiate|model|fit|estimate)\b|\b(?:based on|by (?:using|combining|leveraging)|"
                         r"is (?:used|employed|applied)|consists of|comprises)\b"),
    "result": re.compile(r"(?i)\b(?:we|results?|experiments?|simulations?|analysis|evaluations?)\s+"
                         r"(?:(?:\w+ly|also|further|then|additionally)\s+)?(?:prove|show|derive|"
                         r"demonstrate|find|obtain|characteri[sz]e|observe|reveal|confirm|corroborate|validate|verify|"
                         r"indicate|achieve)\b|"
                         r"\b(?:and|but)\s+(?:also\s+)?(?:prove|show|demonstrate)\s+that\b|"
                         r"\b(?:outperforms?|achieves?|improves?|yields?|admits?|is bounded|has (?:\S+ )?rate|"
                         r"converges?|reduces?|increases?|surpass(?:es)?|attains?)\b|\d+(?:\.\d+)?\s?%"),
    "implication": re.compile(r"(?i)\b(?:these|our|the (?:\w+ )?)results\b.*\b(?:suggest|highlight|imply|indicate|underscore|"
                              r"open|pave|enable|are tied|provide)|\b(?:tied together|unif(?:y|ies|ied|ying)|in summary|"
                              r"overall|taken together|this (?:suggests|implies|enables|opens))\b|"
                              r"\b(?:suggests?|implies|underscores?|highlights?|paves?)\b"),
    "scope": re.compile(rf"(?i){_LIMITS}|\b(?:does not|only (?:for|when|in)|"
                        r"under (?:the )?(?:stated|standard|mild) (?:assumptions|conditions)|we assume|assuming)\b"),
    "background": re.compile(r"(?i)^there (?:are|is|exists?)\b|\b(?:however|recent(?:ly)?|existing|traditional(?:ly)?|widely|commonly|increasingly|"
                             r"prevalent|estimated|has become|have become|is (?:a|an) "
                             r"(?:key|central|fundamental|important|emerging|common)|remains?|has been|have been|"
                             r"in recent years|is transforming|are increasingly)\b"),
}
LABEL_ROLES = {"background": "background", "context": "background", "motivation": "background", "aim": "aim",
               "objective": "aim", "purpose": "aim", "method": "method", "methodology": "method",
               "materials and method": "method", "result": "result", "finding": "result", "conclusion": "implication",
               "significance": "implication", "interpretation": "implication", "limitation": "scope"}
_PRIORITY = ["scope", "implication", "result", "aim", "method", "background"]
_CONTRAST = re.compile(r"(?i)^(?:by|in) contrast\b")
_SHOWN = re.compile(r"(?i)^(?:\w+,\s+)?we\s+(?:\w+ly\s+)?(?:prove|show|demonstrate|establish)\s+that\b")
_LIMITATION = re.compile(rf"(?i){_LIMITS}")

ORDINALS = ["first", "second", "third", "fourth", "fifth", "sixth", "seventh", "eighth", "ninth", "tenth"]
_ORDINAL_RX = re.compile(rf"^(?:({'|'.join(ORDINALS)})(?:ly)?|(finally|lastly))\b,?\s*", re.I)
_INLINE_RX = re.compile(r"\((?:i{1,3}|iv|v|vi{0,3}|ix|x|[1-9]|[a-h])\)\s+")

def ordinal_of(sentence: str) -> int | None:
    m = _ORDINAL_RX.match(sentence)
    if not m:
        return None
    return ORDINALS.index(m.group(1).lower()) + 1 if m.group(1) else 0  # 0: "Finally"


def strip_ordinal(text: str, span: Span) -> Span:
    m = _ORDINAL_RX.match(text[span[0]:span[1]])
    return (span[0] + m.end(), span[1]) if m else span


def classify(sentences: list[Sentence]) -> list[Claim]:
    claims: list[Claim] = []
    items = _sentence_items(sentences)
    n = len(sentences)
    prev_role = "background"
    for s in sentences:
        scores = {role: len(rx.findall(s.text)) for role, rx in _CUES.items()}
        role = next((r for r in _PRIORITY if scores[r]), None)
        if _CONTRAST.match(s.text) and prev_role == "result" and role in (None, "method", "background"):
            role = "result"  # "By contrast, naive X … can produce biased rules": the other side of a finding
        if role == "scope" and _SHOWN.search(s.text) and not _LIMITATION.search(s.text):
            role = "result"  # "We show that X …; its validity does not depend on …": what was shown, not a limit
        own_work = re.search(r"(?i)\b(?:we|our|this (?:paper|work|study|article))\b", s.text)
        if scores["background"] and not own_work and s.index < max(2, n // 3) and role in ("result", "method"):
            role = "background"  # an early sentence about the field, not about this paper's work
        if role is None:
            # no cue: the opening sentence sets the scene, the last one concludes,
            # and a sentence in the middle continues what came before it
            role = "background" if s.index == 0 else ("implication" if s.index == n - 1 and n > 3 else prev_role)
        we = re.search(r"(?i)(?:^|,\s+)(?:we|our (?:\w+ )?(?:results|experiments|analysis)|"
                       r"this (?:paper|work|study|article|note))\s+(?:\w+ly\s+)?(\w+)", s.text)
        if we and role in ("background", "implication"):
            # the authors' own sentence: what they did (method) or found (result), not the field's state
            role = "result" if _CUES["result"].search(s.text) else ("aim" if _CUES["aim"].search(s.text) else "method")
        if role == "aim" and s.index in items and items[s.index]:
            role = "result"  # "First, we establish …" announces one of the results
        if s.label:  # a structured abstract says what its sentences are: its heading decides
            role = LABEL_ROLES.get(s.label.rstrip("s"), role) if role != "scope" else role
        claims.append(Claim(sentence=s.index, role=role, item=items.get(s.index), cued=any(scores.values()) or bool(s.label)))
        prev_role = role if role not in ("scope", "implication") else prev_role
    return claims


def _sentence_items(sentences: list[Sentence]) -> dict[int, int]:
    """Sentence index -> item number, for "First, … Second, … Finally, …" (two or more items)."""
    found = {}
    expected = 1
    for s in sentences:
        k = ordinal_of(s.text)
        if k == expected or (k == 0 and expected > 1):
            found[s.index] = expected
            expected += 1
    return found if len(found) >= 2 else {}


def enumerations(text: str, sentences: list[Sentence], doc) -> list[Enumeration]:
    out = []
    items = _sentence_items(sentences)
    if items:
        idx = sorted(items)
        out.append(Enumeration("sentences", tuple(sentences[i].span for i in idx), None, tuple(idx)))
    for s in sentences:  # "(i) … (ii) … (iii) …" within a sentence
        marks = list(_INLINE_RX.finditer(s.text))
        if len(marks) >= 2:
            spans = []
            for k, m in enumerate(marks):
                end = marks[k + 1].start() if k + 1 < len(marks) else len(s.text)
                a, b = s.span[0] + m.end(), s.span[0] + end
                seg = text[a:b].rstrip(" ,;.")
                seg = re.sub(r",?\s+(?:and|or)$", "", seg)
                spans.append((a, a + len(seg)))
            out.append(Enumeration("inline", tuple(spans), None, (s.index,)))
    out += _member_lists(doc)
    return out


_WHOLE_RX = re.compile(r"\b(into|of|including|such as|namely|comprising|consisting of|spanning)\s+$")


def _member_lists(doc) -> list[Enumeration]:
    """Three or more coordinated words or phrases: "a decomposition into statistical,
    optimization, propagation-of-chaos, and sparse-residual components"."""
    out = []
    chunk_ending = {ch.end_char: ch for ch in noun_chunks(doc)}
    text = text_of(doc)
    heads = sorted({t.head.i for t in doc if t.dep_ == "conj"})  # only tokens that start a coordination
    for tok in (doc[i] for i in heads):
        if tok.dep_ == "conj":
            continue
        conj = _conjuncts(tok)
        if len(conj) < 3:
            continue
        spans = [_item_span(c) for c in conj]
        # a head noun shared by all items sits on the last one: "… and sparse-residual components"
        last = conj[-1]
        if all(c.pos_ == "ADJ" or c.dep_ == "amod" for c in conj[:1]) and last.pos_ == "NOUN" and last.tag_ == "NNS" \
                and spans[-1][0] < last.idx:
            spans[-1] = (spans[-1][0], last.idx - 1)
        whole = None
        m = _WHOLE_RX.search(text, max(0, spans[0][0] - 40), spans[0][0])
        if m and m.start() - 1 in chunk_ending:
            ch = chunk_ending[m.start() - 1]
            start = ch.start_char + (len(ch[0].text) + 1 if ch[0].pos_ == "DET" else 0)
            whole = (start, ch.end_char)
        out.append(Enumeration("members", tuple(spans), whole))
    return out


def _conjuncts(tok):
    out = [tok]
    cur = tok
    while True:
        nxt = next((c for c in cur.children if c.dep_ == "conj"), None)
        if nxt is None:
            return out
        out.append(nxt)
        cur = nxt


def _item_span(tok) -> Span:
    """The item's own words: its subtree without the later conjuncts, commas and "and"."""
    drop = set()
    for c in tok.children:
        if c.dep_ in ("conj", "cc", "punct") and c.i > tok.i:
            drop.update(t.i for t in c.subtree)
    toks = [t for t in tok.subtree if t.i not in drop and not (t.dep_ == "det" and t.i == tok.left_edge.i)]
    return min(t.idx for t in toks), max(t.idx + len(t.text) for t in toks)


def topics(doc, sentences: list[Sentence]) -> dict[int, Span]:
    """What each sentence's main verb acts on: "global existence and uniqueness of the
    mean-field limit", "a sparse-dictionary decomposition". Used to name sections."""
    out = {}
    for s in sentences:
        first = s.clauses[0].spans[0] if s.clauses else s.span  # what the main clause is about
        span = doc.char_span(first[0], first[1], alignment_mode="expand")
        if span is None:
            continue
        root = span.root
        if any(c.dep_ == "neg" or (c.dep_ == "aux" and c.tag_ == "MD") for c in root.children):
            continue  # "do not provide insightful explanations" is not about insightful explanations
        obj = next((c for c in root.children if c.dep_ in ("dobj", "attr")), None)
        if obj is None:
            obj = next((c for c in root.children if c.dep_ in ("nsubj", "nsubjpass")
                        and c.lower_ not in ("we", "it", "this", "they")), None)
        if obj is None:
            continue
        # the determiner goes, unless it negates: "no convergence rate is assumed" is not about a rate
        toks = [t for t in obj.subtree if t.i <= obj.i and (t.dep_ != "det" or t.lower_ == "no") or t.i == obj.i]
        for c in obj.children:  # "existence and uniqueness", then one "of …"
            if c.dep_ in ("cc", "conj") and c.i > obj.i:
                toks += [t for t in c.subtree if not any(p.dep_ == "prep" for p in [t] + list(t.ancestors)[:1])]
        last = max(toks, key=lambda t: t.i)
        of = next((c for c in list(obj.children) + list(last.children) if c.dep_ == "prep" and c.lower_ == "of"), None)
        if of is not None:
            pobj = next((c for c in of.children if c.dep_ == "pobj"), None)
            if pobj is not None:
                toks += [of] + [t for t in pobj.subtree if t.i <= pobj.i]
        a = min(t.idx for t in toks)
        b = max(t.idx + len(t.text) for t in toks)
        text = text_of(doc)
        while a > 0 and text[a - 1].isalnum():  # spaCy splits inside words ("hed" is "he" + "d"): keep
            a -= 1                              # whole words, as the verifier reads them
        while b < len(text) and text[b].isalnum():
            b += 1
        if len(text[a:b].split()) <= 10:
            out[s.index] = (a, b)
    return out
