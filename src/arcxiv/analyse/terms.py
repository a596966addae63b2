"""Terms with all their mentions: concepts, acronyms, symbols and quantities.

Concepts come from the parser's noun chunks, cut at symbols and brackets and
stripped of determiners; variants ("the mean-field limit", "mean-field limits")
share one key, the lemmatised lower-case words. Every surface form of every
term is then found in one pass over the text, longest first.
"""
from __future__ import annotations

import heapq
from bisect import bisect_right
from itertools import accumulate
import re

from ..models import Span, TermInfo
from .sentences import balanced
from .nlp import noun_chunks, text_of
from .symbols import find_acronym_words, find_defined_acronyms, find_quantities, find_symbols

# Words that open a noun chunk without being part of the concept.
_LEADING = {"DET", "PRON", "NUM", "PART", "PUNCT", "CCONJ", "ADP", "SYM", "X", "SPACE", "AUX", "VERB", "ADV"}
_LEADING_WORDS = {"most", "such", "many", "several", "various", "both", "each", "any", "some", "other",
                  "more", "less", "few", "certain", "same", "different", "new", "further", "much", "all",
                  "respective", "corresponding", "own", "first", "second", "third", "fourth", "fifth",
                  "two", "three", "four", "five", "six", "existing", "given", "main", "key", "novel", "following",
                  "above", "previous", "present", "similar", "general", "particular", "several", "recent", "special",
                  "vivo", "vitro", "situ", "silico", "art"}
_GENERIC_NOUNS = {"we", "it", "they", "which", "that", "this", "these", "those", "one", "ones", "work",
                  "paper", "study", "approach", "method", "result", "results", "way", "case", "cases",
                  "time", "terms", "term", "part", "parts", "number", "use", "problem", "question",
                  "fact", "end", "set", "kind", "type", "types", "lot", "range", "role", "form",
                  "article", "thing", "things", "order", "level", "levels", "step", "steps", "area",
                  "introduction", "demonstration", "surroundings", "interactions", "performance", "improvement",
                  "improvements", "contribution", "contributions", "implications", "applications", "evaluation",
                  "foundation", "development", "understanding", "possibility", "importance",
                  # a whole paper's furniture: "Figure 2", "Section 3", "Eq. 5" name places, not concepts
                  "figure", "figures", "fig", "table", "tables", "section", "sections", "equation", "equations",
                  "eq", "eqs", "appendix", "chapter", "chapters", "footnote", "reference", "references"}
_MATH = re.compile(r"[∈∉⊂⊆⊃⊇=≤≥≠^_]")
_TEX_ENVIRONMENT = re.compile(r"\\(?:begin|end)\{")
_FURNITURE = re.compile(r"(?i)^(?:et al\.?|(?:additional|supplementa(?:ry|l)|supporting) (?:file|material|information|"
                        r"data|table|figure|text|methods?)s?\b.*)$")
_SPLIT_WORDS = {"modulo", "versus", "via", "vs", "per"}


def _concept_pieces(doc, symbol_spans: list[Span], symbol_labels: frozenset = frozenset()):
    """Noun-chunk pieces that name concepts, as (start char, end char, key). A symbol, wherever it
    stands, and a formula cut a chunk: "a finite group G" names the concept "finite group"."""
    in_symbol = _covered(symbol_spans)
    for chunk in noun_chunks(doc):
        piece: list = []
        for tok in chunk:
            cut = (tok.text in "()[],;:" or tok.lower_ in _SPLIT_WORDS or in_symbol(tok.idx)
                   or tok.text.startswith("$") or tok.text.rstrip(".") in symbol_labels or _MATH.search(tok.text))
            if cut:
                yield from _finish(piece)
                piece = []
            else:
                piece.append(tok)
        yield from _finish(piece)


def _verb_misread(tok) -> bool:
    """"allowing interactivity results in an improvement": "results in", "leads to", "accounts for"
    are verbs the tagger may read as a plural noun closing the chunk."""
    nxt = tok.nbor(1) if tok.i + 1 < len(tok.doc) else None
    return nxt is not None and (tok.lower_, nxt.lower_) in {("results", "in"), ("leads", "to"), ("accounts", "for")}


def _finish(tokens):
    while tokens and (tokens[0].pos_ in _LEADING or tokens[0].lower_ in _LEADING_WORDS
                      or not any(c.isalpha() for c in tokens[0].text)):
        tokens = tokens[1:]
    while tokens and (tokens[-1].pos_ not in ("NOUN", "PROPN") or tokens[-1].lower_ in _GENERIC_NOUNS
                      and len(tokens) == 1 or _verb_misread(tokens[-1])):
        tokens = tokens[:-1]
    if not tokens:
        return
    a, b = tokens[0].idx, tokens[-1].idx + len(tokens[-1].text)
    text = text_of(tokens[0].doc)
    if len(text[a:b].split()) > 6 or not balanced(text[a:b]):
        return
    if len(tokens) == 1:
        t = tokens[0]
        # one word is a concept only if it looks technical: hyphenated, long, or a name
        if not ("-" in t.text or len(t.text) >= 10 or (t.pos_ == "PROPN" and t.text[:1].isupper()
                                                        and t.idx > 0 and not t.is_sent_start)):
            return
        if t.lower_ in _GENERIC_NOUNS:
            return
    key = concept_key(text[a:tokens[-1].idx].lower().split() + [tokens[-1].lemma_.lower()])
    # names keep their capitals; a capital that only opens a sentence does not count
    keep_case = any(any(c.isupper() for c in t.text[1:]) or (t.text[:1].isupper() and not t.is_sent_start)
                    for t in tokens)
    yield (a, b, key, keep_case)


_NAME = r"[A-Z][A-Za-z'’\-]+"
_CITATION = re.compile(rf"{_NAME}(?:(?:,\s+{_NAME})*,?\s+(?:and|&)\s+{_NAME}|\s+et\s+al\.?)?,?\s*"
                       r"\(\s*(?:19|20)\d\d[a-z]?\s*\)|\((?:[^()]{0,60}?(?:19|20)\d\d[a-z]?\s*[;,]?\s*)+\)")


def citations(text: str) -> list[Span]:
    """Where the text cites other work by author and year."""
    return [m.span() for m in _CITATION.finditer(text)]


def concept_key(words: list[str]) -> str:
    return " ".join(words)


def _covered(spans: list[Span]):
    ordered = sorted(spans)
    starts = [a for a, _ in ordered]
    reach = list(accumulate((b for _, b in ordered), max))  # the furthest end among spans so far

    def inside(pos: int) -> bool:
        i = bisect_right(starts, pos) - 1
        return i >= 0 and reach[i] > pos

    return inside


def collect_terms(text: str, doc) -> tuple[dict[str, TermInfo], dict[str, str]]:
    """All terms, keyed; and a map from each variant key to its term's key."""
    terms: dict[str, TermInfo] = {}
    alias: dict[str, str] = {}  # surface form (lower) -> term key
    forms: dict[str, set[str]] = {}  # term key -> surface forms to search for

    def add(key: str, label: str, kind: str, form: str) -> str:
        key = alias.get(form.lower(), key)
        if key not in terms:
            terms[key] = TermInfo(key=key, label=label, kind=kind)
        forms.setdefault(key, set()).add(form)
        alias.setdefault(form.lower(), key)
        return key

    symbols = find_symbols(text)
    for label, _ in symbols:
        add("sym:" + label, label, "symbol", label)
    for short, short_span, long, long_span in find_defined_acronyms(text):
        key = add("acr:" + short, short, "acronym", short)
        if not terms[key].expansion:
            terms[key].expansion, terms[key].expansion_span, terms[key].short_span = long, long_span, short_span
        forms[key].add(long)
        alias.setdefault(long.lower(), key)
        alias.setdefault(_long_key(long), key)
    for word, _ in find_acronym_words(text):
        singular = word[:-1] if word.endswith("s") and "acr:" + word[:-1] in terms else word
        add("acr:" + singular, singular, "acronym", word)
    for label, _ in find_quantities(text):
        add("qty:" + label, label, "quantity", label)

    symbol_spans = [sp for _, sp in symbols]
    # a citation ("Ai and Chen (2003)", "Pakes (1995)") is one unit, and its names are no concepts
    labels = frozenset(label for label, _ in symbols)
    for a, b, key, keep_case in _concept_pieces(doc, symbol_spans + citations(text), labels):
        form = text[a:b]
        if "$" in form or _TEX_ENVIRONMENT.search(form) or _FURNITURE.match(form):
            continue  # TeX left over around display math ("\\end{split}$$"), "et al", "Additional file 1": no concepts
        if form.lower() in alias or key in alias:
            target = alias.get(form.lower()) or alias[key]
            forms[target].add(form)
            continue
        label = form if keep_case else form.lower()
        add(key, label, "concept", form)
        alias.setdefault(key, key)

    _find_mentions(text, terms, forms)
    return {k: t for k, t in terms.items() if t.mentions}, alias


def _long_key(long: str) -> str:
    return " ".join(w.lower() for w in long.split())


def _find_mentions(text: str, terms: dict[str, TermInfo], forms: dict[str, set[str]]) -> None:
    """Longest form first, so a nested form is not counted inside a longer one; single
    symbols get their own pass, since they also live inside tuples and rates: (w*, S*), O(N-1)."""
    single = {k for k in forms if k.startswith("sym:") and not k.startswith("sym:(")}
    _scan(text, terms, {k: v for k, v in forms.items() if k not in single})
    _scan(text, terms, {k: v for k, v in forms.items() if k in single})
    for t in terms.values():
        t.mentions.sort()


def _scan(text: str, terms: dict[str, TermInfo], forms: dict[str, set[str]]) -> None:
    """Every mention of every form, leftmost first, the longest form first where several start
    at one place (as one regex alternation would), but trying at each place only the forms that
    can start there: one alternation of all forms made long texts quadratic."""
    owner: dict[str, tuple[str, str]] = {}  # lower-case form -> (term key, form as written)
    for key in sorted(forms):
        for form in sorted(forms[key]):
            owner.setdefault(form.lower(), (key, form))
    ordered = sorted(owner, key=lambda f: (-len(f), f))
    by_word: dict[str, list[int]] = {}  # first word of a form -> its forms (a word form starts a word)
    by_char: dict[str, list[int]] = {}  # first character of a form that starts with a sign
    matchers = []
    for i, low in enumerate(ordered):
        key, form = owner[low]
        # notation is case-sensitive (S* is not s*); words are not
        # and a short name written in capitals is an abbreviation ("each OR forwards"): never the word "or"
        exact = key.startswith(("sym:", "qty:")) or (key.startswith("acr:") and " " not in form) or \
            (form.isupper() and " " not in form and len(form) <= 6) or form.lower() in _FUNCTION_WORD_NAMES or \
            (len(form) <= 3 and form != form.lower())  # "Rc" is not the "rc" of "− rc"
        matchers.append(FormMatcher(form, exact))
        if low[:1].isalnum():  # its pattern only matches where a word starts
            by_word.setdefault(_WORD.match(low).group(), []).append(i)
        else:
            by_char.setdefault(low[0], []).append(i)
    pos = 0
    for start, word in _places(text, by_char):
        if start < pos:
            continue
        candidates = by_char.get(text[start].lower(), []) if word is None else \
            [*by_word.get(word, ()), *by_word.get(word[:-1], ()), *by_word.get(word[:-2], ())]
        for i in sorted(candidates):
            end = matchers[i].match(text, start)
            if end is not None:
                terms[owner[ordered[i]][0]].mentions.append((start, end))
                pos = end
                break


_WORD = re.compile(r"\w+")
# names that are also function words: "May" (the month) is not "may", "US" is not "us"
_FUNCTION_WORD_NAMES = set("may can will might must shall or as an us it is be do and in on at by to of we "
                           "so no not am are was were has had".split())


def _places(text: str, by_char: dict[str, list[int]]):
    """(position, lower-case word) where a word starts, and (position, None) at each sign that
    starts a form, in text order."""
    words = ((m.start(), m.group().lower()) for m in _WORD.finditer(text))
    signs = ((i, None) for i, ch in enumerate(text) if ch.lower() in by_char) if by_char else iter(())
    return heapq.merge(words, signs, key=lambda place: place[0])


def _is_word_char(ch: str) -> bool:
    return ch.isalnum() or ch == "_"  # what the re module's \w matches


class FormMatcher:
    """One surface form, matched at a given place: a word form only where a word starts, in any
    case and with a plural ending; notation (``exact``) case-sensitively and never inside a longer
    name. Plain string tests, not a regex per form: compiling one per form per paper cost more
    than the matching (and flooded the re module's cache)."""

    __slots__ = ("form", "low", "size", "exact", "word_start", "tail")

    def __init__(self, form: str, exact: bool) -> None:
        self.form, self.low, self.size, self.exact = form, form.lower(), len(form), exact
        self.word_start = form[:1].isalnum()
        last = form[-1:]
        if exact:  # "N" in "O(N-1)" counts; no plural forms
            self.tail = "whole" if last.isalnum() or last == "*" else None
        else:
            self.tail = "plural" if last.isalpha() else "whole" if last.isalnum() else None

    def match(self, text: str, start: int) -> int | None:
        """The end of the form when it occurs at ``start``, else None."""
        if self.word_start and start and (_is_word_char(text[start - 1]) or text[start - 1] in "*$\\-"):
            return None
        end = start + self.size
        piece = text[start:end]
        if piece != self.form and (self.exact or piece.lower() != self.low):
            return None
        if self.tail == "plural":  # plurals are the same term: (?:s|es)?(?![\w*$-])
            for ending in ("s", "es", ""):
                stop = end + len(ending)
                if text[end:stop].lower() == ending and not _ends_word(text, stop, "*$-"):
                    return stop
            return None
        if self.tail == "whole" and _ends_word(text, end, "*$"):
            return None
        return end


def _ends_word(text: str, at: int, signs: str) -> bool:
    """Whether a word character or one of ``signs`` follows at ``at`` (so the form is not whole)."""
    return at < len(text) and (_is_word_char(text[at]) or text[at] in signs)


def add_member_terms(text: str, terms: dict[str, TermInfo], spans: list[Span]) -> None:
    """Members of a stated whole are terms even when they are single ordinary words."""
    for a, b in spans:
        form = text[a:b].strip()
        if not form or len(form) > 60 or not any(c.isalpha() for c in form):
            continue
        key = concept_key(form.lower().split())
        if key in terms or any(t.label.lower() == form.lower() for t in terms.values()):
            continue
        terms[key] = TermInfo(key=key, label=form if form.isupper() else form.lower(), kind="concept")
        _scan(text, terms, {key: {form}})
        if not terms[key].mentions:  # the member is cut inside a word ("pseudo" of "pseudo-Anosov"): no term
            del terms[key]
