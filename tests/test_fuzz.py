"""Property-based fuzzing of ingest and the whole compile (a short run; longer runs set
ARCXIV_FUZZ_EXAMPLES). Random and mutated papers either compile to a curriculum that passes
the grounding checks, or fail with our own error type: never another exception, never a hang."""
from __future__ import annotations

import json
import os
import signal

from hypothesis import HealthCheck, example, given, settings
from hypothesis import strategies as st

from arcxiv.errors import ArcxivError
from arcxiv.ingest import ingest
from arcxiv.pipeline import compile_paper
from arcxiv.verify import verify

from .conftest import SEED, WIDE, corpus_lines

EXAMPLES = int(os.environ.get("ARCXIV_FUZZ_EXAMPLES", "40"))
TIME_BOUND_S = 20  # one input; a compile of an abstract takes well under a second



def _in_every_format(line: str) -> list[bytes]:
    """One corpus abstract as plain text, Markdown, BibTeX and Atom (the page and JSON forms are there already)."""
    record = json.loads(line)
    title, abstract = record["title"], record["abstract"]
    return [f"{title}\n\n{abstract}\n".encode(), f"# {title}\n\n## Abstract\n\n{abstract}\n".encode(),
            f"@article{{key1,\n  title = {{{title}}},\n  abstract = {{{abstract}}}\n}}\n".encode(),
            (f'<?xml version="1.0"?>\n<feed xmlns="http://www.w3.org/2005/Atom"><entry><id>http://arxiv.org/abs/1'
             f"</id><title>{title}</title><summary>{abstract}</summary></entry></feed>\n").encode()]


MATH_SEEDS = [l.encode() for l in corpus_lines(WIDE) if l.count("\\") >= 12][:4]  # TeX-heavy real abstracts
SEEDS = ([SEED.read_bytes()] + [l.encode() for l in corpus_lines()[:6]] + _in_every_format(corpus_lines()[0])
         + MATH_SEEDS)
WORDS = ["we", "prove", "the", "model", "(", ")", "μP", "w*", "D*orb", "O(N-1)", "$x^2$", "First,", "Second,",
         "under", "exactly when", "i.e.,", "--", ":", ";", ".", "\n\n", "{", "}", "\\emph{a}", "<script>", "é", "∑",
         "Abstract", "# ", "## ", "@article{", "<feed>", "\"", "\\", "et al.", "Fig. 2", "3.5%", "300K"]


class Hang(Exception):
    pass


def _alarm(signum, frame):
    raise Hang()


def compile_or_refuse(data: bytes, strict: bool = True) -> str:
    """"compiled" (and grounded) or "refused" (our own error); anything else fails the test.
    strict: the generator wrote nothing the verifier had to drop. Not strict (the long runs):
    a statement the verifier dropped is counted, and the output must verify clean as it is."""
    old = signal.signal(signal.SIGALRM, _alarm)
    signal.alarm(TIME_BOUND_S)
    try:
        cur = compile_paper(ingest(data))
    except ArcxivError:
        return "refused"
    finally:
        signal.alarm(0)
        signal.signal(signal.SIGALRM, old)
    assert 1 <= len(cur.lessons) <= 12
    json.dumps(cur.model_dump(by_alias=True, mode="json"))
    if not cur.grounding.dropped:
        return "compiled"
    assert not strict, cur.grounding.dropped[:3]
    again = verify(cur.model_copy(deep=True)).grounding.dropped
    assert again == [], again[:3]  # what remains, titles included, is grounded
    return "compiled, a statement dropped by the verifier"


def ingest_or_refuse(data: bytes) -> str:
    try:
        ingest(data)
    except ArcxivError:
        return "refused"
    return "ingested"


mutation = st.tuples(st.sampled_from(range(len(SEEDS))), st.lists(
    st.tuples(st.sampled_from(["insert", "delete", "replace"]), st.floats(0, 1), st.sampled_from(WORDS)),
    min_size=1, max_size=12))


def mutate(choice) -> bytes:
    index, edits = choice
    text = SEEDS[index].decode("utf-8")
    for op, where, word in edits:
        pos = int(where * len(text))
        if op == "insert":
            text = text[:pos] + word + text[pos:]
        elif op == "delete":
            text = text[:pos] + text[pos + len(word):]
        else:
            text = text[:pos] + word + text[pos + len(word):]
    return text.encode("utf-8")


# TeX as mathematics abstracts write it, and backslash sequences that mean something to re
# ("\\m", "\\g<0>", "\\1"): paper text must never become a pattern or a replacement template
TEX = ["$\\mathcal{N}$", "$\\log_2 n$", "$\\mathbb{R}^d$", "$\\{x_i\\}_{i=1}^n$", "$\\sqrt{\\epsilon}$",
       "$\\frac{1}{2}$", "$\\|x\\|_2$", "$\\mathrm{GL}_n(\\mathbf Z)$", "$A.$", "$\\sigma$", "\\(x\\)",
       "\\cite{ai2003}", "\\ref{thm:1}", "\\textbf{X}", "\\m", "\\l", "\\c", "\\s", "\\g<0>", "\\1", "\\\\",
       "$$", "(P)", "$\\mathcal{N}$-module", "w*"]
TEX_SENTENCES = ["{a} is the {w} of {b}.", "We prove that {a} converges to {b}.", "Let {a} denote the {w}.",
                 "Under {a}, we show that {b} is {w}.", "{a} stands for the {w}.", "First, {a} bounds {b}.",
                 "Second, we characterize {a} exactly when {b} holds.", "The {w} {a} ({b}) is finite."]
TEX_PAPERS = st.lists(st.tuples(st.sampled_from(TEX_SENTENCES), st.sampled_from(TEX), st.sampled_from(TEX),
                                st.sampled_from(["limit", "measure", "rank", "normal law", "group"])),
                      min_size=1, max_size=10)


def tex_paper(parts) -> bytes:
    body = " ".join(t.format(a=a, b=b, w=w) for t, a, b, w in parts)
    return f"On {parts[0][1]} and its limits\n\n{body}\n".encode("utf-8")


SALAD = st.lists(st.sampled_from(WORDS) | st.text(min_size=1, max_size=8), min_size=0, max_size=60)
RANDOM_BYTES = st.binary(max_size=400)
# (name, strategy, property): the same three properties, run longer by benchmarks/fuzz.py, where a
# statement the verifier dropped is counted rather than failing the run
PROPERTIES = [("mutated papers", mutation, lambda choice: compile_or_refuse(mutate(choice), strict=False)),
              ("word salad", SALAD, lambda words: compile_or_refuse(" ".join(words).encode("utf-8"), strict=False)),
              ("TeX-heavy papers", TEX_PAPERS, lambda parts: compile_or_refuse(tex_paper(parts), strict=False)),
              ("random bytes", RANDOM_BYTES, ingest_or_refuse)]
FUZZ_SETTINGS = dict(deadline=None, suppress_health_check=[HealthCheck.too_slow])


@settings(max_examples=EXAMPLES, **FUZZ_SETTINGS)
@given(mutation)
# found by a long run: a Markdown paper whose first line is no heading; the guide linked to a
# section named by that line without citing it
@example((8, [("insert", 0.0, "μP"), ("insert", 1.0, "μP")]))
# and one where spaCy read "hed" as "he" + "d", and a lesson was named "he"
@example((3, [("replace", 0.0, "the"), ("delete", 0.0, "é")]))
# and a true/false swap that ran into the next word ("O(N-1)this" became "10560this")
@example((6, [("insert", 0.3125, "O(N-1)")]))
# and an acronym's long form broken by a paragraph break, which was cited at position -1
@example((7, [("insert", 0.171875, "\n\n")]))
# and a bracket opened before a symbol, "(# w*, D*orb, S*)", closed past it: w* was "defined" as the tuple
@example((0, [("insert", 0.1953125, "we"), ("delete", 0.75, "prove"), ("insert", 0.7313784628875551, "# ")]))
def test_mutated_papers_compile_grounded_or_fail_cleanly(choice):
    compile_or_refuse(mutate(choice))


@settings(max_examples=EXAMPLES, **FUZZ_SETTINGS)
@given(SALAD)
def test_word_salad_compiles_grounded_or_fails_cleanly(words):
    compile_or_refuse(" ".join(words).encode("utf-8"))


@settings(max_examples=EXAMPLES, **FUZZ_SETTINGS)
@given(TEX_PAPERS)
# the crash of 7.6% of mathematics abstracts: a true/false swap used "$\\mathcal{N}$" as a replacement template
@example([("{a} is the {w} of {b}.", "$\\mathcal{N}$", "$\\log_2 n$", "normal law"),
          ("{a} is the {w} of {b}.", "$\\sigma$", "\\g<0>", "limit")])
# a source whose every sentence is a part: the overview reads no sentence of its own
@example([("First, {a} bounds {b}.", "$\\mathcal{N}$", "$\\mathcal{N}$", "limit"),
          ("Second, we characterize {a} exactly when {b} holds.", "$\\mathcal{N}$", "$\\mathcal{N}$", "limit")])
def test_tex_heavy_papers_compile_grounded_or_fail_cleanly(parts):
    compile_or_refuse(tex_paper(parts), strict=False)


@settings(max_examples=EXAMPLES, **FUZZ_SETTINGS)
@given(RANDOM_BYTES)
def test_random_bytes_never_crash_ingest(data):
    ingest_or_refuse(data)


def test_fuzz_seeds_cover_every_format():
    from arcxiv.ingest.detect import detect

    formats = {detect(s.decode("utf-8")) for s in SEEDS}
    assert formats == {"page", "text", "arxiv-json", "markdown", "bibtex", "atom"}
    assert all(compile_or_refuse(s) == "compiled" for s in SEEDS)
