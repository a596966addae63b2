"""Per-abstract compile time against spaCy's bare parse of the same text; and whole papers.

    python benchmarks/compile.py [abstracts.jsonl]
    python benchmarks/compile.py --whole

With --whole: every paper of tests/data/fulltext (LaTeX, PDF, JATS), read and compiled once each,
then one long source (the Raft dissertation) cut to 5, 10, 20 and 40 pages of 3,000 characters, to show
that the compile grows linearly and stays within 2x the bare parse. Goal: 20 pages in under 5 s.

Loads the model once, ingests every abstract of the corpus (arXiv JSON lines),
warms up, then measures for each abstract the median of REPEATS runs of
(a) compile_paper + render_files and (b) the bare spaCy parse nlp(paper.text),
and the per-stage medians (analyse, plan, generate, verify, render).
Goal: median compile / median bare parse <= 2.0.
"""
from __future__ import annotations

import argparse
import resource
import statistics
import sys
import time
from pathlib import Path

from arcxiv.analyse import analyse, nlp
from arcxiv.generate import generate
from arcxiv.ingest import ingest
from arcxiv.pipeline import compile_paper, render_files
from arcxiv.plan import plan
from arcxiv.verify import verify

DEFAULT_CORPUS = Path(__file__).resolve().parents[1] / "tests" / "data" / "abstracts.jsonl"
REPEATS = 5
WARMUP = 2
GOAL = 2.0


def median_ms(fn, repeats: int = REPEATS) -> float:
    times = []
    for _ in range(repeats):
        t0 = time.perf_counter()
        fn()
        times.append(time.perf_counter() - t0)
    return statistics.median(times) * 1000


def p90(values: list[float]) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(0.9 * (len(ordered) - 1)))]


FULLTEXT = Path(__file__).resolve().parents[1] / "tests" / "data" / "fulltext"
PAGE_CHARS = 3_000  # one page of a paper's text, about 500 words
PAGE_GOAL_S = 5.0


def once_s(fn) -> float:
    t0 = time.perf_counter()
    fn()
    return time.perf_counter() - t0


def _cut(paper, chars: int):
    """The paper's first sections, up to ``chars`` characters of text."""
    from dataclasses import replace

    sections = tuple(s for s in paper.sections if s.span[1] <= chars) or paper.sections[:1]
    end = sections[-1].span[1]
    return replace(paper, text=paper.text[:end], sections=sections)


def whole_papers() -> int:
    from arcxiv.pipeline import read_source

    model = nlp.load()
    model("warm up")
    paths = sorted([*FULLTEXT.glob("latex/*/"), *FULLTEXT.glob("pdf/*.pdf"), *FULLTEXT.glob("jats/*.xml")])
    print(f"{'paper':<44}{'chars':>9}{'pages':>7}{'read s':>8}{'compile s':>11}{'parse s':>9}{'ratio':>7}")
    for path in paths:
        data = read_source(path)
        paper = None

        def read():
            nonlocal paper
            paper = ingest(data, name=path.name)

        r = once_s(read)
        c = once_s(lambda: render_files(compile_paper(paper)))
        p = once_s(lambda: model(paper.text[:999_999]))
        print(f"{path.name[:43]:<44}{len(paper.text):>9,}{len(paper.text) / PAGE_CHARS:>7.0f}{r:>8.2f}{c:>11.2f}"
              f"{p:>9.2f}{c / p:>7.2f}")
    long = ingest(read_source(FULLTEXT / "latex" / "raft-dissertation"), name="raft")
    print()
    print(f"{'pages (3,000 chars)':<22}{'chars':>9}{'compile s':>11}{'+render s':>11}{'parse s':>9}{'ratio':>7}"
          f"{'s per page':>12}")
    render_files(compile_paper(_cut(long, 5 * PAGE_CHARS)))  # warm-up: the first compile pays for lazy loading
    for pages in (5, 10, 20, 40):
        cut = _cut(long, pages * PAGE_CHARS)
        cur = None

        def build():
            nonlocal cur
            cur = compile_paper(cut)

        c = once_s(build)
        r = once_s(lambda: render_files(cur))
        p = once_s(lambda: model(cut.text))
        goal = f"   (goal < {PAGE_GOAL_S:.0f} s: {'met' if c + r < PAGE_GOAL_S else 'NOT met'})" if pages == 20 else ""
        print(f"{pages:<22}{len(cut.text):>9,}{c:>11.2f}{c + r:>11.2f}{p:>9.2f}{c / p:>7.2f}{c / pages:>12.3f}{goal}")
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    print(f"\npeak RSS: {peak / 1024:.0f} MiB")
    return 0


def main(argv: list[str]) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("corpus", nargs="?", type=Path, default=DEFAULT_CORPUS, help="arXiv JSON lines (default: the corpus)")
    ap.add_argument("--whole", action="store_true", help="whole papers instead: every form, and growth with length")
    args = ap.parse_args(argv[1:])
    if args.whole:
        return whole_papers()
    corpus = args.corpus
    t0 = time.perf_counter()
    model = nlp.load()
    load_s = time.perf_counter() - t0
    lines = [line for line in corpus.read_bytes().split(b"\n") if line.strip()]
    papers = [ingest(line, name=f"{corpus.name}:{i}") for i, line in enumerate(lines, 1)]

    for paper in papers:  # warm-up: caches, lazy imports, allocator
        for _ in range(WARMUP):
            render_files(compile_paper(paper))
            model(paper.text)

    compile_ms, parse_ms, ratios = [], [], []
    stages: dict[str, list[float]] = {k: [] for k in ("analyse", "plan", "generate", "verify", "render")}
    for paper in papers:
        c = median_ms(lambda: render_files(compile_paper(paper)))
        p = median_ms(lambda: model(paper.text))
        compile_ms.append(c)
        parse_ms.append(p)
        ratios.append(c / p)
        a = analyse(paper)
        pl = plan(a)
        g = generate(pl)
        v = verify(g)
        stages["analyse"].append(median_ms(lambda: analyse(paper)))
        stages["plan"].append(median_ms(lambda: plan(a)))
        stages["generate"].append(median_ms(lambda: generate(pl)))
        stages["verify"].append(median_ms(lambda: verify(g)))
        stages["render"].append(median_ms(lambda: render_files(v)))

    words = [len(p.text.split()) for p in papers]
    med_c, med_p = statistics.median(compile_ms), statistics.median(parse_ms)
    ratio = med_c / med_p
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss  # KiB on Linux
    peak_mib = peak / (1024 * 1024) if sys.platform == "darwin" else peak / 1024

    print(f"corpus: {corpus} ({len(papers)} abstracts, median {statistics.median(words):.0f} words)")
    print(f"model load: {load_s:.2f} s; {REPEATS} repeats per abstract, median taken")
    print()
    print(f"{'per abstract':<28}{'median ms':>12}{'p90 ms':>12}")
    print(f"{'compile + render':<28}{med_c:>12.2f}{p90(compile_ms):>12.2f}")
    print(f"{'bare spaCy parse':<28}{med_p:>12.2f}{p90(parse_ms):>12.2f}")
    print(f"{'ratio compile / parse':<28}{ratio:>12.2f}{p90(ratios):>12.2f}   "
          f"(goal <= {GOAL}: {'met' if ratio <= GOAL else 'NOT met'})")
    print()
    print(f"{'stage':<28}{'median ms':>12}{'p90 ms':>12}")
    for name, values in stages.items():
        print(f"{name:<28}{statistics.median(values):>12.2f}{p90(values):>12.2f}")
    total = sum(statistics.median(v) for v in stages.values())
    print(f"{'(sum of stage medians)':<28}{total:>12.2f}")
    print()
    print(f"peak RSS: {peak_mib:.0f} MiB")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
