"""A long fuzz run: the properties of tests/test_fuzz.py, round after round, until time is up.

    python benchmarks/fuzz.py [--minutes 10] [--round 200]

Each round runs ROUND fresh random examples of each property (Hypothesis, no example
database, a new seed each round): mutated papers in every input format and word salad go
through ingest and the whole compile, and must either compile to a curriculum that passes
the grounding checks or be refused with ArcXiv's own error, each input within the time
bound of tests/test_fuzz.py; random bytes go through ingest. A compile where the verifier
had to drop a statement the generator wrote is counted apart (the output must still verify
clean: titles included); CI's short version (tests/test_fuzz.py, 40 examples each) fails on
those too. Prints, per property, the examples run, how many compiled, compiled with a
dropped statement, or were refused, the slowest input, and any failure with the input that
caused it (exit status 1).
"""
from __future__ import annotations

import argparse
import sys
import time
import traceback
from collections import Counter
from pathlib import Path

from hypothesis import given, settings

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
from tests.test_fuzz import FUZZ_SETTINGS, PROPERTIES, TIME_BOUND_S  # noqa: E402


def recorder(name: str, prop, outcomes: dict, slowest: dict):
    """The property as a Hypothesis test body that also counts outcomes and times each input."""
    def check(example):
        t0 = time.perf_counter()
        outcomes[name][prop(example)] += 1
        slowest[name] = max(slowest[name], time.perf_counter() - t0)
    return check


def main(argv: list[str]) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--minutes", type=float, default=10.0)
    ap.add_argument("--round", type=int, default=200, help="examples of each property per round")
    args = ap.parse_args(argv[1:])
    deadline = time.monotonic() + args.minutes * 60
    outcomes = {name: Counter() for name, _, _ in PROPERTIES}
    slowest = {name: 0.0 for name, _, _ in PROPERTIES}
    failures: list[str] = []
    rounds = 0
    start = time.monotonic()
    while time.monotonic() < deadline and not failures:
        rounds += 1
        for name, strategy, prop in PROPERTIES:
            test = settings(max_examples=args.round, database=None, **FUZZ_SETTINGS)(
                given(strategy)(recorder(name, prop, outcomes, slowest)))
            try:
                test()
            except Exception:  # Hypothesis re-raises the shrunk failing example's error
                failures.append(f"{name}:\n{traceback.format_exc(limit=6)}")
                break
            if time.monotonic() >= deadline:
                break
    elapsed = time.monotonic() - start
    total = sum(sum(c.values()) for c in outcomes.values())
    print(f"arcxiv fuzz run: {elapsed / 60:.1f} minutes, {rounds} rounds, {total} examples "
          f"(each input bounded at {TIME_BOUND_S} s)")
    for name, counts in outcomes.items():
        shown = ", ".join(f"{k} {v}" for k, v in sorted(counts.items()))
        print(f"  {name:<15} {sum(counts.values()):>6} examples: {shown}; slowest input {slowest[name] * 1000:.0f} ms")
    print("failures: " + ("none" if not failures else "\n" + "\n".join(failures)))
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
