"""Shared fixtures: the example paper, the corpus, and the independent checker."""
from __future__ import annotations

import importlib.util
import json
from functools import lru_cache
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
SHARED = ROOT.parent / "shared"
SEED = SHARED / "seeds" / "000_db1703b9651b8d63.txt"
CORPUS = SHARED / "corpus" / "abstracts.jsonl"
CHECKER = SHARED / "tools" / "check_curriculum.py"


def corpus_lines() -> list[str]:
    return [l for l in CORPUS.read_text(encoding="utf-8").splitlines() if l.strip()]


@lru_cache(maxsize=None)
def compiled(data: bytes):
    from arcxiv.ingest import ingest
    from arcxiv.pipeline import compile_paper

    return compile_paper(ingest(data))


@pytest.fixture(scope="session")
def example():
    return compiled(SEED.read_bytes())


@pytest.fixture(scope="session")
def checker():
    spec = importlib.util.spec_from_file_location("check_curriculum", CHECKER)
    mod = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(mod)
    return mod


def run_checker(checker, cur, source_file: Path):
    from arcxiv.render.json_out import to_json

    c = checker.Checker(json.loads(to_json(cur)), str(source_file))
    c.run()
    if c.novel:
        c.errors.append(f"novel words: {sorted(c.novel)}")
    return c
