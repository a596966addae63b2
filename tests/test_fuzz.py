"""Property-based fuzzing of ingest and the whole compile (a short run; longer runs set
ARCXIV_FUZZ_EXAMPLES). Random and mutated papers either compile to a curriculum that passes
the grounding checks, or fail with our own error type: never another exception, never a hang."""
from __future__ import annotations

import json
import os
import signal

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from arcxiv.errors import ArcxivError
from arcxiv.ingest import ingest
from arcxiv.pipeline import compile_paper

from .conftest import SEED, corpus_lines

EXAMPLES = int(os.environ.get("ARCXIV_FUZZ_EXAMPLES", "40"))
TIME_BOUND_S = 20  # one input; a compile of an abstract takes well under a second

SEEDS = [SEED.read_bytes()] + [l.encode() for l in corpus_lines()[:6]]
WORDS = ["we", "prove", "the", "model", "(", ")", "μP", "w*", "D*orb", "O(N-1)", "$x^2$", "First,", "Second,",
         "under", "exactly when", "i.e.,", "--", ":", ";", ".", "\n\n", "{", "}", "\\emph{a}", "<script>", "é", "∑",
         "Abstract", "# ", "## ", "@article{", "<feed>", "\"", "\\", "et al.", "Fig. 2", "3.5%", "300K"]


class Hang(Exception):
    pass


def _alarm(signum, frame):
    raise Hang()


def compile_or_refuse(data: bytes) -> None:
    old = signal.signal(signal.SIGALRM, _alarm)
    signal.alarm(TIME_BOUND_S)
    try:
        cur = compile_paper(ingest(data))
    except ArcxivError:
        return
    finally:
        signal.alarm(0)
        signal.signal(signal.SIGALRM, old)
    assert cur.grounding.dropped == [], cur.grounding.dropped[:3]
    assert 1 <= len(cur.lessons) <= 12
    json.dumps(cur.model_dump(by_alias=True, mode="json"))


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


@settings(max_examples=EXAMPLES, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(mutation)
def test_mutated_papers_compile_grounded_or_fail_cleanly(choice):
    compile_or_refuse(mutate(choice))


@settings(max_examples=EXAMPLES, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.lists(st.sampled_from(WORDS) | st.text(min_size=1, max_size=8), min_size=0, max_size=60))
def test_word_salad_compiles_grounded_or_fails_cleanly(words):
    compile_or_refuse(" ".join(words).encode("utf-8"))


@settings(max_examples=EXAMPLES, deadline=None)
@given(st.binary(max_size=400))
def test_random_bytes_never_crash_ingest(data):
    try:
        ingest(data)
    except ArcxivError:
        pass
