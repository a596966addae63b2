"""The README's facts about the example and the commands are the output's facts: the lesson list,
the counts, the study-item table, the Anki file name, the batch error record and the exit codes."""
from __future__ import annotations

import json
import re

from arcxiv import errors
from arcxiv.batch import Job, _failure
from arcxiv.models import Curriculum
from arcxiv.render.exports import EXPORTERS

from .conftest import ROOT

README = (ROOT / "README.md").read_text(encoding="utf-8")
GOLDEN = json.loads((ROOT / "tests" / "golden" / "example.curriculum.json").read_text(encoding="utf-8"))


def test_the_lesson_list_is_the_examples():
    listing = README[README.index("For the example paper the lessons are:"):].split("\n\n")[1]
    shown = [re.match(r"(\d+)\. (.+?) \((beginner|intermediate|advanced)\)", line).groups()
             for line in listing.splitlines()]
    assert shown == [(str(l["number"]), l["title"], l["level"]) for l in GOLDEN["lessons"]]


def test_the_counts_and_study_items_are_the_examples():
    assert f"Quiz items ({len(GOLDEN['quiz'])} for the example)" in README
    backs = {c["back"]["text"] for c in GOLDEN["flashcards"]}
    table = README[README.index("| kind | front | back |"):].split("\n\n")[0].splitlines()[2:]
    for row in table:
        kind, front, back = (cell.strip() for cell in row.strip("|").split(" | "))
        assert back in backs or back.replace("_____", "").strip() in backs or any(back in b for b in backs), row


def test_the_anki_file_name_is_the_exported_one():
    (name,) = EXPORTERS["anki"](Curriculum.model_validate(GOLDEN))
    assert f"`{name}`" in README


def test_the_batch_error_record_is_the_written_one():
    record = _failure(Job("x", "papers.jsonl:3", b"", None), "why")
    assert set(record) - {"ok"} == {"name", "source", "error"}
    assert '`{"name": …, "source": "FILE:LINE", "error": …}`' in README


def test_every_exit_code_is_documented():
    line = README[README.index("Exit codes: 0 success"):].split("\n\n")[0]
    codes = {cls.exit_code for cls in vars(errors).values() if isinstance(cls, type) and
             issubclass(cls, errors.ArcxivError)} | {0, 4}  # 4: a batch with failures (cli.batch)
    assert {int(n) for n in re.findall(r"(?:: |, )(\d) ", line)} == codes


def test_the_example_lesson_shown_is_the_compiled_one():
    md = (ROOT / "tests" / "golden" / "example.curriculum.md").read_text(encoding="utf-8")
    start = README.index("> **The reading**")
    shown = README[start:README.index("\n\n", README.index("> **Its terms in later parts**") + 40)]
    for line in shown.splitlines():
        line = line.removeprefix(">").strip()
        if line and not line.startswith("**"):
            assert line in md, line


def test_the_app_pages_and_screenshots_in_the_readme_exist(tmp_path):
    from arcxiv.web import create_app

    section = README[README.index("### The web app"):README.index("## Robustness and security")]
    table = section[section.index("| page |"):].split("\n\n")[0].splitlines()[2:]
    paths = {p.path for p in create_app(f"sqlite:///{tmp_path / 'a.db'}").routes}
    for row in table:
        path = re.match(r"\| `([^`]+)`", row).group(1).replace("KEY", "{key}").replace("/…", "/{path:path}")
        assert path in paths, row
    shots = re.findall(r"!\[[^\]]*\]\(([^)]+)\)", section)
    assert len(shots) >= 5 and all((ROOT / s).is_file() for s in shots), shots
