"""Shared fixtures: the example paper, the corpus, and the independent checker."""
from __future__ import annotations

import importlib.util
import json
from functools import lru_cache
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
DATA = ROOT / "tests" / "data"  # copied from the shared folder: the tests run from the checkout alone
SEED = DATA / "000_db1703b9651b8d63.txt"
CORPUS = DATA / "abstracts.jsonl"
WIDE = DATA / "wide.jsonl"
CHECKER = DATA / "tools" / "check_curriculum.py"
LINTER = DATA / "tools" / "lint_curriculum.py"
QTI_XSD = DATA / "schemas" / "qti" / "qtiv2p1" / "imsqti_v2p1.xsd"
SHARED = ROOT.parent / "shared"  # optional extra data (whole papers), skipped when absent


def corpus_lines(path: Path = CORPUS) -> list[str]:
    return [l for l in path.read_text(encoding="utf-8").splitlines() if l.strip()]


@lru_cache(maxsize=None)
def compiled(data: bytes):
    from arcxiv.ingest import ingest
    from arcxiv.pipeline import compile_paper

    return compile_paper(ingest(data))


@pytest.fixture(scope="session")
def example():
    return compiled(SEED.read_bytes())


def _tool(name: str, path: Path):
    spec = importlib.util.spec_from_file_location(name, path)
    mod = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(mod)
    return mod


@pytest.fixture(scope="session")
def checker():
    return _tool("check_curriculum", CHECKER)


@pytest.fixture(scope="session")
def linter():
    return _tool("lint_curriculum", LINTER)


def run_checker(checker, cur, source_file: Path):
    from arcxiv.render.json_out import to_json

    c = checker.Checker(json.loads(to_json(cur)), str(source_file))
    c.run()
    if c.novel:
        c.errors.append(f"novel words: {sorted(c.novel)}")
    return c
