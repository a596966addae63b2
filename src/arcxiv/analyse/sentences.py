"""Sentences and clauses, with spans, by rules that survive math and abbreviations."""
from __future__ import annotations

import re

from ..models import Clause, Sentence, Span

ABBREVIATIONS = {
    "e.g", "i.e", "al", "fig", "figs", "eq", "eqs", "sec", "secs", "ref", "refs", "vs", "cf",
    "approx", "resp", "dr", "prof", "mr", "mrs", "ms", "no", "nos", "vol", "pp", "ca", "thm",
    "lem", "prop", "def", "cor", "ch", "tab", "st", "jr", "inc", "ltd", "viz", "wrt", "w.r.t",
    "etc", "et", "sect", "app", "eqn", "eqns", "corr", "ex", "min", "max",
}
# A full stop, "!" or "?" (and any closing quotes or brackets) followed by space and a
# sentence opening: a capital, a digit, a bracket, a quote, math or a Greek letter.
_END = re.compile(r"[.!?][\"'”’)\]]*(?=\s+[\"'“‘(\[$A-Z0-9Α-Ωα-ω])|\n\n")
_WORD_BEFORE = re.compile(r"([A-Za-z][A-Za-z.]*)\.$")


def _is_abbreviation(text: str, dot: int) -> bool:
    m = _WORD_BEFORE.search(text, max(0, dot - 12), dot + 1)
    if not m:
        return False
    word = m.group(1).lower().rstrip(".")
    if word in ABBREVIATIONS:
        return True
    # A single capital before a full stop is an initial ("J. Smith"), unless math ("rate N.").
    nxt = re.match(r"\s*([A-Za-z]+)", text[dot + 1:dot + 24])
    return len(word) == 1 and m.group(1).isupper() and m.start() > 0 and text[m.start() - 1] == " " \
        and dot + 2 < len(text) and text[dot + 2].isupper() and text[dot + 3: dot + 4].islower() \
        and not (nxt and nxt.group(1).lower() in _OPENING_WORDS)


# Words that open sentences and are no one's surname: "… in G. Is the order …" ends a sentence.
_OPENING_WORDS = set("""is are was were the a an we our this these those there it its in on for if then thus hence
however moreover finally furthermore let such as to with by from when while although since here next further
also but and or so yet do does can may must one two both each all some many most several given under using
first second third fourth fifth lastly consequently specifically in""".split())


def split_sentences(text: str) -> list[Span]:
    spans: list[Span] = []
    start = 0
    for m in _END.finditer(text):
        end = m.end()
        if m.group(0) != "\n\n" and text[m.start()] == "." and (_is_abbreviation(text, m.start())
                                                                or _open_bracket(text, start, m.start())):
            continue
        _add(text, start, end, spans)
        start = end
    _add(text, start, len(text), spans)
    return spans


def _open_bracket(text: str, a: int, b: int) -> bool:
    """A "[" or "(" opened in the sentence so far and closed soon after: a reference such as
    "[Phys. Rev. Lett. 101]" or "(Fig. 2. left)", not a sentence end."""
    piece = text[a:b]
    for o, c in ("[]", "()"):
        k = piece.rfind(o)
        if k >= 0 and piece.count(o) > piece.count(c) and 0 <= text.find(c, b, b + 120) and b - (a + k) < 200:
            return True
    return False


def _add(text: str, a: int, b: int, spans: list[Span]) -> None:
    while a < b and text[a].isspace():
        a += 1
    while b > a and text[b - 1].isspace():
        b -= 1
    if b > a and re.search(r"\w", text[a:b]):
        spans.append((a, b))


# Clause boundaries inside a sentence, with the role of the clause that follows.
_BREAKS = [
    (re.compile(r";\s+"), "claim"),
    (re.compile(r":\s+"), "elaboration"),
    (re.compile(r",?\s+(?:--|—|–)\s+"), "dash"),
    (re.compile(r",\s+(?:and\s+)?(?:hence|thus|therefore|consequently|so that)\s+"), "consequence"),
    (re.compile(r",\s+(?:while|whereas|but|although|though)\s+"), "contrast"),
    (re.compile(r",\s+(?:which|where)\s+"), "elaboration"),
    (re.compile(r",\s+with\s+"), "elaboration"),
]
_NOT_YET = re.compile(r"\bnot\b(?!\s+only\b)")  # "not only …, but also" is two claims
_LEADING_CONDITION = re.compile(r"(?i)^(?:if|when|whenever|under|provided|assuming|given|unless|as long as)\b")


def split_clauses(text: str, span: Span) -> tuple[Clause, ...]:
    """Cut a sentence at colons, semicolons, dashes and clause connectives."""
    a0, b0 = span
    chunk = text[a0:b0]
    cuts: list[tuple[int, int, str]] = []  # (cut start, next clause start, role of next)
    for rx, role in _BREAKS:
        for m in rx.finditer(chunk):
            if _inside_brackets(chunk, m.start()):
                continue
            if role == "contrast" and m.group(0).strip(", ").startswith("but") and _NOT_YET.search(
                    chunk[max(chunk.rfind(",", 0, m.start()), chunk.rfind(";", 0, m.start()), 0):m.start()]):
                continue  # "not X, but Y" is one claim: "Our aim is not to tweak it, but to provide a framework"
            # a connective word ("hence", "which", "with") stays with the clause it opens
            word = re.search(r"[A-Za-z]", m.group(0))
            cuts.append((m.start(), m.start() + word.start() if word else m.end(), role))
    cuts.sort()
    clauses: list[Clause] = []
    prev, role = 0, "claim"
    for cut, nxt, next_role in cuts:
        if cut <= prev:
            continue
        _clause(text, a0 + prev, a0 + cut, role, clauses)
        prev, role = nxt, next_role
    _clause(text, a0 + prev, b0, role, clauses)
    return tuple(_join_dashed_aside(clauses))


def _join_dashed_aside(clauses: list[Clause]) -> list[Clause]:
    """"A -- aside -- B": the aside is an elaboration, and B continues A."""
    out: list[Clause] = []
    i = 0
    while i < len(clauses):
        c = clauses[i]
        if (c.role == "dash" and i + 1 < len(clauses) and clauses[i + 1].role == "dash" and out):
            before = out.pop()
            out.append(Clause(spans=before.spans + clauses[i + 1].spans, role=before.role))
            out.append(Clause(spans=c.spans, role="elaboration"))
            i += 2
            continue
        out.append(Clause(spans=c.spans, role="elaboration") if c.role == "dash" else c)
        i += 1
    return out


def _clause(text: str, a: int, b: int, role: str, out: list[Clause]) -> None:
    piece = text[a:b]
    stripped = piece.rstrip(" .,;:")
    b = a + len(stripped)
    lead = len(piece) - len(piece.lstrip())
    a += lead
    if b - a < 3 or not re.search(r"[A-Za-z]", text[a:b]):
        return
    if role == "claim" and _LEADING_CONDITION.match(text[a:b]) and out:
        role = "condition"
    out.append(Clause(spans=((a, b),), role=role))


def _inside_brackets(s: str, pos: int) -> bool:
    depth = 0
    for ch in s[:pos]:
        if ch in "([{":
            depth += 1
        elif ch in ")]}" and depth:
            depth -= 1
    return depth > 0


def balanced(text: str) -> bool:
    """Brackets closed in order; a "$" never left open."""
    depth = []
    for ch in text:
        if ch in "([{":
            depth.append(ch)
        elif ch in ")]}":
            if not depth or "([{"[")]}".index(ch)] != depth.pop():
                return False
    return not depth and text.count("$") % 2 == 0 and text.count('"') % 2 == 0


_FUNCTION_END = re.compile(r"(?i)(?:^|\s)(?:the|a|an|of|in|on|at|to|for|by|from|with|without|under|over|into|as|and|or|"
                           r"nor|but|if|than|that|which|who|whose|where|when|while|whereas|because|since|is|are|was|"
                           r"were|be|been|has|have|had|do|does|did|its|their|this|these|those|such|via|per|not|no|"
                           r"can|may|might|must|should|would|could|will|shall)$")
_DANGLING_START = re.compile(r"(?i)^(?:which|whose|whereas|hence|thus|therefore|and|or|but|nor)\b")


def reads_whole(src: str, spans) -> bool:
    """An extract that neither opens on a connective that needs what came before, nor ends on a
    function word, nor leaves a bracket open."""
    text = " ".join(src[a:b] for a, b in spans).strip()
    end = text.rstrip(" .,;:")
    end = end[-40:].split(None, 1)[-1] if len(end) > 40 and " " in end[-40:] else end  # its last words only
    if not text or _FUNCTION_END.search(end) or _DANGLING_START.match(text):
        return False
    return balanced(text)


# A structured abstract's headings ("Context.", "Methods:"): words of the paper that are no claim,
# but say what the sentences under them are.
_LABEL = re.compile(r"(?i)(background|context|aims?|objectives?|purpose|methods?|methodology|materials and methods|"
                    r"results?|findings|conclusions?|significance|motivation|limitations|interpretation)\s*[.:]\s*")


def sentences_of(text: str) -> list[Sentence]:
    out: list[Sentence] = []
    label = None
    for a, b in split_sentences(text):
        m = _LABEL.match(text, a, b)
        if m:
            label = m.group(1).lower()
            a = m.end()
            if b - a < 3 or not re.search(r"[A-Za-z]{2}", text[a:b]):
                continue  # "Context." alone: a heading, not a sentence to teach
        out.append(Sentence(index=len(out), span=(a, b), text=text[a:b], clauses=split_clauses(text, (a, b)), label=label))
    return out
