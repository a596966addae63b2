"""Readings: what a lesson teaches, in plain connected sentences of one proposition each.

A reading walks source sentences in order, so the paper's own connectives ("however",
"furthermore", "in particular") stay the links between them and "it"/"they" keep their referent in
the sentence just before. Each clause becomes one sentence in the source's words: "we" becomes "the
authors", a leading "and"/"but" that only joined it to its sentence is dropped, and it opens with a
capital and ends with a full stop. A long clause is split along its parts: a trailing participle
gets its own verb ("…, indicating X" -> "This indicates X."), a result's leading condition is said
after the claim ("It holds under …"), evidence and means after what they support ("This is due to
…", "It does so by …"). Every sentence cites exactly the words it uses; what it adds comes from
wording.py. Nothing is reworded beyond that: a sentence that cannot be split cleanly stays whole.
"""
from __future__ import annotations

import re

from ..analyse.propositions import Proposition
from ..analyse.sentences import reads_whole
from ..models import Analysis, Span, Statement
from .. import wording as W
from .statements import quote, rephrase, trim

LONG = 25  # words: a clause longer than this is split along its parts where it cleanly can be
_SEPARATE = re.compile(r"(?i)^(?:(?:and|but|yet|so)\s+)?(?:it|they|this|these|those|both|each|such)\b")
_JOINER = re.compile(r"(?i)^(?:and|or|but|nor|so|yet)\s+(?=\S)")
_THEY = W.R_AUTHORS
_WE = [(re.compile(r"\bWe\b"), _THEY.capitalize()), (re.compile(r"\bwe\b"), _THEY),
       (re.compile(r"\bOur\b"), _THEY.capitalize() + "'"), (re.compile(r"\bour\b"), _THEY + "'"),
       (re.compile(r"\bus\b"), _THEY)]


def authors(text: str) -> str:
    """"we prove" -> "the authors prove": the reading speaks about the paper, not as it."""
    for rx, to in _WE:
        text = rx.sub(to, text)
    return text


def as_sentence(an: Analysis, span: Span, lead: str = "", connective: bool = False) -> Statement | None:
    """One span as a sentence of its own; None when it does not read whole."""
    src = an.paper.text
    a, b = trim(src, span)
    if connective:
        m = _JOINER.match(src[a:b])
        a += m.end() if m else 0
    if b - a < 3 or not reads_whole(src, [(a, b)]):
        return None
    sent = an.sentences[an.sentence_at(a)]
    words = src[a:b]
    if not lead and (a, b) == trim(src, sent.span) and src[sent.span[0]:sent.span[1]] == words + src[b:sent.span[1]] \
            and authors(words) == words:
        return quote(src, sent.span)  # the whole sentence, unchanged: the paper's own words
    text = lead + authors(words)
    text = text[:1].upper() + text[1:]
    end = src[b:b + 1]
    text += end if end in "?!" and end else ("" if text.endswith((".", "?", "!")) else ".")
    return rephrase(text, [(a, b)])


def sentences_of(an: Analysis, i: int) -> list[Statement]:
    """The reading of source sentence ``i``: one sentence per clause, in order."""
    groups: list[list[Proposition]] = []
    src = an.paper.text
    for p in an.propositions_in(i):
        if groups and p.span[0] < groups[-1][-1].span[1]:
            continue  # an aside inside the clause before ("-- the maximal admissible weight, … --"): read with it
        words = src[p.span[0]:p.span[1]]
        joined = groups and p.leans and not _SEPARATE.match(words) and p.role != "contrast" \
            and not src[groups[-1][-1].span[1]:p.span[0]].strip(" ,;:")
        if joined:
            groups[-1].append(p)
        else:
            groups.append([p])
    # each group as its sentences; a group that does not read as a sentence ("and hence the largest
    # weighted moment class …") is read with the group before it, so no words of the source are lost
    made: list[tuple[Proposition, Span, list[Statement]]] = []
    for g in groups:
        span = (g[0].span[0], g[-1].span[1])
        sts = _split(an, g[0], span, connective=bool(made))
        if not sts and made:
            p0, (a, _), _ = made.pop()
            span = (a, span[1])
            g = [p0]
            sts = _split(an, p0, span, connective=bool(made))
        if not sts:
            break
        made.append((g[0], span, sts))
    else:
        if made:
            return [st for *_, sts in made for st in sts]
    st = as_sentence(an, an.sentences[i].span)
    return [st] if st else [quote(src, an.sentences[i].span)]


def _split(an: Analysis, p: Proposition, span: Span, connective: bool) -> list[Statement]:
    src = an.paper.text
    a, b = span
    whole = as_sentence(an, span, connective=connective)
    if whole is None:
        return []
    if len(src[a:b].split()) <= LONG:
        return [whole]
    role = an.claims[p.sentence].role if p.sentence < len(an.claims) else ""
    # a result's leading condition: the claim first, then what it holds under
    for q in an.stated_conditions(p):
        if role in ("result", "scope") and q.span[0] <= a + 1 and q.span[1] < b:
            rest = re.match(r"[\s,]*(?:then\b)?[\s,]*", src[q.span[1]:b])
            claim = as_sentence(an, (q.span[1] + rest.end(), b))
            cond = as_sentence(an, q.span, lead=W.R_HOLDS_LEAD)
            if claim and cond and not _governs_rest(src, q.span):
                return [claim, _after_lead(cond, W.R_HOLDS_LEAD)]
    # a trailing participle: "…, indicating successful multi-objective optimization"
    m = re.search(r",\s+(?:thereby\s+)?([a-z]+ing)\b", src[a:b])
    if m and (a + m.start(1)) in an.verb_lemmas:
        first = as_sentence(an, (a, a + m.start()), connective=connective)
        we = any(re.match(r"(?i)we\b", src[q.span[0]:q.span[1]]) for q in p.of("subject"))
        tail = _finite(an, (a + m.start(1), b), we)
        if first and tail:
            return [first, tail]
    # evidence or means at the end: "… is challenging due to the vast sequence space …"
    for q in p.parts:
        if q.kind in ("evidence", "means") and q.span[1] >= b - 1 and q.span[0] > a + 10 and \
                re.match(r"(?i)(?:due to|because|by|via|through|using)\b", src[q.span[0]:q.span[1]]):
            first = as_sentence(an, (a, q.span[0]), connective=connective)
            lead = W.R_EVIDENCE_LEAD if q.kind == "evidence" else W.R_MEANS_LEAD
            second = as_sentence(an, q.span, lead=lead)
            if first and second:
                return [first, _after_lead(second, lead)]
    return [whole]


_OPENERS = set("""the a an this these those under two three four our in for we using by with it its their they here
finally first second third fourth further furthermore moreover however lastly then to despite although while when if as
at on from some each both all several many most recent existing one given let""".split())


# the reading's own leads: a sentence that opens with one says more of the sentence before it
OUR_LEADS = tuple(x.strip() for x in (W.R_DOING, W.R_THIS + " ", W.R_HOLDS_LEAD, W.R_MEANS_LEAD, W.R_EVIDENCE_LEAD))
_BACK = re.compile(rf"(?:{'|'.join(re.escape(x) for x in OUR_LEADS)}"
                   r"|It|They|Its|Their|These|Those|Both|Such|Each|But|And|Hence|Thus)\b")


def leans_back(text: str) -> bool:
    """Whether a reading's sentence needs the one before it ("In doing so, …", "It is supported …")."""
    return bool(_BACK.match(text))


def continued(text: str) -> str:
    """A sentence that continues a lead ("The aim: the authors establish …"): its first word in
    lower case when that is an ordinary word, never a name or a symbol."""
    first = text.split(" ", 1)[0]
    return text[:1].lower() + text[1:] if first.lower() in _OPENERS and first[1:].islower() | (len(first) == 1) else text


def _governs_rest(src: str, span: Span) -> bool:
    """A condition that a negation or modal sits in ("if it cannot …") is kept with its claim."""
    return bool(re.search(r"(?i)\b(?:not|never|no|cannot|may|might)\b", src[span[0]:span[1]]))


def _after_lead(st: Statement, lead: str) -> Statement:
    """"It holds If P is …" -> "It holds if P is …": the words continue the lead."""
    return Statement(text=lead + continued(st.text[len(lead):]), kind=st.kind, spans=st.spans)


def _finite(an: Analysis, span: Span, we: bool = False) -> Statement | None:
    """"reducing setup complexity, enhancing safety, and paving the way …" -> "This reduces setup
    complexity, enhances safety, and paves the way …": each coordinated participle gets a verb. After
    the authors' own clause, "identifying X" -> "In doing so, the authors identify X"."""
    from ..verify import stem  # the verifier's own stemming: the verb must read as the cited word
    src = an.paper.text
    a, b = trim(src, span)
    if not reads_whole(src, [(a, b)]):
        return None
    words = src[a:b]
    for lead, form in ((W.R_THIS, third_person), (W.R_DOING, lambda lemma: lemma)):
        if lead == W.R_DOING and not we:
            continue
        out, pos, ok = [], 0, True
        for m in re.finditer(r"(?:^|(?<=, )|(?<=, and )|(?<=and ))([a-z]+ing)\b", words):
            lemma = an.verb_lemmas.get(a + m.start(1))
            if lemma is None:
                continue
            verb = form(lemma)
            if stem(verb.lower()) != stem(m.group(1).lower()):
                ok = False  # "implying" -> "implies" would not read as the cited word
                break
            out += [words[pos:m.start(1)], verb]
            pos = m.end(1)
        if ok and out:
            return rephrase(lead + " " + "".join(out + [words[pos:]]).rstrip(" ,;") + ".", [(a, b)])
    return None


def third_person(lemma: str) -> str:
    if re.search(r"(?:s|sh|ch|x|z|o)$", lemma):
        return lemma + "es"
    if re.search(r"[^aeiou]y$", lemma):
        return lemma[:-1] + "ies"
    return lemma + "s"
